package chain_test

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/chaintest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/devchain"
)

// TestSimulateWithoutSimulateV1 runs Simulate against a node that answers eth_simulateV1 with
// -32601 (through a proxy that counts round trips): the client tries eth_simulateV1 once, then
// runs each call with eth_call, puts an approve's effect in place for the call after it, and
// answers every case as the node with eth_simulateV1 does.
func TestSimulateWithoutSimulateV1(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice, bob, usd, info := simulateStory(t, dc)
	chaintest.SendOK(t, dc, false, alice, chain.Deposit(info.Address, usd, chaintest.Units(20))...)
	chaintest.SendOK(t, dc, false, alice, chain.Trust(info.Address, bob.Address(), chaintest.Units(50)))
	held, err := dc.Client().BalanceOf(ctx, usd.Address, alice.Address())
	if err != nil {
		t.Fatal(err)
	}

	refuser := chaintest.NewRefuser(t, dc.URL(), func(r chaintest.Request) (int, string, bool) {
		return -32601, "the method eth_simulateV1 does not exist/is not available", r.Method == "eth_simulateV1"
	})
	p := chaintest.NewProxy(refuser.URL, 0)
	defer p.Close()
	c, err := chain.Dial(ctx, p.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	redeem := func(n int64) []trustbot.Call {
		return []trustbot.Call{chain.Redeem(info.Address, chaintest.Units(n), bob.Address())}
	}
	for _, tc := range []struct {
		name  string
		from  common.Address
		calls []trustbot.Call
		// the round trips of the fallback once the node is known to lack eth_simulateV1; the
		// first Simulate adds the refused eth_simulateV1
		trips int
	}{
		{"redeem 5 of a 20 reserve", bob.Address(), redeem(5), 1},
		{"redeem 30 of a 20 reserve", bob.Address(), redeem(30), 1},
		{"approve and deposit 1", alice.Address(), chain.Deposit(info.Address, usd, chaintest.Units(1)), 2},
		{"approve and deposit more than the wallet holds", alice.Address(), chain.Deposit(info.Address, usd, new(big.Int).Add(held, big.NewInt(1))), 2},
		{"approve, deposit 1 and trust", alice.Address(), append(chain.Deposit(info.Address, usd, chaintest.Units(1)), chain.Trust(info.Address, bob.Address(), chaintest.Units(1))), 2},
		{"approve and deposit from bob, who has no reserve there", bob.Address(), chain.Deposit(info.Address, usd, chaintest.Units(1)), 2},
		{"approve and deposit 0", alice.Address(), chain.Deposit(info.Address, usd, new(big.Int)), 2},
		{"withdraw 21 of 20", alice.Address(), []trustbot.Call{chain.Withdraw(info.Address, chaintest.Units(21), alice.Address())}, 1},
	} {
		first := refuser.Refusals() == 0
		want := dc.Client().Simulate(ctx, tc.from, tc.calls)
		p.Reset()
		got := c.Simulate(ctx, tc.from, tc.calls)
		if !sameOutcome(got, want) {
			t.Errorf("%s: got %v, want %v (as with eth_simulateV1)", tc.name, got, want)
		}
		tally := chaintest.Count(p.Trips())
		wantTrips, wantAsked := tc.trips, 0
		if first {
			wantTrips, wantAsked = tc.trips+1, 1
		}
		if n := tally.ByMethod["eth_simulateV1"]; n != wantAsked {
			t.Errorf("%s: eth_simulateV1 asked for %d times, want %d", tc.name, n, wantAsked)
		}
		if tally.Sequential != wantTrips {
			t.Errorf("%s: got %d round trips (%v), want %d", tc.name, tally.Sequential, tally.ByMethod, wantTrips)
		}
		t.Logf("%s: %d round trips, %d calls (%v): %v", tc.name, tally.Sequential, tally.Calls, tally.ByMethod, got)
	}
	if n := refuser.Refusals(); n != 1 {
		t.Errorf("eth_simulateV1 refused %d times, want once: the client remembers", n)
	}
	if !c.SimulateV1Missing() {
		t.Errorf("SimulateV1Missing: got false, want true")
	}
	if dc.Client().SimulateV1Missing() {
		t.Errorf("SimulateV1Missing of the direct client: got true, want false")
	}
}

// sameOutcome reports whether two Simulate results agree: both nil, or reverts of the same
// call with the same error and arguments.
func sameOutcome(got, want error) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	g, ok1 := got.(*chain.RevertError)
	w, ok2 := want.(*chain.RevertError)
	if !ok1 || !ok2 || g.Index != w.Index || g.Name != w.Name || len(g.Args) != len(w.Args) {
		return false
	}
	return fmt.Sprint(g.Args) == fmt.Sprint(w.Args)
}

