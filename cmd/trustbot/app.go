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
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

// devMembers are the dev chain's members; each has a deterministic, public dev key.
var devMembers = []string{"alice", "bob", "carol", "dave"}

// Notifier is what an adapter (console, Discord) does with the results the watcher applies.
type Notifier interface {
	Notice(ctx context.Context, n commands.Notice)
	RequestDone(ctx context.Context, r store.Request)
}

// app is the bot without an adapter: chain, database, signing server, commands and watcher.
type app struct {
	Chain     *chain.Client
	DevChain  embeddedChain // nil with ETH_RPC_URL
	DB        *store.DB
	Web       *web.Server
	Set       *commands.Set
	Assets    []commands.Asset // the backing assets members pick by symbol; the first is the default
	PublicURL string
	RPCURL    string
	// Mux serves the signing pages; adapters may add routes (the interactions endpoint) before Start.
	Mux *http.ServeMux

	cfg           *Config
	log           *slog.Logger
	ln            net.Listener
	confirmations uint64
	interval      time.Duration
	closers       []func()
}

// Close stops everything in reverse order of starting.
func (a *app) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// newApp connects the chain (the embedded dev chain when ETH_RPC_URL is empty), opens the
// database and prepares the signing server; Start serves it and runs the watcher.
func newApp(ctx context.Context, cfg *Config, dbName string, out io.Writer, log *slog.Logger) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, Mux: http.NewServeMux()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir: %w", err)
	}
	assets, _ := parseAssets(cfg.Assets)
	a.confirmations, a.interval = cfg.Confirmations, cfg.PollInterval
	dbPath := cfg.dbPath(dbName)
	if cfg.EthRPCURL == "" {
		dc, err := startEmbedded(ctx, cfg, log)
		if err != nil {
			return nil, fmt.Errorf("embedded chain: %w", err)
		}
		a.closers = append(a.closers, dc.Close)
		a.DevChain, a.Chain, a.RPCURL = dc, dc.Client(), dc.URL()
		if len(assets) == 0 {
			assets = []commands.Asset{{Symbol: "tUSD", Address: dc.TestUSD()}, {Symbol: "ETH"}}
		}
		a.confirmations, a.interval = 0, 100*time.Millisecond
		// The embedded chain starts empty each time: so does its database.
		if fresh, err := removeDB(dbPath); err != nil {
			return nil, err
		} else if fresh {
			fmt.Fprintf(out, "The embedded chain starts empty, so a new database starts too (%s).\n", dbPath)
		}
	} else {
		c, err := chain.Dial(ctx, cfg.EthRPCURL, common.HexToAddress(cfg.FactoryAddress))
		if err != nil {
			return nil, err
		}
		a.Chain, a.RPCURL = c, cfg.EthRPCURL
	}
	chainID := a.Chain.ChainID()
	if cfg.ChainID != 0 && chainID.Uint64() != cfg.ChainID {
		return nil, fmt.Errorf("CHAIN_ID is %d but the node at ETH_RPC_URL is on chain %s", cfg.ChainID, chainID)
	}

	db, err := store.Open(ctx, dbPath, time.Now)
	if err != nil {
		return nil, err
	}
	a.closers = append(a.closers, func() { db.Close() })
	a.DB = db

	if a.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
		return nil, fmt.Errorf("LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	ln := a.ln
	a.closers = append(a.closers, func() { ln.Close() })
	a.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	if a.PublicURL == "" {
		a.PublicURL = "http://" + a.ln.Addr().String()
	}
	wcfg := web.Config{PublicURL: a.PublicURL, ChainID: chainID.Uint64(), RPCURL: a.RPCURL, ExplorerURL: cfg.ExplorerURL, LinkTTL: cfg.LinkTTL}
	if err := wcfg.Validate(); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	a.Web = web.New(wcfg, db, a.Chain.Eth(), time.Now, log)
	a.Mux.Handle("/", a.Web.Handler())
	a.Assets = assets
	a.Set = commands.New(commands.Services{Store: db, Chain: a.Chain, Links: links{a.Web, a.PublicURL}, Assets: assets, Log: log})
	return a, nil
}

// Start serves HTTP and runs the watcher, sending what it applies to the adapter.
func (a *app) Start(ctx context.Context, n Notifier) {
	hs := &http.Server{Handler: a.Mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(a.ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("http server", "err", err)
		}
	}()
	a.closers = append(a.closers, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	})

	w := chain.NewWatcher(a.Chain, a.DB, chain.WatcherOptions{
		Confirmations: a.confirmations, Interval: a.interval, Logger: a.log,
		OnEvents:  func(ctx context.Context, _ []store.Event) { a.sendNotices(ctx, n) },
		OnRequest: n.RequestDone,
	})
	a.sendNotices(ctx, n) // what a previous run applied but did not announce
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(wctx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("watcher", "err", err)
		}
	}()
	a.closers = append(a.closers, func() { stop(); <-done })
}

// sendNotices announces applied events from the database's outbox and marks them sent: a notice
// is sent at least once across restarts, and never again for a transaction a reorg re-applied.
func (a *app) sendNotices(ctx context.Context, n Notifier) {
	events, err := a.DB.UnnotifiedEvents(ctx)
	if err != nil || len(events) == 0 {
		if err != nil {
			a.log.Error("notices", "err", err)
		}
		return
	}
	for _, notice := range a.Set.Notices(ctx, events) {
		n.Notice(ctx, notice)
	}
	if err := a.DB.MarkNotified(ctx, events); err != nil {
		a.log.Error("notices", "err", err)
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
			return false, fmt.Errorf("reset database: %w", err)
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
