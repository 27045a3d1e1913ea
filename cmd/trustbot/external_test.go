package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot/chain/devchain"
)

// TestPlaygroundOnExternalChain: with ETH_RPC_URL, FACTORY_ADDRESS and ASSETS set, the playground
// uses that node (here a dev chain started on its own) and keeps its database across restarts.
func TestPlaygroundOnExternalChain(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := startNode(t, ctx)
	dir := t.TempDir()
	cfg := testConfig(t, map[string]string{"DATA_DIR": dir, "LISTEN_ADDR": "127.0.0.1:0",
		"ETH_RPC_URL": node.URL(), "CHAIN_ID": "1337", "FACTORY_ADDRESS": node.Factory().Hex(),
		"ASSETS": "tUSD=" + node.TestUSD().Hex() + ",ETH=native", "POLL_INTERVAL": "50ms", "CONFIRMATIONS": "0"})
	start := func() (*playground, *syncBuffer) {
		out := &syncBuffer{}
		p, err := startPlayground(ctx, cfg, out, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		p.Console.Wait = 30 * time.Second
		return p, out
	}
	p, out := start()
	if p.DevChain != nil {
		t.Fatal("the playground started its own chain despite ETH_RPC_URL")
	}
	for _, line := range []string{"/wallet link", "/approve", "/reserve create", "/approve", "/reserve deposit 25", "/approve"} {
		p.Console.Exec(ctx, line)
	}
	got, _ := out.Since(0)
	for _, want := range []string{"Linked", "@alice created a tUSD reserve", "@alice deposited 25 tUSD into their reserve"} {
		if !strings.Contains(got, want) {
			t.Fatalf("output:\n%s\nwant it to contain %q", got, want)
		}
	}
	p.Close()

	// Restarted against the same node, the database is kept: alice is still linked.
	p, out = start()
	defer p.Close()
	p.Console.Exec(ctx, "/reserve show")
	got, _ = out.Since(0)
	if strings.Contains(got, "new database") || !strings.Contains(got, "25 tUSD backing") {
		t.Fatalf("after restart:\n%s\nwant the same database and alice's reserve with 25 tUSD backing", got)
	}

	// A wrong CHAIN_ID is refused with a sentence.
	bad := *cfg
	bad.ChainID = 1
	if _, err := startPlayground(ctx, &bad, io.Discard, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil ||
		!strings.Contains(err.Error(), "CHAIN_ID is 1 but the node at ETH_RPC_URL is on chain 1337") {
		t.Fatalf("wrong CHAIN_ID: got %v", err)
	}
}

// TestPlaygroundWarnsOnDemandMining: on a node that mines a block only when a transaction comes
// (the dev chain as anvil's default behaves), CONFIRMATIONS=2 leaves an approved transaction
// waiting for blocks that never come; the playground says so and names CONFIRMATIONS=0.
func TestPlaygroundWarnsOnDemandMining(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	node := startNode(t, ctx)
	for _, tc := range []struct {
		confirmations, member string
		warn                  bool
	}{{"2", "dave", true}, {"0", "carol", false}} {
		t.Run("CONFIRMATIONS="+tc.confirmations, func(t *testing.T) {
			cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0",
				"ETH_RPC_URL": node.URL(), "FACTORY_ADDRESS": node.Factory().Hex(),
				"ASSETS": "tUSD=" + node.TestUSD().Hex(), "POLL_INTERVAL": "50ms", "CONFIRMATIONS": tc.confirmations})
			out := &syncBuffer{}
			p, err := startPlayground(ctx, cfg, out, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			p.Console.Wait = 3 * time.Second
			for _, line := range []string{"/as " + tc.member, "/wallet link", "/approve", "/reserve create", "/approve"} {
				p.Console.Exec(ctx, line)
			}
			got, _ := out.Since(0)
			want := "waits for CONFIRMATIONS=2 blocks on top: a node that mines only when a transaction comes (anvil's default) never makes them, so restart with CONFIRMATIONS=0"
			if strings.Contains(got, want) != tc.warn {
				t.Errorf("output:\n%s\ngot the warning %v, want %v (%q)", got, !tc.warn, tc.warn, want)
			}
		})
	}
}

// startNode starts a dev chain on its own, for the playground to use as an external node through
// ETH_RPC_URL; it is closed when the test ends.
func startNode(t *testing.T, ctx context.Context) *devchain.Chain {
	t.Helper()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Close)
	return node
}