func wantUnavailable(t *testing.T, what string, err error, start time.Time, limit time.Duration) {
	t.Helper()
	if code := trustbot.ErrorCode(err); code != trustbot.EUnavailable {
		t.Errorf("%s: got %v (code %q), want code %q", what, err, code, trustbot.EUnavailable)
	}
	want := "The chain is unreachable right now; nothing was changed. Try again in a moment."
	if msg := trustbot.ErrorMessage(err); msg != want {
		t.Errorf("%s: got message %q, want %q", what, msg, want)
	}
	if took := time.Since(start); took > limit {
		t.Errorf("%s: took %v, want at most %v", what, took, limit)
	}
}

func TestChainDown(t *testing.T) {
	ctx := context.Background()
	factory := common.HexToAddress("0x1000000000000000000000000000000000000001")
	token := common.HexToAddress("0x2000000000000000000000000000000000000002")
	holder := common.HexToAddress("0x3000000000000000000000000000000000000003")

	// A closed port.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()

	// A node that accepts connections and never answers.
	hang, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hang.Close()
	go func() {
		for {
			conn, err := hang.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()

	// A node that is rate limited, and one that is failing.
	status := func(code int) string {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, http.StatusText(code), code)
		}))
		t.Cleanup(s.Close)
		return s.URL
	}

	start := time.Now()
	_, err = chain.Dial(ctx, closed, factory)
	wantUnavailable(t, "Dial(closed port)", err, start, 2*time.Second)

	for _, node := range []struct {
		name string
		url  string
	}{
		{"closed port", closed},
		{"no answer", "http://" + hang.Addr().String()},
		{"HTTP 429", status(http.StatusTooManyRequests)},
		{"HTTP 503", status(http.StatusServiceUnavailable)},
	} {
		rc, err := rpc.DialContext(ctx, node.url)
		if err != nil {
			t.Fatal(err)
		}
		c := chain.New(ethclient.NewClient(rc), big.NewInt(devchain.ChainID), factory)
		c.Timeout = 300 * time.Millisecond
		// One RPC deadline, with room for a loaded machine.
		limit := 3 * time.Second
		for _, op := range []struct {
			name string
			run  func() error
		}{
			{"Token", func() error { _, err := c.Token(ctx, token); return err }},
			{"ReserveOf", func() error { _, err := c.ReserveOf(ctx, holder, token); return err }},
			{"ReserveAt", func() error { _, err := c.ReserveAt(ctx, token); return err }},
			{"Account", func() error { _, _, err := c.Account(ctx, token, holder); return err }},
			{"BalanceOf native", func() error { _, err := c.BalanceOf(ctx, common.Address{}, holder); return err }},
			{"BalanceOf token", func() error { _, err := c.BalanceOf(ctx, token, holder); return err }},
			{"Allowance", func() error { _, err := c.Allowance(ctx, token, holder, factory); return err }},
			{"Simulate", func() error {
				return c.Simulate(ctx, holder, []trustbot.Call{chain.Redeem(token, chaintest.Units(1), holder)})
			}},
		} {
			start := time.Now()
			wantUnavailable(t, node.name+": "+op.name, op.run(), start, limit)
		}
		c.Close()
	}
}
