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

// layersStory is the three-layer story of TestLayersStory on any chain whose tUSD is usd:
// Alice's tUSD reserve backs Bob, Bob's reserve of Alice-tokens backs Carol, Carol's reserve of
// Bob-tokens backs Dave; Dave's deep redeem pays tUSD through all three; Alice's revoke names
// who downstream loses credit, and Dave's pre-flight then names Bob's reserve as the short layer.
func layersStory(t *testing.T, p *playground, run func(string) string, usd common.Address) {
	t.Helper()
	ctx := context.Background()
	balance := func(name string) *big.Int {
		b, err := p.Chain.BalanceOf(ctx, usd, devAddress(name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	want := func(what string, got, want *big.Int) {
		t.Helper()
		if got.Cmp(want) != 0 {
			t.Fatalf("%s: got %s, want %s", what, got, want)
		}
	}
	for _, m := range []string{"alice", "bob", "carol", "dave"} {
		run("/as " + m)
		run("/wallet link")
		mustContain(t, "/approve (link "+m+")", run("/approve"), "Linked "+devAddress(m).Hex()+" to @"+m)
	}

	run("/as alice")
	run("/reserve create")
	mustContain(t, "/approve (alice create)", run("/approve"), "created a tUSD reserve")
	run("/reserve deposit 300")
	mustContain(t, "/approve (alice deposit)", run("/approve"), "deposited 300 tUSD")
	run("/trust @bob 100")
	mustContain(t, "/approve (trust bob)", run("/approve"), "@alice extended @bob a budget of 100 tUSD")
	resA, err := p.Chain.ReserveOf(ctx, devAddress("alice"), usd)
	if err != nil || !resA.Exists {
		t.Fatalf("alice's reserve: %+v, %v", resA, err)
	}

	run("/as bob")
	mustContain(t, "/reserve create backed-by:@alice", run("/reserve create backed-by:@alice"), "backed by alice's trust token")
	mustContain(t, "/approve (bob create)", run("/approve"), "@bob created an "+resA.Symbol+" reserve")
	resB, err := p.Chain.ReserveOf(ctx, devAddress("bob"), resA.Address)
	if err != nil || !resB.Exists || !resB.Layered {
		t.Fatalf("bob's layered reserve: %+v, %v", resB, err)
	}
	run("/reserve deposit 100")
	mustContain(t, "/approve (bob deposit)", run("/approve"), "@bob deposited 100 "+resA.Symbol)
	run("/trust @carol 50")
	mustContain(t, "/approve (trust carol)", run("/approve"), "@bob extended @carol a budget of 50 "+resA.Symbol)

	run("/as carol")
	mustContain(t, "/reserve create backed-by:@bob", run("/reserve create backed-by:@bob"), "backed by bob's trust token")
	mustContain(t, "/approve (carol create)", run("/approve"), "@carol created a "+resB.Symbol+" reserve")
	resC, err := p.Chain.ReserveOf(ctx, devAddress("carol"), resB.Address)
	if err != nil || !resC.Exists || !resC.Layered {
		t.Fatalf("carol's layered reserve: %+v, %v", resC, err)
	}
	run("/reserve deposit 40")
	mustContain(t, "/approve (carol deposit)", run("/approve"), "@carol deposited 40 "+resB.Symbol)
	run("/trust @dave 20")
	mustContain(t, "/approve (trust dave)", run("/approve"), "@carol extended @dave a budget of 20 "+resB.Symbol)

	run("/as dave")
	daveUSD := balance("dave")
	mustContain(t, "/redeem 10", run("/redeem 10"), "Sign to redeem 10 "+resC.Symbol+" for 10 tUSD", "unwinds every layer")
	mustContain(t, "/approve (dave redeem)", run("/approve"), "Confirmed", "@dave redeemed 10 tUSD from @carol's reserve, paid through @bob's and @alice's reserves.")
	want("dave's tUSD after the deep redeem", balance("dave"), new(big.Int).Add(daveUSD, tokens(10)))
	bal, _, _ := p.Chain.Account(ctx, resC.Address, devAddress("dave"))
	want("dave's Carol-tokens after the deep redeem", bal, tokens(10))
	bal, _, _ = p.Chain.Account(ctx, resA.Address, resB.Address)
	want("Alice-tokens backing bob's reserve", bal, tokens(90))

	run("/as alice")
	got := run("/revoke @bob 82")
	mustContain(t, "/revoke @bob 82", got, "their budget goes 100 → 18", "82 of the 90 "+resA.Symbol+" backing their reserve are burned (90 → 8)",
		"@carol: 10 → 8 tUSD through @bob", "@dave: 10 → 8 tUSD through @carol and @bob")
	mustContain(t, "/approve (revoke bob)", run("/approve"), "Confirmed: Revoke 82 tUSD of @bob's trust.",
		"@alice revoked 82 "+resA.Symbol+" backing @bob's reserve (its backing is now 8)")
	bal, _, _ = p.Chain.Account(ctx, resA.Address, resB.Address)
	want("Alice-tokens backing bob's reserve after the revoke", bal, tokens(8))

	run("/as dave")
	got = run("/redeem 10")
	mustContain(t, "/redeem 10 (short middle layer)", got, "@bob's reserve holds 8 "+resA.Symbol+"; you can redeem at most 8 through it now.")
	if strings.Contains(got, "/s/") {
		t.Fatalf("/redeem 10 through a short layer made a signing link: %s", got)
	}
}
