package index_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/chain/chaintest"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// taggedBlock is the number of the node's block of tag ("finalized", "safe", "latest").
func taggedBlock(t *testing.T, c *chain.Client, tag string) uint64 {
	t.Helper()
	var head struct {
		Number hexutil.Uint64 `json:"number"`
	}
	if err := c.Eth().Client().CallContext(context.Background(), &head, "eth_getBlockByNumber", tag, false); err != nil {
		t.Fatalf("%s block: %v", tag, err)
	}
	return uint64(head.Number)
}

// TestWatcherFinality: with a Finality tag the watcher applies logs and settles transactions
// only up to the node's block of that tag. The simulated chain finalizes every 32nd block and
// holds its head safe, so a trust stays unapplied (no notice, request pending) until the
// finalized block passes it, and with "safe" it is applied at once.
func TestWatcherFinality(t *testing.T) {
	ctx := context.Background()
	dc := chaintest.StartDev(t, true)
	c := dc.Client()
	alice, bob := chaintest.Member(t, dc, "alice"), chaintest.Member(t, dc, "bob")
	r := aliceReserve(t, dc, true, alice, chaintest.Ether(10))
	// Move the head off an epoch boundary so the finalized block is behind it.
	for taggedBlock(t, c, "latest")%32 == 31 || taggedBlock(t, c, "latest")%32 == 0 {
		dc.Commit()
	}

	db := tempDB(t)
	safeDB := tempDB(t)
	var rec recorder
	w := index.New(c, db, rec.options(index.Options{Finality: index.FinalizedTag}))
	safe := index.New(c, safeDB, index.Options{Finality: index.SafeTag, Confirmations: 1000})

	trustBob := chain.Trust(r, bob.Address(), chaintest.Ether(1))
	req := newRequest(t, db, "request-finality-01", alice.Address(), time.Now().Add(time.Hour), trustBob)
	sent := chaintest.Send(t, dc, true, alice, trustBob)
	if _, err := db.RecordTx(ctx, req.ID, 0, sent.TxHash); err != nil {
		t.Fatal(err)
	}
	block := sent.BlockNumber.Uint64()

	for _, tc := range []struct {
		name string
		w    *index.Indexer
		db   *store.DB
		tag  string
	}{{"finalized", w, db, "finalized"}, {"safe", safe, safeDB, "safe"}} {
		if err := tc.w.Tick(ctx); err != nil {
			t.Fatalf("%s: Tick: %v", tc.name, err)
		}
		cur, err := tc.db.Cursor(ctx)
		if err != nil {
			t.Fatalf("%s: cursor: %v", tc.name, err)
		}
		if want := taggedBlock(t, c, tc.tag); cur.Number != want {
			t.Errorf("%s: cursor at block %d, want the node's %s block %d", tc.name, cur.Number, tc.tag, want)
		}
	}
	if fin := taggedBlock(t, c, "finalized"); fin >= block {
		t.Fatalf("finalized block %d, want it below the trust's block %d for the test to mean anything", fin, block)
	}
	if n := countEvents(t, db, sent.BlockHash); n != 0 {
		t.Errorf("finalized: got %d events of the unfinalized block %d, want 0", n, block)
	}
	if n := len(pendingTxs(t, db)); n != 0 {
		t.Errorf("finalized: got %d notices in the outbox before the block is final, want 0", n)
	}
	if got := requestStatus(t, db, req.ID); got != trustbot.StatusSubmitted {
		t.Errorf("finalized: request %s before its block is final, want %s", got, trustbot.StatusSubmitted)
	}
	if n := countEvents(t, safeDB, sent.BlockHash); n != 2 {
		t.Errorf("safe: got %d events of block %d, want Transfer and Trusted (the simulated head is safe)", n, block)
	}

	// The chain finalizes past the trust's block: now it is applied, noticed and confirmed.
	for taggedBlock(t, c, "finalized") < block {
		dc.Commit()
	}
	if err := w.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := countEvents(t, db, sent.BlockHash); n != 2 {
		t.Errorf("finalized: got %d events of block %d once final, want Transfer and Trusted", n, block)
	}
	if p := pendingTxs(t, db); len(p) != 1 || p[0] != sent.TxHash {
		t.Errorf("finalized: outbox %v once final, want the trust %s once", p, sent.TxHash.Hex())
	}
	if got := requestStatus(t, db, req.ID); got != trustbot.StatusConfirmed {
		t.Errorf("finalized: request %s once its block is final, want %s", got, trustbot.StatusConfirmed)
	}
}
