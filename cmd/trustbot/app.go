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
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/render"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/web"
)

// devMembers are the dev chain's members; each has a deterministic, public dev key.
var devMembers = []string{"alice", "bob", "carol", "dave", "erin", "frank"}

// app is the bot without an adapter: chain, database, signing server, commands and watcher.
type app struct {
	Chain     *chain.Client
	DevChain  embeddedChain // nil with ETH_RPC_URL
	DB        *store.DB
	Web       *web.Server
	Set       *commands.Set
	Assets    []trustbot.Token // the backing assets members pick by symbol; the first is the default
	PublicURL string
	RPCURL    string
	// WalletRPC is the RPC URL the signing page offers wallets (wallet_addEthereumChain); empty
	// offers none.
	WalletRPC string
	// Mux serves the signing pages; adapters may add routes (the interactions endpoint) before Start.
	Mux *http.ServeMux
	// Leader holds the leader lease and runs the indexer and the outbox while it does; nil until
	// Start.
	Leader *leader

	cfg           *Config
	log           *slog.Logger
	ln            net.Listener
	confirmations uint64
	finality      string // the watcher's block tag; "" is latest − confirmations
	interval      time.Duration
	closers       []func()
}

// shownRPC is the chain's RPC URL as the start-up lines print it: never a provider's key.
func (a *app) shownRPC() string {
	if a.cfg.EthRPCURL.IsSet() {
		return a.cfg.EthRPCURL.Shown()
	}
	return a.RPCURL
}

// Close stops everything in reverse order of starting.
func (a *app) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
}

// localDevChains are the chain ids of local development nodes (geth --dev and the embedded
// chain: 1337; anvil and Hardhat: 31337), the only chains the public dev keys may sign on.
var localDevChains = map[uint64]bool{1337: true, 31337: true}

