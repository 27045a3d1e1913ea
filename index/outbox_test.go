package index_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/chain"
	"github.com/trustbot/trustbot/index"
	"github.com/trustbot/trustbot/store"
)

// testNotifier is a trustbot.Notifier made of functions; a nil one does nothing.
type testNotifier struct {
	notice      func(context.Context, trustbot.Notice) error
	requestDone func(context.Context, trustbot.SigningRequest)
}

func (n *testNotifier) Notice(ctx context.Context, x trustbot.Notice) error {
	if n.notice == nil {
		return nil
	}
	return n.notice(ctx, x)
}

func (n *testNotifier) RequestDone(ctx context.Context, r trustbot.SigningRequest) {
	if n.requestDone != nil {
		n.requestDone(ctx, r)
	}
}

// recordingNotifier records the notices delivered (fail, when set, refuses one first).
type recordingNotifier struct {
	mu        sync.Mutex
	fail      func(trustbot.Notice) error
	delivered []trustbot.Notice
	attempts  int
}

func (r *recordingNotifier) notifier() *testNotifier {
	return &testNotifier{notice: func(_ context.Context, n trustbot.Notice) error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.attempts++
		if r.fail != nil {
			if err := r.fail(n); err != nil {
				return err
			}
		}
		r.delivered = append(r.delivered, n)
		return nil
	}}
}

// testCompose writes a notice the way the bot's composer does: one nonce per transaction.
func testCompose(_ context.Context, n store.OutboxNotice) (trustbot.Notice, error) {
	return trustbot.Notice{GuildID: n.Request.GuildID, ChannelID: n.Channel, TxHash: n.TxHash,
		Text: fmt.Sprintf("%d events of tx %s", len(n.Events), n.TxHash.Hex()), Nonce: "tx" + n.TxHash.Hex()[2:25], Request: n.Request}, nil
}

// outboxFixture is a store (on clock clk) with txs reported for signing requests alternately in
// channels chan-a and chan-b, each with one Deposited event in block i+1, applied in one chunk.
type outboxFixture struct {
	db  *store.DB
	clk *clock
	txs []common.Hash // in chain order
	ch  map[common.Hash]string
}

func newOutboxFixture(t *testing.T, n int) *outboxFixture {
	t.Helper()
	ctx := context.Background()
	f := &outboxFixture{clk: &clock{now: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}, ch: map[common.Hash]string{}}
	f.db = openDB(t, filepath.Join(t.TempDir(), "outbox.db"), f.clk.Now)
	reserve := common.HexToAddress("0x00000000000000000000000000000000000000e2")
	alice := common.HexToAddress("0xa11ce00000000000000000000000000000000001")
	var events []trustbot.Event
	var cursor trustbot.Block
	for i := range n {
		hash := crypto.Keccak256Hash([]byte(fmt.Sprintf("tx %d", i)))
		channel := []string{"chan-a", "chan-b"}[i%2]
		req := newRequestIn(t, f.db, fmt.Sprintf("request-outbox-%07d", i), channel, alice,
			f.clk.Now().Add(time.Hour), chain.Trust(reserve, alice, big.NewInt(1)))
		if _, err := f.db.RecordTx(ctx, req.ID, 0, hash); err != nil {
			t.Fatal(err)
		}
		cursor = trustbot.Block{Number: uint64(i + 1), Hash: crypto.Keccak256Hash([]byte(fmt.Sprintf("block %d", i+1)))}
		events = append(events, trustbot.Event{Block: cursor, LogIndex: 0, TxHash: hash, Address: reserve,
			Data: &trustbot.Deposited{From: alice, Amount: big.NewInt(int64(i + 1))}})
		f.txs = append(f.txs, hash)
		f.ch[hash] = channel
	}
	if _, err := f.db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: events}); err != nil {
		t.Fatal(err)
	}
	if got := pendingTxs(t, f.db); len(got) != n {
		t.Fatalf("outbox after applying: got %d notices, want %d", len(got), n)
	}
	return f
}

