package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
)

// BenchmarkSimulate is the pre-flight of a redemption and of a deposit (approve, then deposit)
// through a proxy with 20 ms of latency, on a node with eth_simulateV1 and on one that refuses
// it (after the client has learnt so): round trips, HTTP requests and JSON-RPC calls per
// pre-flight.
func BenchmarkSimulate(b *testing.B) {
	ctx := context.Background()
	dc := chaintest.StartDev(b, false)
	alice, bob := chaintest.Member(b, dc, "alice"), chaintest.Member(b, dc, "bob")
	usd := trustbot.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	chaintest.SendOK(b, dc, false, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	info, err := dc.Client().ReserveOf(ctx, alice.Address(), usd.Address)
	if err != nil {
		b.Fatal(err)
	}
	chaintest.SendOK(b, dc, false, alice, chain.Deposit(info.Address, usd, chaintest.Units(20))...)
	chaintest.SendOK(b, dc, false, alice, chain.Trust(info.Address, bob.Address(), chaintest.Units(10)))
	refuser := chaintest.NewRefuser(b, dc.URL(), func(r chaintest.Request) (int, string, bool) {
		return -32601, "Method not found", r.Method == "eth_simulateV1"
	})
	for _, node := range []struct{ name, url string }{{"eth_simulateV1", dc.URL()}, {"fallback", refuser.URL}} {
		p := chaintest.NewProxy(node.url, 20*time.Millisecond)
		b.Cleanup(p.Close)
		c, err := chain.Dial(ctx, p.URL, dc.Factory())
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(c.Close)
		// The first pre-flight learns whether the node has eth_simulateV1.
		if err := c.Simulate(ctx, bob.Address(), []trustbot.Call{chain.Redeem(info.Address, chaintest.Units(1), bob.Address())}); err != nil {
			b.Fatal(err)
		}
		for _, tc := range []struct {
			name  string
			calls []trustbot.Call
			who   chain.Wallet
		}{
			{name: "redeem", calls: []trustbot.Call{chain.Redeem(info.Address, chaintest.Units(1), bob.Address())}, who: bob},
			{name: "deposit", calls: chain.Deposit(info.Address, usd, chaintest.Units(1)), who: alice},
		} {
			b.Run(node.name+"/"+tc.name, func(b *testing.B) {
				var cost chaintest.Cost
				for b.Loop() {
					cost, err = p.Measure(1, func() error { return c.Simulate(ctx, tc.who.Address(), tc.calls) })
					if err != nil {
						b.Fatal(err)
					}
				}
				cost.Report(b)
			})
		}
	}
}