// newApp connects the chain (the embedded dev chain when ETH_RPC_URL is empty), opens the
// database and prepares the signing server; Start serves it and runs the watcher. With devKeys
// (the playground, which signs with the public dev keys) a chain at ETH_RPC_URL whose id is not
// a local dev chain's is refused. Each adapt adds what an adapter provides to the commands'
// services (Discord: the member lookup of splits).
func newApp(ctx context.Context, cfg *Config, dbName string, devKeys bool, out io.Writer, log *slog.Logger, adapt ...func(*commands.Services)) (_ *app, err error) {
	a := &app{cfg: cfg, log: log, Mux: http.NewServeMux()}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if !cfg.DatabaseURL.IsSet() {
		// DATA_DIR holds the SQLite file; on PostgreSQL nothing of the bot's own is written there.
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, dataDirProblem(cfg.DataDir, err)
		}
	}
	configured := cfg.Assets.Assets()
	a.confirmations, a.finality, a.interval = cfg.Confirmations, cfg.indexFinality(), cfg.PollInterval
	dbPath := cfg.dbPath(dbName)
	if !cfg.EthRPCURL.IsSet() {
		dc, err := startEmbedded(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		a.closers = append(a.closers, dc.Close)
		a.DevChain, a.Chain, a.RPCURL, a.WalletRPC = dc, dc.Client(), dc.URL(), dc.URL()
		if len(configured) == 0 {
			configured = []configAsset{{Symbol: "tUSD", Address: dc.TestUSD()}, {Symbol: "ETH"}}
		}
		a.confirmations, a.finality, a.interval = 0, "", 100*time.Millisecond
		// The embedded chain starts empty each time: so does its database.
		if cfg.DatabaseURL.IsSet() {
			return nil, &startupError{msg: "DATABASE_URL needs ETH_RPC_URL: the embedded chain starts empty on every run and so must its database, which a shared PostgreSQL database cannot do"}
		}
		if fresh, err := removeDB(dbPath); err != nil {
			return nil, cfg.dbProblem(dbPath, "cannot be reset for the new embedded chain", err)
		} else if fresh {
			fmt.Fprintf(out, "The embedded chain starts empty, so a new database starts too (%s).\n", dbPath)
		}
	} else {
		// Dial's error reads "URL: what the node did".
		factory := chain.FactoryAddress()
		if cfg.FactoryAddress.Set {
			factory = cfg.FactoryAddress.Address
		}
		c, err := chain.Dial(ctx, cfg.EthRPCURL.String(), factory)
		if err != nil {
			return nil, fmt.Errorf("ETH_RPC_URL %w", err)
		}
		a.closers = append(a.closers, c.Close)
		a.Chain, a.RPCURL = c, cfg.EthRPCURL.String()
		var withheld bool
		if a.WalletRPC, withheld = cfg.walletRPC(); withheld {
			log.Warn("ETH_RPC_URL looks like it carries an API key, so the signing page offers wallets no RPC URL to add the chain with; set PUBLIC_RPC_URL to a public endpoint",
				"eth_rpc_host", cfg.EthRPCURL.URL().Host)
		}
	}
	chainID := a.Chain.ChainID()
	if cfg.ChainID != 0 && chainID.Uint64() != cfg.ChainID {
		if a.DevChain != nil {
			return nil, fmt.Errorf("CHAIN_ID is %d but the embedded chain is chain %s (leave CHAIN_ID empty without ETH_RPC_URL)", cfg.ChainID, chainID)
		}
		return nil, fmt.Errorf("CHAIN_ID is %d but the node at ETH_RPC_URL is on chain %s", cfg.ChainID, chainID)
	}
	if devKeys && a.DevChain == nil && !localDevChains[chainID.Uint64()] {
		return nil, &startupError{msg: fmt.Sprintf("ETH_RPC_URL %s is on chain %s, not a local dev chain (1337 or 31337), and the playground signs with public dev keys, "+
			"so it runs only on one: point ETH_RPC_URL at a local node such as anvil, or set DISCORD_TOKEN to run the bot on this chain", cfg.EthRPCURL.Redacted(), chainID)}
	}
	if a.DevChain == nil {
		if err := a.Chain.CheckFactory(ctx); err != nil {
			if !cfg.FactoryAddress.Set && trustbot.ErrorCode(err) == trustbot.EInvalid {
				return nil, &startupError{msg: missingFactory(ctx, a.Chain), err: err}
			}
			if trustbot.ErrorCode(err) == trustbot.EInvalid {
				return nil, &startupError{msg: trustbot.ErrorMessage(err), err: err}
			}
			// An RPC failure: CheckFactory's error says what the node did.
			return nil, fmt.Errorf("ETH_RPC_URL %s: %w", cfg.EthRPCURL.Redacted(), err)
		}
		if err := cfg.checkPresetUSDC(ctx, a.Chain); err != nil {
			return nil, err
		}
	}

	db, err := store.Open(ctx, dbPath, time.Now)
	if err != nil {
		return nil, cfg.dbProblem(dbPath, "cannot be opened", err)
	}
	a.closers = append(a.closers, func() { db.Close() })
	a.DB = db

	if a.ln, err = net.Listen("tcp", cfg.ListenAddr); err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return nil, &startupError{msg: fmt.Sprintf("LISTEN_ADDR %s is in use by another program", cfg.ListenAddr), err: err}
		}
		return nil, &startupError{msg: fmt.Sprintf("LISTEN_ADDR %s cannot be listened on (%v)", cfg.ListenAddr, err), err: err}
	}
	ln := a.ln
	a.closers = append(a.closers, func() { ln.Close() })
	a.PublicURL = strings.TrimRight(cfg.PublicURL.String(), "/")
	if a.PublicURL == "" {
		a.PublicURL = "http://" + a.ln.Addr().String()
	}
	wcfg := web.Config{PublicURL: a.PublicURL, ChainID: chainID.Uint64(), RPCURL: a.WalletRPC, ExplorerURL: cfg.ExplorerURL.String(), LinkTTL: cfg.LinkTTL}
	if a.Assets, err = resolveAssets(ctx, a.Chain, configured); err != nil {
		return nil, err
	}
	if a.Web, err = web.New(wcfg, db, a.Chain.Eth(), time.Now, log); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	a.Mux.Handle("/", a.Web.Handler())
	pictures, err := render.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("the picture renderer (Graphviz, for /web) did not start: %w", err)
	}
	a.closers = append(a.closers, func() {
		if err := pictures.Close(); err != nil {
			log.Error("close the picture renderer", "err", err)
		}
	})
	services := commands.Services{Store: db, Chain: a.Chain, Links: links{a.Web, a.PublicURL}, Render: pictures, Assets: a.Assets, Log: log}
	for _, f := range adapt {
		f(&services)
	}
	a.Set = commands.New(services)
	// A link whose calls the chain would now refuse goes stale, in the commands' words.
	a.Web.SetChecker(checker{set: a.Set, db: db})
	return a, nil
}

// resolveAssets reads the decimals of each configured asset once: commands then name amounts
// without asking the chain. The symbol is the configured one, the one members type.
func resolveAssets(ctx context.Context, c *chain.Client, configured []configAsset) ([]trustbot.Token, error) {
	out := make([]trustbot.Token, len(configured))
	for i, ca := range configured {
		t, err := c.Token(ctx, ca.Address)
		if err != nil {
			return nil, fmt.Errorf("ASSETS %s=%s: %s", ca.Symbol, ca.Address.Hex(), trustbot.ErrorMessage(err))
		}
		t.Symbol = ca.Symbol
		out[i] = t
	}
	return out, nil
}

// startupError is a problem found at start: one sentence naming the setting, printed as is, and
// the error behind it.
type startupError struct {
	msg string
	err error
}

func (e *startupError) Error() string { return e.msg }
func (e *startupError) Unwrap() error { return e.err }

// dataDirProblem is the startup error for a DATA_DIR that cannot be made.
func dataDirProblem(dir string, err error) error {
	return &startupError{msg: fmt.Sprintf("DATA_DIR %s cannot be created (%v)", dir, err), err: err}
}