// wantDeliveredOnce checks that every tx was delivered exactly once, in chain order per channel.
func (f *outboxFixture) wantDeliveredOnce(t *testing.T, delivered []trustbot.Notice) {
	t.Helper()
	count := map[common.Hash]int{}
	order := map[string][]common.Hash{}
	for _, n := range delivered {
		count[n.TxHash]++
		order[n.ChannelID] = append(order[n.ChannelID], n.TxHash)
		if want := f.ch[n.TxHash]; n.ChannelID != want {
			t.Errorf("notice of %s: got channel %s, want %s", n.TxHash.Hex(), n.ChannelID, want)
		}
	}
	want := map[string][]common.Hash{}
	for _, h := range f.txs {
		if count[h] != 1 {
			t.Errorf("notice of %s: delivered %d times, want once", h.Hex(), count[h])
		}
		want[f.ch[h]] = append(want[f.ch[h]], h)
	}
	for ch, w := range want {
		if fmt.Sprint(order[ch]) != fmt.Sprint(w) {
			t.Errorf("channel %s: got %v, want chain order %v", ch, order[ch], w)
		}
	}
	if left := pendingTxs(t, f.db); len(left) != 0 {
		t.Errorf("outbox after delivery: %v still pending", left)
	}
}

// TestOutboxNotifierDown: the adapter answers 503 for 2 minutes of fake time; every notice is
// delivered afterwards, once each, in chain order per channel, with back-off while it is down.
func TestOutboxNotifierDown(t *testing.T) {
	ctx := context.Background()
	f := newOutboxFixture(t, 6)
	downUntil := f.clk.Now().Add(2 * time.Minute)
	rec := &recordingNotifier{}
	rec.fail = func(trustbot.Notice) error {
		if f.clk.Now().Before(downUntil) {
			return errors.New("discord: 503 Service Unavailable")
		}
		return nil
	}
	ob := index.NewOutbox(f.db, testCompose, rec.notifier(), index.OutboxOptions{Now: f.clk.Now})
	var downAttempts int
	for f.clk.Now().Before(downUntil.Add(10 * time.Minute)) {
		if err := ob.Deliver(ctx); err != nil {
			t.Fatalf("Deliver: %v", err)
		}
		if f.clk.Now().Before(downUntil) {
			downAttempts = rec.attempts
			if len(rec.delivered) != 0 {
				t.Fatalf("delivered %d notices while the adapter was down", len(rec.delivered))
			}
		}
		f.clk.Add(time.Second)
	}
	f.wantDeliveredOnce(t, rec.delivered)
	// One channel's head is tried per pass, backing off 1 s, 2 s, 4 s, …: about 7 tries per
	// channel in 2 minutes rather than 120.
	if downAttempts == 0 || downAttempts > 2*9 {
		t.Errorf("attempts while down for 2 minutes: got %d, want 1 to 18 (back-off per channel)", downAttempts)
	}
	t.Logf("%d attempts while down; %d in all", downAttempts, rec.attempts)
}

