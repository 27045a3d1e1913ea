// Package bot is trustbot's Discord adapter. It registers the platform-neutral commands of
// commands/ as slash commands, turns interactions (from the gateway or from the HTTP
// interactions endpoint, through one code path) into commands.Requests, answers with Discord
// responses, and posts the on-chain notices the watcher reports.
//
// The 3-second rule: a command that reads the chain is acknowledged first with a deferred
// ephemeral response, and only then handled; its result replaces the acknowledgement by an edit
// of the original response. Commands that need no chain are answered at once.
package bot

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/internal/stage"
)

const (
	// tokenLifetime is how long Discord accepts an interaction token for edits and follow-ups.
	tokenLifetime = 15 * time.Minute
	// defaultTimeout bounds a chain command's handler when Config.Timeout is zero.
	defaultTimeout = 30 * time.Second
	// quickTimeout bounds a command that needs no chain: Discord wants its answer within 3 s.
	quickTimeout = 2500 * time.Millisecond
	// restTimeout bounds one REST call to Discord, rate-limit waits included.
	restTimeout = 15 * time.Second
	// closeGrace is how long Close lets in-flight work finish before cancelling it.
	closeGrace = 10 * time.Second
	// MaxRestRetries bounds discordgo's retries of a REST call that failed with 502, for the
	// calls that do not go through afterAck (registration, the interaction response itself).
	MaxRestRetries = 2
	// maxRateLimitRetries bounds how often one REST call is repeated after a 429.
	maxRateLimitRetries = 2
	// minRateLimitWait is the least a 429 makes us wait, whatever its Retry-After says.
	minRateLimitWait = 100 * time.Millisecond
	// ConnectBackoff is Connect's first wait after Discord could not be reached when
	// Config.ConnectBackoff is zero; the wait doubles up to ConnectMaxBackoff.
	ConnectBackoff = time.Second
	// ConnectMaxBackoff is the longest wait between two of Connect's attempts.
	ConnectMaxBackoff = time.Minute
)

// ErrTokenRejected is Connect's error when Discord answers the bot token with 401 Unauthorized.
var ErrTokenRejected = errors.New("discord: the bot token was refused (401 Unauthorized)")

// Config is the adapter's configuration.
type Config struct {
	// AppID is the Discord application id (the webhook id of interaction responses).
	AppID string
	// GuildID registers the commands in this guild only; empty registers them globally.
	GuildID string
	// PublicKey verifies requests to the HTTP interactions endpoint.
	PublicKey ed25519.PublicKey
	// NoGateway makes Connect check the token and register the commands but open no gateway
	// session: an instance that only serves the HTTP interactions endpoint, behind a load
	// balancer beside others, uses none of the application's identifies.
	NoGateway bool
	// ExplorerURL is a block explorer's base URL; notices link {ExplorerURL}/tx/{hash}.
	ExplorerURL string
	// Assets are the configured asset symbols, offered as the asset option is typed.
	Assets []string
	// Timeout bounds the handling of a command that reads the chain (default 30 s), from when
	// its work starts.
	Timeout time.Duration
	// Workers is how many chain commands do their work at once after their acknowledgements
	// (default half of GOMAXPROCS, at least one); the rest wait their turn in arrival order, so
	// a burst of work leaves the other cores to the acknowledgements still to come: an
	// acknowledgement has 3 s, a reply 15 minutes. A command gives up its turn while it waits
	// on the JSON-RPC node.
	Workers int
	// Now is the clock (default time.Now): interaction tokens live 15 minutes.
	Now func() time.Time
	// ConnectBackoff is Connect's first wait after Discord could not be reached (default
	// ConnectBackoff).
	ConnectBackoff time.Duration
}

// Bot is the Discord adapter. It satisfies cmd/trustbot's Notifier.
type Bot struct {
	cfg Config
	set *commands.Set
	s   *discordgo.Session
	log *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	work   *stage.Stage
	mu     sync.Mutex
	closed bool
	wg     sync.WaitGroup
}

// New returns a bot answering with set's commands over the session s.
func New(cfg Config, set *commands.Set, s *discordgo.Session, log *slog.Logger) *Bot {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.ConnectBackoff <= 0 {
		cfg.ConnectBackoff = ConnectBackoff
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = max(1, runtime.GOMAXPROCS(0)/2)
	}
	b := &Bot{cfg: cfg, set: set, s: s, log: log, work: stage.New(cfg.Workers)}
	b.ctx, b.cancel = context.WithCancel(context.Background())
	return b
}

// Close stops taking interactions, lets work in flight finish for a while, then cancels it and
// waits for every goroutine the bot started.
func (b *Bot) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeGrace):
		b.log.Warn("discord: cancelling interactions still in flight at shutdown")
	}
	b.cancel()
	<-done
}

// enter registers a unit of work; it fails once the bot is closed.
func (b *Bot) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.wg.Add(1)
	return true
}

