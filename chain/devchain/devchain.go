// Package devchain is the embedded development chain of the playground: a go-ethereum
// simulated backend serving JSON-RPC, with the contracts deployed and funded dev members. It is
// a package of its own so that a build without it (-tags nodevchain) carries none of the node.
package devchain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/big"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
)

// ChainID is the embedded dev chain's chain id (the simulated backend's).
const ChainID = 1337

// DeployerName is the dev-key name of the account that deploys the contracts on the dev chain.
const DeployerName = "deployer"

// sealInterval is how often the dev chain looks for pending transactions to seal.
const sealInterval = 20 * time.Millisecond

// devEther is 1000 ETH, each dev account's; devUSD is 10,000 tUSD, each member's. New values each
// call: genesis entries must not share one.
func devEther() *big.Int { return new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18)) }
func devUSD() *big.Int   { return new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e6)) }

// Options configures Start.
type Options struct {
	Members []string // dev members; each gets a DevKey with 1000 ETH and 10,000 tUSD
	Addr    string   // JSON-RPC listen address; "" means 127.0.0.1:0 (a free port)
	Logger  *slog.Logger
	// Manual turns off sealing on demand: blocks are made only by Commit (tests that need
	// control over blocks, for instance to fork the chain).
	Manual bool
	// WithoutFactory leaves the factory out (the deterministic deployer is there): a chain where
	// it is still to be deployed.
	WithoutFactory bool
}