// TestOutboxComposerFailsOnce: a notice that cannot be composed once is delivered later,
// exactly once, and the later notices of its channel wait for it.
func TestOutboxComposerFailsOnce(t *testing.T) {
	ctx := context.Background()
	f := newOutboxFixture(t, 4)
	failed := 0
	compose := func(ctx context.Context, n store.OutboxNotice) (trustbot.Notice, error) {
		if n.TxHash == f.txs[0] && failed == 0 {
			failed++
			return trustbot.Notice{}, errors.New("the store is busy")
		}
		return testCompose(ctx, n)
	}
	rec := &recordingNotifier{}
	ob := index.NewOutbox(f.db, compose, rec.notifier(), index.OutboxOptions{Now: f.clk.Now})
	if err := ob.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	// chan-a (txs 0 and 2) waits for tx 0's retry; chan-b (txs 1 and 3) went out.
	if got, want := len(rec.delivered), 2; got != want {
		t.Fatalf("first pass: got %d delivered, want %d (chan-b only)", got, want)
	}
	for _, n := range rec.delivered {
		if n.ChannelID != "chan-b" {
			t.Errorf("first pass delivered %s in %s, want only chan-b", n.TxHash.Hex(), n.ChannelID)
		}
	}
	ns, err := f.db.PendingNotices(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 2 || ns[0].TxHash != f.txs[0] || ns[0].Attempts != 1 || ns[0].LastError == "" {
		t.Fatalf("pending after the failure: got %+v, want tx 0 with 1 attempt and its error first", ns)
	}
	// Not before the retry time.
	if err := ob.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	if len(rec.delivered) != 2 {
		t.Fatalf("a pass before the retry time delivered %d, want still 2", len(rec.delivered))
	}
	f.clk.Add(time.Second)
	for range 3 {
		if err := ob.Deliver(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if failed != 1 {
		t.Errorf("composer failures: got %d, want 1", failed)
	}
	f.wantDeliveredOnce(t, rec.delivered)
}

// TestOutboxRedeliveryNonce: the adapter delivered a notice but the outbox did not get to mark
// it (the process stopped there): the next pass delivers it again, with the same nonce.
func TestOutboxRedeliveryNonce(t *testing.T) {
	ctx := context.Background()
	f := newOutboxFixture(t, 2)
	rec := &recordingNotifier{}
	runCtx, stop := context.WithCancel(ctx)
	n := rec.notifier()
	deliver := n.notice
	n.notice = func(c context.Context, x trustbot.Notice) error {
		err := deliver(c, x)
		stop() // delivered; the process dies before NoticeDelivered
		return err
	}
	ob := index.NewOutbox(f.db, testCompose, n, index.OutboxOptions{Now: f.clk.Now})
	if err := ob.Deliver(runCtx); err == nil {
		t.Fatal("Deliver with the mark cut off: got no error, want the store's")
	}
	if len(rec.delivered) != 1 {
		t.Fatalf("delivered before the stop: got %d, want 1", len(rec.delivered))
	}
	if got := pendingTxs(t, f.db); len(got) != 2 || got[0] != f.txs[0] {
		t.Fatalf("outbox after the unmarked delivery: got %v, want both, tx 0 first", got)
	}
	// The restarted process.
	n.notice = deliver
	if err := ob.Deliver(ctx); err != nil {
		t.Fatal(err)
	}
	first, again := rec.delivered[0], rec.delivered[1]
	if again.TxHash != first.TxHash || again.Nonce != first.Nonce || first.Nonce == "" {
		t.Errorf("redelivery: got tx %s nonce %q, want tx %s nonce %q again", again.TxHash.Hex(), again.Nonce, first.TxHash.Hex(), first.Nonce)
	}
	if len(rec.delivered) != 3 {
		t.Errorf("deliveries: got %d, want 3 (tx 0 twice, tx 1 once)", len(rec.delivered))
	}
	if left := pendingTxs(t, f.db); len(left) != 0 {
		t.Errorf("outbox after the second pass: %v still pending", left)
	}
}

// TestOutboxStop: Stop ends Run after the pass it is in, with every delivered notice marked.
func TestOutboxStop(t *testing.T) {
	f := newOutboxFixture(t, 2)
	rec := &recordingNotifier{}
	ob := index.NewOutbox(f.db, testCompose, rec.notifier(), index.OutboxOptions{Now: f.clk.Now, Interval: time.Hour})
	done := make(chan error, 1)
	go func() { done <- ob.Run(context.Background()) }()
	deadline := time.Now().Add(5 * time.Second)
	for len(pendingTxs(t, f.db)) > 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	ob.Stop()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after Stop: got %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run after Stop: still running after 2 s, want it returned")
	}
	if left := pendingTxs(t, f.db); len(left) != 0 {
		t.Errorf("outbox after Stop: got %v pending, want none", left)
	}
}
