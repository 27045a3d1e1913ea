package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/console"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

// devMembers are the playground's members; each has a deterministic, public dev key.
var devMembers = []string{"alice", "bob", "carol"}

// playground is the wired playground: chain, database, signing server, commands, watcher, console.
type playground struct {
	Console   *console.Console
	Chain     *chain.Client
	DB        *store.DB
	DevChain  *chain.DevChain // nil with ETH_RPC_URL
	PublicURL string

	closers []func()
}

// Close stops everything in reverse order of starting.
func (p *playground) Close() {
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

func startPlayground(ctx context.Context, cfg *Config, out io.Writer, log *slog.Logger) (_ *playground, err error) {
	p := &playground{}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	p.closers = append(p.closers, cancel)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}

	// The chain: embedded, or the configured node.
	assets, _ := parseAssets(cfg.Assets)
	confirmations, interval := cfg.Confirmations, cfg.PollInterval
	dbPath := cfg.dbPath("playground.db")
	if cfg.EthRPCURL == "" {
		dc, err := chain.StartDevChain(ctx, chain.DevOptions{Members: devMembers, Addr: cfg.DevRPCAddr, Logger: log})
		if err != nil {
			return nil, fmt.Errorf("embedded chain: %w", err)
		}
		p.closers = append(p.closers, dc.Close)
		p.DevChain, p.Chain = dc, dc.Client()
		if len(assets) == 0 {
			assets = []commands.Asset{{Symbol: "tUSD", Address: dc.TestUSD()}, {Symbol: "ETH"}}
		}
		confirmations, interval = 0, 100*time.Millisecond
		// The embedded chain starts empty each time: so does its database.
		if fresh, err := removeDB(dbPath); err != nil {
			return nil, err
		} else if fresh {
			fmt.Fprintf(out, "The embedded chain starts empty, so the playground starts a new database (%s).\n", dbPath)
		}
	} else {
		c, err := chain.Dial(ctx, cfg.EthRPCURL, common.HexToAddress(cfg.FactoryAddress))
		if err != nil {
			return nil, err
		}
		p.Chain = c
	}
	chainID := p.Chain.ChainID()
	if cfg.ChainID != 0 && chainID.Uint64() != cfg.ChainID {
		return nil, fmt.Errorf("CHAIN_ID is %d but the node at ETH_RPC_URL is on chain %s", cfg.ChainID, chainID)
	}

	db, err := store.Open(ctx, dbPath, time.Now)
	if err != nil {
		return nil, err
	}
	p.closers = append(p.closers, func() { db.Close() })
	p.DB = db

	// The signing pages.
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return nil, fmt.Errorf("LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	p.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if p.PublicURL == "" {
		p.PublicURL = "http://" + ln.Addr().String()
	}
	rpcURL := cfg.EthRPCURL
	if p.DevChain != nil {
		rpcURL = p.DevChain.URL()
	}
	wcfg := web.Config{PublicURL: p.PublicURL, ChainID: chainID.Uint64(), RPCURL: rpcURL, ExplorerURL: cfg.ExplorerURL, LinkTTL: cfg.LinkTTL}
	if err := wcfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	srv := web.New(wcfg, db, p.Chain.Eth(), time.Now, log)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("signing server", "err", err)
		}
	}()
	p.closers = append(p.closers, func() {
		sctx, c := context.WithTimeout(context.Background(), 2*time.Second)
		defer c()
		hs.Shutdown(sctx)
	})

	set := commands.New(commands.Services{Store: db, Chain: p.Chain, Links: links{srv, p.PublicURL}, Assets: assets, Log: log})

	var members []console.DevMember
	for _, name := range devMembers {
		members = append(members, console.DevMember{
			Member: commands.Member{ID: "dev-" + name, Name: name},
			Wallet: chain.Wallet{Key: chain.DevKey(name)},
		})
	}
	p.Console = console.New(set, members, p.Chain.Eth(), chainID, out)

	// The watcher applies events, prints their notices, and confirms requests.
	w := chain.NewWatcher(p.Chain, db, chain.WatcherOptions{
		Confirmations: confirmations, Interval: interval, Logger: log,
		OnEvents:  func(ctx context.Context, _ []store.Event) { sendNotices(ctx, db, set, p.Console.Notice, log) },
		OnRequest: func(ctx context.Context, r store.Request) { p.Console.RequestDone(r) },
	})
	sendNotices(ctx, db, set, p.Console.Notice, log) // what a previous run applied but did not announce
	wctx, stopWatcher := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
			log.Error("watcher", "err", err)
		}
	}()
	p.closers = append(p.closers, func() { stopWatcher(); <-done })

	var who []string
	for _, m := range members {
		who = append(who, fmt.Sprintf("@%s %s", m.Member.Name, m.Wallet.Address().Hex()))
	}
	fmt.Fprintf(out, "trustbot playground\n  chain RPC     %s (chain id %s)\n  signing pages %s\n  members       %s (dev keys, not linked yet)\nYou are @%s. Type /help for the commands, /as NAME to switch member, /approve to sign.\n",
		rpcURL, chainID, p.PublicURL, strings.Join(who, ", "), devMembers[0])
	return p, nil
}

// sendNotices announces applied events from the database's outbox and marks them sent: a notice
// is sent at least once across restarts, and never again for a transaction a reorg re-applied.
func sendNotices(ctx context.Context, db *store.DB, set *commands.Set, send func(commands.Notice), log *slog.Logger) {
	events, err := db.UnnotifiedEvents(ctx)
	if err != nil || len(events) == 0 {
		if err != nil {
			log.Error("notices", "err", err)
		}
		return
	}
	for _, n := range set.Notices(ctx, events) {
		send(n)
	}
	if err := db.MarkNotified(ctx, events); err != nil {
		log.Error("notices", "err", err)
	}
}

// removeDB deletes a database and its WAL files; it reports whether one existed.
func removeDB(path string) (bool, error) {
	existed := false
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Remove(path + suffix)
		if err == nil {
			existed = true
		} else if !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("reset playground database: %w", err)
		}
	}
	return existed, nil
}

// links makes signing and wallet links with the web server.
type links struct {
	srv    *web.Server
	public string
}

func (l links) SigningLink(ctx context.Context, in commands.SigningInput) (string, string, error) {
	calls := make([]store.Call, len(in.Calls))
	for i, c := range in.Calls {
		calls[i] = c.Store()
	}
	req, url, err := l.srv.NewSigningRequest(ctx, web.SigningInput{
		GuildID: in.GuildID, ChannelID: in.ChannelID, UserID: in.UserID, InteractionToken: in.InteractionToken,
		Signer: strings.ToLower(in.Signer.Hex()), Kind: in.Kind, Summary: in.Summary, Calls: calls,
	})
	return req.ID, url, err
}

func (l links) WalletLink(ctx context.Context, userID, userName string) (string, error) {
	return l.srv.NewWalletLink(ctx, userID, userName)
}

func (l links) URL(id string) string { return l.public + "/s/" + id }
