package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// syncBuffer collects console output written from the console and the watcher.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Since returns what was written after offset, and the new offset.
func (s *syncBuffer) Since(offset int) (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.b.String()
	return all[offset:], len(all)
}

// testPlayground starts the whole playground (embedded chain on a free port, SQLite in a temp
// dir, signing server on loopback, watcher) and returns a function that runs one console line
// and returns what it printed.
func testPlayground(t *testing.T) (*playground, func(line string) string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg := &Config{DataDir: t.TempDir(), ListenAddr: "127.0.0.1:0", DevRPCAddr: "127.0.0.1:0",
		LinkTTL: 15 * time.Minute, PollInterval: 100 * time.Millisecond}
	out := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, err := startPlayground(ctx, cfg, out, log)
	if err != nil {
		t.Fatalf("start playground: %v", err)
	}
	t.Cleanup(p.Close)
	p.Console.Wait = 30 * time.Second
	_, offset := out.Since(0)
	return p, func(line string) string {
		t.Helper()
		p.Console.Exec(ctx, line)
		var got string
		got, offset = out.Since(offset)
		return got
	}
}

// tokens converts whole tUSD to units.
func tokens(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

// mustContain fails unless got, what line printed, contains every one of wants.
func mustContain(t testing.TB, line, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Fatalf("%s\n got: %s\nwant it to contain %q", line, got, w)
		}
	}
}

// TestTripStory is the README's trip through the console: link wallets, create and fund a
// reserve, trust, redeem, re-up and revoke, with balances read from the chain at each step.
func TestTripStory(t *testing.T) {
	p, run := testPlayground(t)
	ctx := context.Background()
	dc := p.DevChain
	addr := func(name string) common.Address { w, _ := dc.Member(name); return w.Address() }
	usd := func(name string) *big.Int {
		b, err := p.Chain.BalanceOf(ctx, dc.TestUSD(), addr(name))
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

	for _, m := range []string{"alice", "bob", "carol"} {
		run("/as " + m)
		mustContain(t, "/wallet link", run("/wallet link"), "Open the link", "/l/")
		mustContain(t, "/approve (link)", run("/approve"), "Linked "+addr(m).Hex()+" to @"+m)
	}

	run("/as alice")
	mustContain(t, "/reserve create", run("/reserve create"), "Sign to create your tUSD reserve", "/s/")
	mustContain(t, "/approve (create)", run("/approve"), "created a tUSD reserve", "Confirmed")
	res, err := p.Chain.ReserveOf(ctx, addr("alice"), dc.TestUSD())
	if err != nil || !res.Exists {
		t.Fatalf("alice's reserve after create: %+v, %v; want it to exist", res, err)
	}

	aliceUSD := usd("alice")
	mustContain(t, "/reserve deposit 300", run("/reserve deposit 300"), "Sign to deposit 300 tUSD", "ask twice")
	mustContain(t, "/approve (deposit)", run("/approve"), "deposited 300 tUSD", "Confirmed")
	res, _ = p.Chain.ReserveOf(ctx, addr("alice"), dc.TestUSD())
	want("reserve after deposit", res.Reserve, tokens(300))
	want("alice's tUSD after deposit", usd("alice"), new(big.Int).Sub(aliceUSD, tokens(300)))

	mustContain(t, "/trust @bob 100", run("/trust @bob 100"), "Sign to extend @bob a budget of 100 tUSD", "300 tUSD backing", "0 outstanding → 100", "coverage 300%")
	mustContain(t, "/approve (trust bob)", run("/approve"), "@alice extended @bob a budget of 100 tUSD")
	run("/trust member:@carol amount:100")
	mustContain(t, "/approve (trust carol)", run("/approve"), "@alice extended @carol a budget of 100 tUSD")
	bal, budget, _ := p.Chain.Account(ctx, res.Address, addr("bob"))
	want("bob's balance after trust", bal, tokens(100))
	want("bob's budget after trust", budget, tokens(100))

	run("/as bob")
	bobUSD := usd("bob")
	mustContain(t, "/redeem 60", run("/redeem 60"), "Sign to redeem 60", "for 60 tUSD")
	mustContain(t, "/approve (redeem)", run("/approve"), "@bob redeemed 60 tUSD from @alice's reserve")
	want("bob's tUSD after redeem", usd("bob"), new(big.Int).Add(bobUSD, tokens(60)))
	bal, _, _ = p.Chain.Account(ctx, res.Address, addr("bob"))
	want("bob's balance after redeem", bal, tokens(40))

	run("/as alice")
	mustContain(t, "/reup @bob", run("/reup @bob"), "Sign to re-up @bob +60")
	mustContain(t, "/approve (reup)", run("/approve"), "@alice re-upped @bob with 60 tUSD")
	bal, _, _ = p.Chain.Account(ctx, res.Address, addr("bob"))
	want("bob's balance after reup", bal, tokens(100))

	mustContain(t, "/revoke @carol", run("/revoke @carol"), "Sign to revoke all trust from @carol", "100 → 0")
	mustContain(t, "/approve (revoke)", run("/approve"), "@alice revoked all of @carol's trust; 100 of their tokens were burned.")
	bal, budget, _ = p.Chain.Account(ctx, res.Address, addr("carol"))
	want("carol's balance after revoke", bal, new(big.Int))
	want("carol's budget after revoke", budget, new(big.Int))

	res, _ = p.Chain.ReserveOf(ctx, addr("alice"), dc.TestUSD())
	want("reserve at the end", res.Reserve, tokens(240))
	want("outstanding at the end", res.Outstanding, tokens(100))
	mustContain(t, "/reserve show", run("/reserve show"), "240 tUSD backing, 100 outstanding, coverage 240%", "@bob: budget 100, holds 100")
	mustContain(t, "/balance", run("/as bob")+run("/balance"), "holds 100 of a 100 budget; redeemable now 100 tUSD")
}
