package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/bot"
	"github.com/trustbot/trustbot/commands"
)

// runDiscord runs the bot on Discord until ctx ends: the app (the embedded chain when
// ETH_RPC_URL is empty), the gateway session, and with DISCORD_PUBLIC_KEY the HTTP interactions
// endpoint beside the signing pages.
func runDiscord(ctx context.Context, cfg *Config, log *slog.Logger) error {
	s, err := discordgo.New("Bot " + cfg.DiscordToken)
	if err != nil {
		return fmt.Errorf("discord session: %w", err)
	}
	if cfg.DiscordAPIURL.IsSet() {
		s.Client = &http.Client{Timeout: s.Client.Timeout, Transport: viaProxy(cfg.DiscordAPIURL.URL(), http.DefaultTransport)}
	}
	discordgo.Logger = discordLogger(log)
	d, err := startDiscord(ctx, cfg, s, os.Stdout, log)
	if err != nil && ctx.Err() != nil {
		// Stopped (SIGTERM, Ctrl-C) while still connecting: a shutdown, not a failure.
		log.Info("discord: shutting down before connecting", "err", err)
		return nil
	}
	if err != nil {
		return err
	}
	defer d.Close()
	<-ctx.Done()
	log.Info("discord: shutting down")
	return nil
}

// viaProxy sends requests for Discord's API hosts to a REST proxy at base (DISCORD_API_URL)
// with the same path and query, as Discord REST proxies such as nirn-proxy expect; requests
// for any other host go out unchanged.
func viaProxy(base *url.URL, next http.RoundTripper) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		h := strings.ToLower(r.URL.Hostname())
		if h != "discord.com" && h != "discordapp.com" && !strings.HasSuffix(h, ".discord.com") {
			return next.RoundTrip(r)
		}
		r = r.Clone(r.Context())
		r.URL.Scheme, r.URL.Host, r.Host = base.Scheme, base.Host, ""
		return next.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// discordBot is the app with the Discord adapter, connected.
type discordBot struct {
	*app
	Bot     *bot.Bot
	Session *discordgo.Session
}

// Close disconnects from the gateway, lets the bot finish its interactions, then stops the
// watcher, the HTTP server, the database and the chain.
func (d *discordBot) Close() {
	if err := d.Session.Close(); err != nil {
		d.log.Warn("discord: closing the gateway", "err", err)
	}
	d.app.Close()
}

// startDiscord starts the app and the adapter over a given session (tests point its REST client
// and gateway at fakes): it checks the token, registers the commands, then opens the gateway,
// waiting out a Discord that cannot be reached until ctx ends.
func startDiscord(ctx context.Context, cfg *Config, s *discordgo.Session, out io.Writer, log *slog.Logger) (_ *discordBot, err error) {
	// Slash commands need no privileged intent; guild events are enough to stay connected.
	s.Identify.Intents = discordgo.IntentsGuilds
	s.ShardID, s.ShardCount = cfg.ShardID, cfg.shards()
	s.Identify.Shard = &[2]int{cfg.ShardID, cfg.shards()}
	s.MaxRestRetries = bot.MaxRestRetries
	s.StateEnabled = false

	members := bot.NewMembers(s, log)
	a, err := newApp(ctx, cfg, "trustbot.db", false, out, log, func(sv *commands.Services) { sv.Members = members })
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	var symbols []string
	for _, as := range a.Assets {
		symbols = append(symbols, as.Symbol)
	}
	b := bot.New(bot.Config{
		AppID: cfg.DiscordAppID, GuildID: cfg.DiscordGuildID, PublicKey: ed25519.PublicKey(cfg.DiscordPublicKey),
		ExplorerURL: cfg.ExplorerURL.String(), Assets: symbols, NoGateway: !cfg.DiscordGateway,
	}, a.Set, s, log)
	s.AddHandler(b.InteractionCreate)
	if cfg.DiscordPublicKey != nil {
		a.Mux.Handle("POST /interactions", b.InteractionsHandler())
	}
	a.Start(ctx, b)
	// Closers run last-added first: the bot finishes its interactions before the watcher, the
	// HTTP server, the database and the chain stop.
	a.closers = append(a.closers, b.Close)

	if err := b.Connect(ctx); err != nil {
		if errors.Is(err, bot.ErrTokenRejected) {
			return nil, &startupError{err: err, msg: "DISCORD_TOKEN was refused by Discord (401 Unauthorized): copy the bot's token from the Developer Portal " +
				"(https://discord.com/developers/applications → your application → Bot → Reset Token) into DISCORD_TOKEN"}
		}
		return nil, err
	}
	how := fmt.Sprintf("shard %d of %d", cfg.ShardID, cfg.shards())
	if !cfg.DiscordGateway {
		how = "HTTP interactions only, no gateway session"
	}
	fmt.Fprintf(out, "trustbot is on Discord (%s)\n  chain RPC     %s (chain id %s)\n  signing pages %s\n",
		how, a.shownRPC(), a.Chain.ChainID(), a.PublicURL)
	if cfg.DiscordPublicKey != nil {
		fmt.Fprintf(out, "  interactions  %s/interactions (set it as the Interactions Endpoint URL)\n", a.PublicURL)
	}
	log.Info("discord: connected", "shard", cfg.ShardID, "shards", cfg.shards(), "gateway", cfg.DiscordGateway)
	return &discordBot{app: a, Bot: b, Session: s}, nil
}

// discordLogger sends discordgo's log lines to slog.
func discordLogger(log *slog.Logger) func(msgL, caller int, format string, a ...any) {
	return func(msgL, _ int, format string, a ...any) {
		level := slog.LevelDebug
		switch msgL {
		case discordgo.LogError:
			level = slog.LevelError
		case discordgo.LogWarning:
			level = slog.LevelWarn
		}
		log.Log(context.Background(), level, "discordgo: "+fmt.Sprintf(format, a...))
	}
}
