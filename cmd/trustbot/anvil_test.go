package main

import (
	"context"
	"log/slog"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
)

// anvilModes are the two ways anvil mines: a block every second, and a block per transaction
// (its default). On demand, no block comes after the last transaction, so CONFIRMATIONS=0 as
// the README says; on a timer one confirmation is waited for.
var anvilModes = []struct {
	name, confirmations string
	args                []string
}{
	{"interval", "1", []string{"--block-time", "1"}},
	{"on-demand", "0", nil},
}

// anvilPlayground starts anvil (with args) and the playground on it as an external node,
// through ETH_RPC_URL, FACTORY_ADDRESS and ASSETS, and returns the node, the playground and a
// function that runs one console line and returns what it printed.
func anvilPlayground(t *testing.T, confirmations string, args ...string) (*chaintest.Anvil, *playground, func(string) string) {
	t.Helper()
	node := chaintest.StartAnvil(t, devMembers, args...)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
		"ETH_RPC_URL": node.URL, "CHAIN_ID": "31337", "FACTORY_ADDRESS": node.Factory.Hex(),
		"ASSETS": "tUSD=" + node.TestUSD.Hex() + ",ETH=native", "POLL_INTERVAL": "50ms", "CONFIRMATIONS": confirmations})
	out := &syncBuffer{}
	p, err := startPlayground(ctx, cfg, out, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("start the playground on anvil %s: %v", strings.Join(node.Args, " "), err)
	}
	t.Cleanup(p.Close)
	if p.DevChain != nil {
		t.Fatal("the playground started its own chain despite ETH_RPC_URL")
	}
	p.Console.Wait = 30 * time.Second
	_, offset := out.Since(0)
	return node, p, func(line string) string {
		t.Helper()
		p.Console.Exec(ctx, line)
		var got string
		got, offset = out.Since(offset)
		return got
	}
}

// TestAnvilTripStory runs the README's trip with the bot on anvil, mining on a timer and on
// demand, and checks the end state on the chain.
func TestAnvilTripStory(t *testing.T) {
	for _, m := range anvilModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			node, p, run := anvilPlayground(t, m.confirmations, m.args...)
			tripStory(t, run)
			ctx := context.Background()
			res, err := p.Chain.ReserveOf(ctx, devAddress("alice"), node.TestUSD)
			if err != nil || !res.Exists {
				t.Fatalf("alice's reserve: %+v, %v; want it to exist", res, err)
			}
			if res.Reserve.Cmp(tokens(240)) != 0 || res.Outstanding.Cmp(tokens(100)) != 0 {
				t.Fatalf("alice's reserve at the end: got backing %s, outstanding %s; want %s and %s", res.Reserve, res.Outstanding, tokens(240), tokens(100))
			}
			bob, err := p.Chain.BalanceOf(ctx, node.TestUSD, devAddress("bob"))
			if want := new(big.Int).Add(tokens(10_000), tokens(60)); err != nil || bob.Cmp(want) != 0 {
				t.Fatalf("bob's tUSD: got %s (%v), want %s", bob, err, want)
			}
			t.Logf("trip story on anvil, mining %s (CONFIRMATIONS=%s): %v, %d blocks", m.name, m.confirmations,
				time.Since(start).Round(time.Millisecond), node.Head(t))
		})
	}
}

// TestAnvilLayersStory runs the three-layer story (as TestLayersStory does on the dev chain)
// with the bot on anvil, mining on a timer and on demand.
func TestAnvilLayersStory(t *testing.T) {
	for _, m := range anvilModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			node, p, run := anvilPlayground(t, m.confirmations, m.args...)
			layersStory(t, p, run, node.TestUSD)
			t.Logf("layers story on anvil, mining %s (CONFIRMATIONS=%s): %v, %d blocks", m.name, m.confirmations,
				time.Since(start).Round(time.Millisecond), node.Head(t))
		})
	}
}

// devAddress is a dev member's account (the same on every chain: its key is chain.DevKey).
func devAddress(name string) common.Address { return chain.Wallet{Key: chain.DevKey(name)}.Address() }