// goWork runs f in a goroutine that Close waits for. The caller has already entered.
func (b *Bot) goWork(what string, f func(context.Context)) {
	go func() {
		defer b.wg.Done()
		defer b.recoverPanic(what)
		f(b.ctx)
	}()
}

// recoverPanic logs a panic instead of letting one interaction take the bot down.
func (b *Bot) recoverPanic(what string) {
	if v := recover(); v != nil {
		b.log.Error("discord: panic", "in", what, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	}
}

// Connect brings the bot online: it checks the token (GET /gateway/bot), registers the
// commands and opens the gateway session (none with Config.NoGateway). While Discord cannot be reached (the connection fails,
// or it answers 500, 502, 503 or 504), it logs a warning and tries again after
// Config.ConnectBackoff, doubling the wait up to ConnectMaxBackoff, until ctx ends. A token
// Discord refuses is ErrTokenRejected at once; any other answer is final.
func (b *Bot) Connect(ctx context.Context) error {
	wait := b.cfg.ConnectBackoff
	for attempt := 1; ; attempt++ {
		again, err := b.connect(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("discord: not connected: %w", ctx.Err())
		}
		if !again {
			return err
		}
		b.log.Warn("discord: unreachable, trying again", "attempt", attempt, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("discord: not connected after %d attempts: %w", attempt, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, ConnectMaxBackoff)
	}
}

// connect is one attempt of Connect; again reports whether its failure may pass on another:
// Discord answered 500, 502, 503 or 504, or the connection failed or timed out.
func (b *Bot) connect(ctx context.Context) (again bool, err error) {
	w := &wire{}
	viaWire := discordgo.WithClient(w.client(b.s.Client))
	err = b.rest(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := b.s.GatewayBot(opts...)
		return err
	}, viaWire)
	if err != nil {
		return w.passing(err), tokenRefused(fmt.Errorf("discord: check the token: %w", err))
	}
	w = &wire{}
	if err := b.register(ctx, discordgo.WithClient(w.client(b.s.Client))); err != nil {
		return w.passing(err), tokenRefused(err)
	}
	if b.cfg.NoGateway {
		return false, nil
	}
	if err := b.s.Open(); err != nil {
		return connectionFailed(err), fmt.Errorf("discord: open the gateway: %w", err)
	}
	return false, nil
}

// tokenRefused is err with ErrTokenRejected added when Discord answered 401.
func tokenRefused(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusUnauthorized {
		return fmt.Errorf("%w: %w", ErrTokenRejected, err)
	}
	return err
}

// Register overwrites the application's commands with the set's, in one bulk request: in the
// configured guild, or globally.
func (b *Bot) Register(ctx context.Context) error { return b.register(ctx) }

// register is Register with extra request options.
func (b *Bot) register(ctx context.Context, extra ...discordgo.RequestOption) error {
	cmds := Commands(b.set)
	err := b.rest(ctx, func(opts ...discordgo.RequestOption) error {
		_, err := b.s.ApplicationCommandBulkOverwrite(b.cfg.AppID, b.cfg.GuildID, cmds, opts...)
		return err
	}, extra...)
	if err != nil {
		return fmt.Errorf("discord: register commands: %w", err)
	}
	scope := "globally"
	if b.cfg.GuildID != "" {
		scope = "in guild " + b.cfg.GuildID
	}
	b.log.Info("discord: commands registered", "count", len(cmds), "scope", scope)
	return nil
}

// rest runs one REST call through discordgo's rate limiter with a deadline. A 429 is waited out
// as its Retry-After says (at least minRateLimitWait) and the call repeated at most
// maxRateLimitRetries times; a wait that would outlast the deadline gives up instead. extra
// options are applied after rest's own.
func (b *Bot) rest(ctx context.Context, call func(opts ...discordgo.RequestOption) error, extra ...discordgo.RequestOption) error {
	ctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	opts := append([]discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false), discordgo.WithRestRetries(MaxRestRetries)}, extra...)
	for attempt := 0; ; attempt++ {
		err := call(opts...)
		var rl *discordgo.RateLimitError
		if !errors.As(err, &rl) || rl.RateLimit == nil || rl.TooManyRequests == nil || attempt >= maxRateLimitRetries {
			return err
		}
		wait := max(rl.RetryAfter, minRateLimitWait)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err
		}
		b.log.Info("discord: rate limited", "url", rl.URL, "retry_after", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// appID is the webhook id that interaction responses are edited under.
func (b *Bot) appID(i *discordgo.Interaction) string {
	if b.cfg.AppID != "" {
		return b.cfg.AppID
	}
	if i != nil {
		return i.AppID
	}
	return ""
}

// tokenAlive reports whether an interaction token made at created can still edit its response.
func (b *Bot) tokenAlive(token string, created time.Time) bool {
	return token != "" && !created.IsZero() && b.cfg.Now().Sub(created) < tokenLifetime
}