// Start serves HTTP and runs the leader: while this process holds the leader lease it runs the
// indexer and delivers the notice outbox to the adapter in a loop of its own.
func (a *app) Start(ctx context.Context, n trustbot.Notifier) {
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

	ttl := a.cfg.LeaseTTL
	if ttl <= 0 {
		ttl = 15 * time.Second
	}
	a.Leader = newLeader(a.DB, a.cfg.DatabaseURL.IsSet(), ttl, a.log, func() func() { return a.startLeaderWork(ctx, n) })
	lctx, stopLeader := context.WithCancel(context.WithoutCancel(ctx))
	led := make(chan struct{})
	go func() {
		defer close(led)
		a.Leader.Run(lctx)
	}()
	a.closers = append(a.closers, func() {
		stopLeader()
		<-led
	})
}

// startLeaderWork starts what only the lease's holder runs, the indexer (with request expiry)
// and the notice outbox, and returns the function that stops them: the indexer first, then the
// outbox, which finishes the pass it is in, marking what it delivered, within a bound.
func (a *app) startLeaderWork(ctx context.Context, n trustbot.Notifier) (stop func()) {
	outbox := index.NewOutbox(a.DB, a.compose, n, index.OutboxOptions{Interval: a.interval, Logger: a.log})
	ix := index.New(a.Chain, a.DB, index.Options{
		Confirmations: a.confirmations, Finality: a.finality, Interval: a.interval, Logger: a.log,
		OnRequest: n.RequestDone, OnApplied: outbox.Wake,
	})
	ictx, stopIndexer := context.WithCancel(ctx)
	octx, stopOutbox := context.WithCancel(ctx)
	indexed, delivered := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(indexed)
		if err := ix.Run(ictx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("indexer", "err", err)
		}
	}()
	go func() {
		defer close(delivered)
		if err := outbox.Run(octx); err != nil && !errors.Is(err, context.Canceled) {
			a.log.Error("notice outbox", "err", err)
		}
	}()
	return func() {
		stopIndexer()
		<-indexed
		outbox.Stop()
		select {
		case <-delivered:
		case <-time.After(3 * time.Second):
		}
		stopOutbox()
		<-delivered
	}
}

// compose writes an outbox notice's sentence from the store.
func (a *app) compose(ctx context.Context, p store.OutboxNotice) (trustbot.Notice, error) {
	return a.Set.Notice(ctx, p.Events, p.Request, p.Channel)
}

// removeDB deletes a database and its WAL files; it reports whether one existed. It refuses a
// directory, which os.Remove would delete when empty.
func removeDB(path string) (bool, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return false, fmt.Errorf("%s is a directory", path)
	}
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

func (l links) SigningLink(ctx context.Context, in trustbot.SigningRequest) (string, string, error) {
	req, url, err := l.srv.NewSigningRequest(ctx, in)
	return req.ID, url, err
}

func (l links) WalletLink(ctx context.Context, userID, userName string) (string, error) {
	return l.srv.NewWalletLink(ctx, userID, userName)
}

func (l links) URL(id string) string { return l.public + "/s/" + id }

// checker runs a signing request's calls again with the commands' pre-flight, for the web
// server. Their sentences name members by chat mention, which a page cannot show: each becomes
// the name the member signed in with, or "a member".
type checker struct {
	set *commands.Set
	db  *store.DB
}

var mention = regexp.MustCompile(`<@!?([^>]+)>`)

func (c checker) Recheck(ctx context.Context, r trustbot.SigningRequest) error {
	err := c.set.Recheck(ctx, r)
	var te *trustbot.Error
	if !errors.As(err, &te) || !mention.MatchString(te.Message) {
		return err
	}
	var failed error
	msg := mention.ReplaceAllStringFunc(te.Message, func(m string) string {
		id := mention.FindStringSubmatch(m)[1]
		name, err := c.db.UserName(ctx, id)
		if err != nil {
			failed = err
		}
		if name == "" {
			return "a member"
		}
		return "@" + name
	})
	if failed != nil {
		return failed
	}
	return &trustbot.Error{Code: te.Code, Message: msg}
}

// missingFactory says why the factory is not at its own address on the node's chain: not
// deployed there yet, or the chain lacks the deterministic deployer that gives it that address.
func missingFactory(ctx context.Context, c *chain.Client) string {
	at := fmt.Sprintf("There is no TrustReserveFactory of this build at %s, the address it has on every chain, on chain %s", chain.FactoryAddress().Hex(), c.ChainID())
	if code, err := c.Eth().CodeAt(ctx, chain.Deployer, nil); err == nil && len(code) == 0 {
		return at + fmt.Sprintf(", and the chain has no deterministic deployer at %s to put it there: deploy the factory another way and set FACTORY_ADDRESS", chain.Deployer.Hex())
	}
	return at + " yet: deploy it once from your own wallet with trustbot deploy --from YOUR_ADDRESS (one transaction to the deterministic deployer), or set FACTORY_ADDRESS to a factory of this build"
}
