package main

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestLayersStory is the three-layer story of the web of trust through the console: Alice's
// tUSD reserve backs Bob, Bob's reserve of Alice-tokens backs Carol, Carol's reserve of
// Bob-tokens backs Dave. Dave's /redeem unwinds all three layers and pays tUSD in one
// transaction; once Alice revokes most of Bob's backing, the revoke preview and notice name
// who downstream is affected, and Dave's pre-flight names Bob's reserve as the short layer.
func TestLayersStory(t *testing.T) {
	p, run := testPlayground(t)
	layersStory(t, p, run, p.DevChain.TestUSD())
}

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
