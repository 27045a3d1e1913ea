package chain_test

import (
	"context"
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

// TestSimulateWithoutSimulateV1 runs Simulate against a node that lacks eth_simulateV1.
func TestSimulateWithoutSimulateV1(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, false)
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	usd := trustbot.Token{Address: dc.TestUSD(), Symbol: "tUSD", Decimals: 6}
	chaintest.SendOK(t, dc, false, alice, chain.CreateReserve(dc.Factory(), usd.Address, "Alice trust", "tALICE"))
	info, err := dc.Client().ReserveOf(ctx, alice.Address(), usd.Address)
	if err != nil {
		t.Fatal(err)
	}
	chaintest.SendOK(t, dc, false, alice, chain.Deposit(info.Address, usd, chaintest.Units(20))...)
	chaintest.SendOK(t, dc, false, alice, chain.Trust(info.Address, bob.Address(), chaintest.Units(50)))

	p := chaintest.NewRefuser(t, dc.URL(), func(r chaintest.Request) (int, string, bool) {
		return -32601, "the method eth_simulateV1 does not exist/is not available", r.Method == "eth_simulateV1"
	})
	c, err := chain.Dial(ctx, p.URL, dc.Factory())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if err := c.Simulate(ctx, bob.Address(), []trustbot.Call{chain.Redeem(info.Address, chaintest.Units(5), bob.Address())}); err != nil {
		t.Errorf("Simulate(redeem 5) by eth_call: got %v, want success", err)
	}
	rev := wantRevert(t, c.Simulate(ctx, bob.Address(), []trustbot.Call{chain.Redeem(info.Address, chaintest.Units(30), bob.Address())}),
		0, "InsufficientReserve", chaintest.Units(20), chaintest.Units(30))
	if rev.PreState {
		t.Errorf("PreState of the first call: got true, want false")
	}
	// The documented limitation: each call sees the state before the batch, so the deposit does
	// not see the approve before it.
	rev = wantRevert(t, c.Simulate(ctx, alice.Address(), chain.Deposit(info.Address, usd, chaintest.Units(1))), 1, "TransferFailed")
	if !rev.PreState {
		t.Errorf("PreState of the second call: got false, want true")
	}
	if p.Refusals() == 0 {
		t.Errorf("proxy: eth_simulateV1 was never asked for, want Simulate to try it first")
	}
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
