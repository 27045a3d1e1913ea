package chaintest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/bindings"
)

// AnvilChainID is anvil's default chain id.
const AnvilChainID = 31337

// Anvil is an anvil node (Foundry's) run as a child process on a free loopback port, with the
// factory and tUSD deployed and the dev members funded as on the dev chain (1000 ETH, 10,000
// tUSD), by the dev deployer's key.
type Anvil struct {
	// URL is the node's JSON-RPC endpoint.
	URL string
	// Factory and TestUSD are the deployed contracts.
	Factory, TestUSD common.Address
	// Client is a chain Client over URL.
	Client *chain.Client
	// Args are the command-line arguments anvil was started with.
	Args []string

	rc *rpc.Client
}

// AnvilBinary is the anvil executable: the native binary scripts/setup.sh installs under
// contracts/node_modules (run directly, not through npm's node wrapper, so that killing it
// stops the node), or anvil on PATH; "" when there is neither.
func AnvilBinary() string {
	osName, arch := runtime.GOOS, runtime.GOARCH
	if osName == "windows" {
		osName = "win32"
	}
	name := "anvil"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if dir, err := os.Getwd(); err == nil {
		for ; ; dir = filepath.Dir(dir) {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				p := filepath.Join(dir, "contracts", "node_modules", "@foundry-rs", "anvil-"+osName+"-"+arch, "bin", name)
				if _, err := os.Stat(p); err == nil {
					return p
				}
				break
			}
			if filepath.Dir(dir) == dir {
				break
			}
		}
	}
	if p, err := exec.LookPath("anvil"); err == nil {
		return p
	}
	return ""
}

// StartAnvil starts anvil with chain id 31337 and args (e.g. "--block-time", "1"), deploys the
// factory and tUSD and funds members; the node is killed when the test ends. The test is
// skipped when there is no anvil binary (scripts/setup.sh installs one).
func StartAnvil(t testing.TB, members []string, args ...string) *Anvil {
	t.Helper()
	bin := AnvilBinary()
	if bin == "" {
		t.Skip("anvil is not installed: run scripts/setup.sh (it installs @foundry-rs/anvil under contracts/node_modules)")
	}
	args = append([]string{"--host", "127.0.0.1", "--port", "0", "--chain-id", fmt.Sprint(AnvilChainID)}, args...)
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("start anvil: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening on "); ok {
				addr <- strings.TrimSpace(a)
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	a := &Anvil{Args: args}
	select {
	case host := <-addr:
		a.URL = "http://" + host
	case <-time.After(10 * time.Second):
		t.Fatalf("anvil %s did not say where it listens within 10 s", strings.Join(args, " "))
	}
	ctx := context.Background()
	if a.rc, err = rpc.DialContext(ctx, a.URL); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.rc.Close)
	if err := a.deploy(ctx, members); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Client.Close)
	return a
}

// deploy funds the deployer and members with anvil_setBalance, deploys the factory and tUSD,
// mints each member's tUSD, and mines them all in one block with evm_mine (so set-up costs one
// block in every mining mode).
func (a *Anvil) deploy(ctx context.Context, members []string) error {
	c, err := chain.Dial(ctx, a.URL, common.Address{})
	if err != nil {
		return err
	}
	defer c.Close()
	deployer := chain.Wallet{Key: chain.DevKey("deployer")}
	ether := hexutil.EncodeBig(new(big.Int).Mul(big.NewInt(1000), big.NewInt(1e18)))
	for _, who := range append([]string{"deployer"}, members...) {
		if err := a.RPC(ctx, nil, "anvil_setBalance", chain.Wallet{Key: chain.DevKey(who)}.Address(), ether); err != nil {
			return fmt.Errorf("anvil: fund %s: %w", who, err)
		}
	}
	opts := bind.NewKeyedTransactor(deployer.Key, big.NewInt(AnvilChainID))
	opts.Context = ctx
	var sent []common.Hash
	factory, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TrustReserveFactoryMetaData.Bin), c.Eth(), nil)
	if err != nil {
		return fmt.Errorf("anvil: deploy factory: %w", err)
	}
	sent = append(sent, tx.Hash())
	usd, tx, err := bind.DeployContract(opts, common.FromHex(bindings.TestUSDMetaData.Bin), c.Eth(), nil)
	if err != nil {
		return fmt.Errorf("anvil: deploy tUSD: %w", err)
	}
	sent = append(sent, tx.Hash())
	tusd := bindings.NewTestUSD()
	units := new(big.Int).Mul(big.NewInt(10_000), big.NewInt(1e6))
	for _, who := range members {
		// A fixed gas limit: tUSD may not be mined yet, so its mint cannot be estimated.
		h, err := deployer.SendGas(ctx, c.Eth(), big.NewInt(AnvilChainID),
			trustbot.Call{To: usd, Data: tusd.PackMint(chain.Wallet{Key: chain.DevKey(who)}.Address(), units)}, 100_000)
		if err != nil {
			return fmt.Errorf("anvil: mint tUSD for %s: %w", who, err)
		}
		sent = append(sent, h)
	}
	if err := a.RPC(ctx, nil, "evm_mine"); err != nil {
		return fmt.Errorf("anvil: evm_mine: %w", err)
	}
	for _, h := range sent {
		r, err := c.Eth().TransactionReceipt(ctx, h)
		if err != nil {
			return fmt.Errorf("anvil: set-up transaction %s: %w", h.Hex(), err)
		}
		if r.Status != types.ReceiptStatusSuccessful {
			return fmt.Errorf("anvil: set-up transaction %s failed", h.Hex())
		}
	}
	a.Factory, a.TestUSD = factory, usd
	if a.Client, err = chain.Dial(ctx, a.URL, factory); err != nil {
		return err
	}
	return nil
}

// RPC calls one of anvil's JSON-RPC methods (anvil_reorg, evm_mine, …); result may be nil.
func (a *Anvil) RPC(ctx context.Context, result any, method string, params ...any) error {
	if result == nil {
		var ignore any
		result = &ignore
	}
	return a.rc.CallContext(ctx, result, method, params...)
}

// ChainID is 31337.
func (a *Anvil) ChainID() *big.Int { return big.NewInt(AnvilChainID) }

// Head is the node's block number.
func (a *Anvil) Head(t testing.TB) uint64 {
	t.Helper()
	n, err := a.Client.Eth().BlockNumber(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}
