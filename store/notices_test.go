package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

func outboxHash(n int) string { return fmt.Sprintf("0x%064x", n) }

func TestNoticeOutbox(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "outbox.db")
	db, err := store.Open(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	emitter := "0x00000000000000000000000000000000000000aa"
	ev := func(block, blockHash, tx int, idx uint) store.Event {
		return store.Event{BlockNumber: uint64(block), BlockHash: hash(blockHash), LogIndex: idx, TxHash: outboxHash(1000 + tx),
			Address: emitter, Name: "Transfer", Args: map[string]string{"amount": "1"}}
	}
	if _, err := db.ApplyEvents(ctx, store.Cursor{Number: 2, Hash: outboxHash(2)}, []store.Event{ev(1, 1, 1, 0), ev(2, 2, 2, 0)}); err != nil {
		t.Fatal(err)
	}
	pending, err := db.UnnotifiedEvents(ctx)
	if err != nil || len(pending) != 2 {
		t.Fatalf("UnnotifiedEvents = %d events, %v; want 2", len(pending), err)
	}
	if err := db.MarkNotified(ctx, pending[:1]); err != nil {
		t.Fatal(err)
	}

	// A restart keeps the outbox: the second notice is still owed, the first is not.
	db.Close()
	if db, err = store.Open(ctx, path, nil); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	pending, err = db.UnnotifiedEvents(ctx)
	if err != nil || len(pending) != 1 || pending[0].TxHash != outboxHash(1002) {
		t.Fatalf("after reopen: %+v, %v; want only tx %s", pending, err, outboxHash(1002))
	}
	if err := db.MarkNotified(ctx, pending); err != nil {
		t.Fatal(err)
	}

	// A reorg drops block 2 and the same transaction lands in another block: no new notice.
	if _, err := db.RollbackTo(ctx, 1, outboxHash(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyEvents(ctx, store.Cursor{Number: 3, Hash: outboxHash(33)}, []store.Event{ev(3, 33, 2, 0), ev(3, 33, 3, 1)}); err != nil {
		t.Fatal(err)
	}
	pending, err = db.UnnotifiedEvents(ctx)
	if err != nil || len(pending) != 1 || pending[0].TxHash != outboxHash(1003) {
		t.Fatalf("after reorg: %+v, %v; want only the new tx %s", pending, err, outboxHash(1003))
	}
	if err := db.MarkNotified(ctx, []store.Event{{TxHash: "nope"}}); trustbot.ErrorCode(err) != trustbot.EInvalid {
		t.Fatalf("MarkNotified(bad hash) = %v, want invalid", err)
	}
}
