package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/chaintest"
)

// TestBadInputWithoutSimulateV1: on a node that answers eth_simulateV1 with -32601 (a proxy in
// front of a dev chain, as ETH_RPC_URL), the pre-flight falls back to eth_call: the deposit
// (approve, then deposit) passes, and every bad line of the bad-input suite that reads or
// pre-flights the chain gets the same sentence as on a node with eth_simulateV1, down to the
// redemption only the pre-flight can refuse.
func TestBadInputWithoutSimulateV1(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	setup := []string{
		"/as alice", "/wallet link", "/approve", "/as bob", "/wallet link", "/approve",
		"/as alice", "/reserve create", "/approve", "/reserve deposit 300", "/approve", "/trust @bob 100", "/approve",
	}
	cases := []struct{ as, line, want string }{
		{"alice", "/trust @alice 10", "You can't trust yourself"},
		{"alice", "/trust @carol 10", "@carol hasn't linked a wallet yet — they can run /wallet link."},
		{"alice", "/trust @bob 10 asset:ETH", "You have no ETH reserve yet — run /reserve create first."},
		{"alice", "/revoke @alice", "You can't revoke yourself"},
		{"alice", "/reserve create", "You already have a tUSD reserve at"},
		{"alice", "/reserve deposit 100000000", "Your wallet holds 9700 tUSD; you can deposit at most 9700."},
		{"alice", "/reserve withdraw 301", "Your reserve holds 300 tUSD; you can withdraw at most 300."},
		{"alice", "/reup @bob", "@bob holds 100 of a 100 tUSD budget: nothing to re-up."},
		{"alice", "/reup", "Everyone you trust holds their full budget: nothing to re-up."},
		{"bob", "/trust @alice 10", "You have no tUSD reserve yet — run /reserve create first."},
		{"bob", "/redeem 150", "You hold 100 of @alice's tokens; you can redeem at most 100."},
		{"bob", "/redeem 10 from:@bob", "You hold no trust tokens from @bob."},
		{"bob", "/reup", "You have no tUSD reserve yet"},
		{"bob", "/revoke @alice", "You have no tUSD reserve yet"},
		{"bob", "/reserve withdraw 5", "You have no tUSD reserve yet"},
		{"bob", "/reserve create backed-by:@bob", "A reserve cannot be backed by your own trust token."},
		{"bob", "/reserve create backed-by:@alice asset:ETH", "@alice has no ETH reserve, so there is no trust token of theirs to back yours with."},
		// Only the pre-flight knows the reserve is short once alice has withdrawn 250 of 300.
		{"alice", "/reserve withdraw 250", "Sign to"},
		{"alice", "/approve", "Confirmed"},
		{"bob", "/redeem 60", "@alice's reserve holds 50 tUSD; you can redeem at most 50 now."},
	}

	run := func(refuse bool) ([]string, *chaintest.Refuser) {
		node := startNode(t, ctx)
		url := node.URL()
		var refuser *chaintest.Refuser
		if refuse {
			refuser = chaintest.NewRefuser(t, url, func(r chaintest.Request) (int, string, bool) {
				return -32601, "the method eth_simulateV1 does not exist/is not available", r.Method == "eth_simulateV1"
			})
			url = refuser.URL
		}
		cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
			"ETH_RPC_URL": url, "CHAIN_ID": "1337", "FACTORY_ADDRESS": node.Factory().Hex(),
			"ASSETS": "tUSD=" + node.TestUSD().Hex() + ",ETH=native", "POLL_INTERVAL": "50ms", "CONFIRMATIONS": "0"})
		out := &syncBuffer{}
		p, err := startPlayground(ctx, cfg, out, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		p.Console.Wait = 30 * time.Second
		_, offset := out.Since(0)
		exec := func(line string) string {
			p.Console.Exec(ctx, line)
			var got string
			got, offset = out.Since(offset)
			return got
		}
		for _, line := range setup {
			got := exec(line)
			switch {
			case line == "/approve" && !strings.Contains(got, "Confirmed") && !strings.Contains(got, "Linked"):
				t.Fatalf("refuse eth_simulateV1 %v: setup %s\n got: %s\nwant it confirmed", refuse, line, got)
			case strings.HasPrefix(line, "/reserve") || strings.HasPrefix(line, "/trust"):
				if !strings.Contains(got, "→ http") {
					t.Fatalf("refuse eth_simulateV1 %v: setup %s\n got: %s\nwant a signing link", refuse, line, got)
				}
			}
		}
		answers := make([]string, len(cases))
		for i, tc := range cases {
			exec("/as " + tc.as)
			answers[i] = strings.TrimSpace(exec(tc.line))
		}
		return answers, refuser
	}

	with, _ := run(false)
	without, refuser := run(true)
	if refuser.Refusals() != 1 {
		t.Errorf("eth_simulateV1 refused %d times, want once: the client remembers the node lacks it", refuser.Refusals())
	}
	for i, tc := range cases {
		if !strings.Contains(without[i], tc.want) {
			t.Errorf("@%s %s without eth_simulateV1\n got: %s\nwant: %s", tc.as, tc.line, without[i], tc.want)
		}
		if tc.want != "Sign to" && without[i] != with[i] {
			t.Errorf("@%s %s\n got: %s\nwant: %s (as with eth_simulateV1)", tc.as, tc.line, without[i], with[i])
		}
		if tc.want != "Sign to" && strings.Contains(without[i], "→ http") {
			t.Errorf("@%s %s made a link: %s", tc.as, tc.line, without[i])
		}
	}
}
