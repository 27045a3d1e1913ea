package chain_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/chain/devchain"
)

// TestSimulateWithoutStateOverrides: on a node that lacks eth_simulateV1 and refuses eth_call
// with state overrides, a deposit after its approve passes when it fails only because the
// token pull failed and the signer holds the amount approved; every other revert is answered as
// with eth_simulateV1.
func TestSimulateWithoutStateOverrides(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice, bob, usd, info := simulateStory(t, dc)
	held, err := dc.Client().BalanceOf(ctx, usd.Address, alice.Address())
	if err != nil {
		t.Fatal(err)
	}
	refuser := chaintest.NewBatchRefuser(t, dc.URL(), func(r chaintest.Request) (int, string, bool) {
		switch {
		case r.Method == "eth_simulateV1":
			return -32601, "the method eth_simulateV1 does not exist/is not available", true
		case r.Method == "eth_call" && len(r.Params) > 2:
			return -32602, "too many arguments, want at most 2", true
		}
		return 0, "", false
	})
	c, err := chain.Dial(ctx, refuser.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, tc := range []struct {
		name     string
		calls    []trustbot.Call
		preState bool
	}{
		{"approve and deposit 1", chain.Deposit(info.Address, usd, chaintest.Units(1)), false},
		{"approve and deposit more than the wallet holds", chain.Deposit(info.Address, usd, new(big.Int).Add(held, big.NewInt(1))), true},
		// Approving 0 when the allowance is 0 changes nothing: the deposit alone is the real call.
		{"approve and deposit 0", chain.Deposit(info.Address, usd, new(big.Int)), false},
		{"approve the reserve, trust bob", []trustbot.Call{chain.Approve(usd.Address, info.Address, chaintest.Units(1)), chain.Trust(info.Address, bob.Address(), chaintest.Units(1))}, false},
	} {
		want := dc.Client().Simulate(ctx, alice.Address(), tc.calls)
		got := c.Simulate(ctx, alice.Address(), tc.calls)
		if !sameOutcome(got, want) {
			t.Errorf("%s: got %v, want %v (as with eth_simulateV1)", tc.name, got, want)
		}
		if rev, ok := got.(*chain.RevertError); ok && rev.PreState != tc.preState {
			t.Errorf("%s: PreState got %v, want %v", tc.name, rev.PreState, tc.preState)
		}
	}
	if refuser.Refusals() < 2 {
		t.Errorf("refusals: got %d, want eth_simulateV1 and eth_call with overrides refused", refuser.Refusals())
	}
}

// TestSimulateV1Refusals: the answers providers give for a missing eth_simulateV1 switch the
// client to the fallback; an answer about the request itself does not.
func TestSimulateV1Refusals(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice := chaintest.Member(t, dc, "alice")
	create := []trustbot.Call{chain.CreateReserve(dc.Factory(), dc.TestUSD(), "Alice trust", "tALICE")}
	for _, tc := range []struct {
		code    int
		msg     string
		missing bool
	}{
		{-32601, "the method eth_simulateV1 does not exist/is not available", true},
		{-32601, "Method not found", true},
		{-32602, "eth_simulateV1 is not supported on this network", true},
		{-32600, "Unsupported method: eth_simulateV1", true},
		{-32000, "method not available on this plan", true},
		{-32602, "invalid argument 0: json: cannot unmarshal", false},
		{-32000, "header not found", false},
	} {
		refuser := chaintest.NewRefuser(t, dc.URL(), func(r chaintest.Request) (int, string, bool) {
			return tc.code, tc.msg, r.Method == "eth_simulateV1"
		})
		c, err := chain.Dial(ctx, refuser.URL, dc.Factory())
		if err != nil {
			t.Fatal(err)
		}
		err = c.Simulate(ctx, alice.Address(), create)
		if got := c.SimulateV1Missing(); got != tc.missing {
			t.Errorf("%d %q: SimulateV1Missing got %v, want %v", tc.code, tc.msg, got, tc.missing)
		}
		if tc.missing && err != nil {
			t.Errorf("%d %q: Simulate by the fallback got %v, want success", tc.code, tc.msg, err)
		}
		if !tc.missing && err == nil {
			t.Errorf("%d %q: Simulate got success, want the node's error", tc.code, tc.msg)
		}
		c.Close()
	}
}

// simulateStory is the pre-flight tests' start: alice's tUSD reserve, created on the dev chain,
// and bob, whom she may trust.
func simulateStory(t *testing.T, dc *devchain.Chain) (alice, bob chain.Wallet, usd trustbot.Token, info chain.ReserveInfo) {
	t.Helper()
	alice, bob = chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	usd = trustbot.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	chaintest.SendOK(t, dc, false, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	info, err := dc.Client().ReserveOf(context.Background(), alice.Address(), usd.Address)
	if err != nil {
		t.Fatal(err)
	}
	return alice, bob, usd, info
}