// Chain is the embedded development chain: a go-ethereum simulated backend (chain id 1337)
// serving JSON-RPC over HTTP, with the factory and tUSD deployed and funded dev members. Unless
// Manual, it seals a block as soon as a transaction is pending.
type Chain struct {
	sim      *simulated.Backend
	url      string
	client   *chain.Client
	factory  common.Address
	testUSD  common.Address
	members  map[string]chain.Wallet
	deployer chain.Wallet
	log      *slog.Logger

	mu        sync.Mutex // serialises Commit
	stop      chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Start starts the dev chain, deploys TrustReserveFactory and TestUSD, and mints tUSD to
// every member. ctx bounds the start only; Close stops the chain.
func Start(ctx context.Context, o Options) (_ *Chain, err error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	host, portText, err := net.SplitHostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("devchain: address %q: %w", o.Addr, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("devchain: address %q: bad port", o.Addr)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if port != 0 {
		// A busy port makes the node panic half-started; find out first.
		ln, err := net.Listen("tcp", net.JoinHostPort(host, portText))
		if err != nil {
			return nil, fmt.Errorf("devchain: on %s: %w", o.Addr, err)
		}
		ln.Close()
	}

	dc := &Chain{
		members:  make(map[string]chain.Wallet),
		deployer: chain.Wallet{Key: chain.DevKey(DeployerName)},
		log:      o.Logger,
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	// The deterministic deployer is in the genesis state, as real chains have it, so the factory
	// goes to the address it has everywhere.
	alloc := types.GenesisAlloc{dc.deployer.Address(): {Balance: devEther()}, chain.Deployer: {Code: chain.DeployerCode, Balance: new(big.Int)}}
	for _, name := range o.Members {
		w := chain.Wallet{Key: chain.DevKey(name)}
		dc.members[name] = w
		alloc[w.Address()] = types.Account{Balance: devEther()}
	}

	endpoint := newEndpointCatcher(o.Logger.Handler())
	dc.sim, err = newBackend(alloc, func(nc *node.Config, ec *ethconfig.Config) {
		nc.HTTPHost = host
		nc.HTTPPort = port
		nc.HTTPModules = []string{"eth", "net", "web3"}
		nc.HTTPCors = []string{"*"}
		nc.HTTPVirtualHosts = []string{"*"}
		nc.Logger = log.NewLogger(endpoint)
	})
	if err != nil {
		return nil, fmt.Errorf("devchain: on %s: %w", o.Addr, err)
	}
	defer func() {
		if err != nil {
			dc.sim.Close()
		}
	}()
	addr := endpoint.get()
	if addr == "" {
		return nil, errors.New("devchain: the node did not report its HTTP endpoint")
	}
	dc.url = "http://" + addr

	if err := dc.deploy(ctx, !o.WithoutFactory); err != nil {
		return nil, err
	}
	if dc.client, err = chain.Dial(ctx, dc.url, dc.factory); err != nil {
		return nil, err
	}
	if o.Manual {
		close(dc.done)
	} else {
		// The filter exists before Start returns, so no transaction sent after can be
		// missed.
		var filter string
		if err := dc.client.Eth().Client().CallContext(ctx, &filter, "eth_newPendingTransactionFilter"); err != nil {
			dc.client.Close()
			return nil, fmt.Errorf("devchain: pending transaction filter: %w", err)
		}
		go dc.autoseal(filter)
	}
	o.Logger.Info("dev chain started", "url", dc.url, "chain_id", ChainID,
		"factory", dc.factory.Hex(), "tusd", dc.testUSD.Hex(), "members", len(o.Members))
	return dc, nil
}

// newBackend is simulated.NewBackend, which panics when its node cannot start (a port in use).
func newBackend(alloc types.GenesisAlloc, opt func(*node.Config, *ethconfig.Config)) (sim *simulated.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return simulated.NewBackend(alloc, opt), nil
}

// deploy deploys the factory (through the deterministic deployer) and tUSD and mints every member's tUSD, one transaction and one
// block at a time.
func (dc *Chain) deploy(ctx context.Context, withFactory bool) error {
	ec := dc.sim.Client()
	opts := bind.NewKeyedTransactor(dc.deployer.Key, big.NewInt(ChainID))
	opts.Context = ctx
	if err := dc.deployFactory(ctx, withFactory); err != nil {
		return err
	}
	usd, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TestUSDMetaData.Bin), ec, nil)
	if err != nil {
		return fmt.Errorf("devchain: deploy tUSD: %w", err)
	}
	if err := dc.seal(ctx, tx); err != nil {
		return err
	}
	dc.testUSD = usd
	tusd := bindings.NewTestUSD()
	token := tusd.Instance(ec, usd)
	for _, name := range slices.Sorted(maps.Keys(dc.members)) {
		tx, err := bind.Transact(token, opts, tusd.PackMint(dc.members[name].Address(), devUSD()))
		if err != nil {
			return fmt.Errorf("devchain: mint tUSD for %s: %w", name, err)
		}
		if err := dc.seal(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

// deployFactory sends the factory's deployment to the deterministic deployer from the
// deployer account, unless the chain is to start without it; either way the factory's address is
// the one it has on every chain.
func (dc *Chain) deployFactory(ctx context.Context, deploy bool) error {
	dc.factory = chain.FactoryAddress()
	if !deploy {
		return nil
	}
	ec := dc.sim.Client()
	opts := bind.NewKeyedTransactor(dc.deployer.Key, big.NewInt(ChainID))
	opts.Context = ctx
	call := chain.DeployFactory()
	tx, err := bind.Transact(bind.NewBoundContract(call.To, abi.ABI{}, ec, ec, ec), opts, call.Data)
	if err != nil {
		return fmt.Errorf("devchain: deploy factory through %s: %w", chain.Deployer.Hex(), err)
	}
	if err := dc.seal(ctx, tx); err != nil {
		return err
	}
	if code, err := ec.CodeAt(ctx, dc.factory, nil); err != nil || len(code) == 0 {
		return fmt.Errorf("devchain: no factory at %s after its deployment (%v)", dc.factory.Hex(), err)
	}
	return nil
}

// seal commits blocks until tx is in one (a block can be built before the pool has promoted a
// transaction sent just before) and checks that it succeeded.
func (dc *Chain) seal(ctx context.Context, tx *types.Transaction) error {
	ec := dc.sim.Client()
	for range 20 {
		dc.Commit()
		r, err := ec.TransactionReceipt(ctx, tx.Hash())
		if errors.Is(err, ethereum.NotFound) {
			continue
		} else if err != nil {
			return fmt.Errorf("devchain: receipt of %s: %w", tx.Hash().Hex(), err)
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return fmt.Errorf("devchain: set-up transaction %s failed", tx.Hash().Hex())
		}
		return nil
	}
	return fmt.Errorf("devchain: set-up transaction %s was not included", tx.Hash().Hex())
}

// autoseal seals a block whenever a transaction becomes pending, until Close. It learns of
// new transactions through a pending-transaction filter polled over the chain's own JSON-RPC.
func (dc *Chain) autoseal(filter string) {
	defer close(dc.done)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-dc.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	rc, ec := dc.client.Eth().Client(), dc.sim.Client()
	defer func() {
		if filter != "" {
			uctx, ucancel := context.WithTimeout(context.Background(), time.Second)
			defer ucancel()
			rc.CallContext(uctx, nil, "eth_uninstallFilter", filter)
		}
	}()
	// unsealed counts the seals each seen transaction has missed; one that keeps missing (a fee
	// below the base fee, say) is given up after a few, so empty blocks do not pile up.
	unsealed := make(map[common.Hash]int)
	t := time.NewTicker(sealInterval)
	defer t.Stop()
	for {
		select {
		case <-dc.stop:
			return
		case <-t.C:
		}
		if filter == "" {
			if err := rc.CallContext(ctx, &filter, "eth_newPendingTransactionFilter"); err != nil {
				if ctx.Err() == nil {
					dc.log.Warn("dev chain: pending transaction filter", "err", err)
				}
				continue
			}
			// Transactions sent while there was no filter are sealed now.
			dc.Commit()
		}
		var hashes []common.Hash
		if err := rc.CallContext(ctx, &hashes, "eth_getFilterChanges", filter); err != nil {
			if ctx.Err() == nil {
				dc.log.Warn("dev chain: pending transactions", "err", err)
				filter = "" // expired or lost: make a new one
			}
			continue
		}
		for _, h := range hashes {
			unsealed[h] = 0
		}
		if len(unsealed) == 0 {
			continue
		}
		dc.Commit()
		for h := range unsealed {
			if _, err := ec.TransactionReceipt(ctx, h); err == nil {
				delete(unsealed, h)
			} else if unsealed[h]++; unsealed[h] >= 5 {
				dc.log.Warn("dev chain: a pending transaction is not being included", "tx", h.Hex())
				delete(unsealed, h)
			}
		}
	}
}

// Commit seals a block with the pending transactions and returns its hash.
func (dc *Chain) Commit() common.Hash {
	dc.mu.Lock()
	defer dc.mu.Unlock()
	return dc.sim.Commit()
}

// URL is the JSON-RPC endpoint, e.g. http://127.0.0.1:8545.
func (dc *Chain) URL() string { return dc.url }

// ChainID is 1337.
func (dc *Chain) ChainID() *big.Int { return big.NewInt(ChainID) }

// Factory is the deployed TrustReserveFactory.
func (dc *Chain) Factory() common.Address { return dc.factory }

// TestUSD is the deployed tUSD token (6 decimals, open mint).
func (dc *Chain) TestUSD() common.Address { return dc.testUSD }

// Member is the funded wallet of a dev member.
func (dc *Chain) Member(name string) (chain.Wallet, bool) {
	w, ok := dc.members[name]
	return w, ok
}

// Deployer is the wallet that deployed the contracts; it holds 1000 ETH and no tUSD.
func (dc *Chain) Deployer() chain.Wallet { return dc.deployer }

// Backend is the simulated backend itself, for tests (Fork, Commit on a Manual chain).
func (dc *Chain) Backend() *simulated.Backend { return dc.sim }

// Client is a chain Client over the HTTP endpoint: the same path as an external node.
func (dc *Chain) Client() *chain.Client { return dc.client }

// Close stops sealing, closes the client and shuts the chain down. It is safe to call twice.
func (dc *Chain) Close() {
	dc.closeOnce.Do(func() {
		close(dc.stop)
		<-dc.done
		if dc.client != nil {
			dc.client.Close()
		}
		// go-ethereum's RPC server waits up to 5 s, on its own clock, for a connection on
		// which a client had begun a request it then abandoned (a command or the indexer
		// cancelled mid-write at shutdown). Nothing is lost by not waiting: the chain is in
		// memory and goes with the process. So Close waits a moment, then lets the node finish
		// stopping on its own.
		closed := make(chan struct{})
		go func() {
			defer close(closed)
			if err := dc.sim.Close(); err != nil {
				dc.log.Warn("dev chain: close", "err", err)
			}
		}()
		select {
		case <-closed:
		case <-time.After(closeWait):
			dc.log.Debug("dev chain: the node is still closing its RPC server; not waiting for it")
		}
	})
}

// closeWait bounds how long Close waits for the node to stop.
const closeWait = 300 * time.Millisecond

// endpointCatcher is the dev node's log handler: it remembers the HTTP endpoint the node
// reports when its server starts (the only way to learn a port chosen by the system) and
// passes warnings and errors on to the bot's logger.
type endpointCatcher struct {
	next slog.Handler
	box  *endpointBox
}

type endpointBox struct {
	mu   sync.Mutex
	addr string
}

func newEndpointCatcher(next slog.Handler) *endpointCatcher {
	return &endpointCatcher{next: next.WithAttrs([]slog.Attr{slog.String("component", "devchain")}), box: new(endpointBox)}
}

func (h *endpointCatcher) get() string {
	h.box.mu.Lock()
	defer h.box.mu.Unlock()
	return h.box.addr
}

func (h *endpointCatcher) Enabled(context.Context, slog.Level) bool { return true }

func (h *endpointCatcher) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "HTTP server started" {
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "endpoint" {
				h.box.mu.Lock()
				h.box.addr = a.Value.String()
				h.box.mu.Unlock()
				return false
			}
			return true
		})
	}
	if r.Level < slog.LevelWarn || !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h *endpointCatcher) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &endpointCatcher{next: h.next.WithAttrs(attrs), box: h.box}
}

func (h *endpointCatcher) WithGroup(name string) slog.Handler {
	return &endpointCatcher{next: h.next.WithGroup(name), box: h.box}
}
