package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// outboxStory is a store with the projection tests' reserves (block 1) and a way to send,
// index and report transactions.
type outboxStory struct {
	t   *testing.T
	db  *store.DB
	clk *clock
	req int
}

func newOutboxStory(t *testing.T) *outboxStory {
	db, clk, _ := newDB(t)
	createReserves(t, db)
	return &outboxStory{t: t, db: db, clk: clk}
}

// request creates a one-call signing request of guild and reports tx as its transaction.
func (s *outboxStory) report(guild string, tx common.Hash) trustbot.SigningRequest {
	s.t.Helper()
	s.req++
	r := newRequest(fmt.Sprintf("outbox-request-%04d", s.req), "alice", 1)
	r.GuildID = guild
	if _, err := s.db.CreateRequest(s.t.Context(), r); err != nil {
		s.t.Fatal(err)
	}
	r, err := s.db.RecordTx(s.t.Context(), r.ID, 0, tx)
	if err != nil {
		s.t.Fatal(err)
	}
	return r
}

// index applies a chunk up to cursor with the given transactions of block b.
func (s *outboxStory) index(cursor, b trustbot.Block, hashes []common.Hash, txs ...[]ev) []trustbot.Event {
	s.t.Helper()
	evs := blockOf(b, func(i int) common.Hash { return hashes[i] }, txs...)
	if _, err := s.db.ApplyChunk(s.t.Context(), store.Chunk{Cursor: cursor, Events: evs}); err != nil {
		s.t.Fatal(err)
	}
	return evs
}

func (s *outboxStory) pending() []store.OutboxNotice {
	s.t.Helper()
	ns, err := s.db.PendingNotices(s.t.Context(), 100)
	if err != nil {
		s.t.Fatalf("PendingNotices: %v", err)
	}
	return ns
}

func noticeHashes(ns []store.OutboxNotice) []common.Hash {
	var out []common.Hash
	for _, n := range ns {
		out = append(out, n.TxHash)
	}
	return out
}

func TestOutbox_WhenATransactionHasANotice(t *testing.T) {
	tx := hash(0x7a)
	type step struct {
		do     string // report, index, rollback (to block 1) or reindex (the same transaction in block 3 of another fork)
		listed bool   // the transaction's notice is pending after the step
	}
	for _, c := range []struct {
		name  string
		steps []step
	}{
		{"reported, then indexed", []step{{"report", false}, {"index", true}}},
		{"indexed, then reported", []step{{"index", false}, {"report", true}}},
		{"a foreign transaction", []step{{"index", false}}},
		{"reported, never indexed", []step{{"report", false}}},
		{"rolled back before its notice, then indexed again", []step{{"report", false}, {"index", true}, {"rollback", false}, {"reindex", true}}},
		{"indexed, rolled back, reported, indexed again", []step{{"index", false}, {"rollback", false}, {"report", false}, {"reindex", true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newOutboxStory(t)
			var (
				req trustbot.SigningRequest
				evs []trustbot.Event
			)
			for i, st := range c.steps {
				switch st.do {
				case "report":
					req = s.report("guild", tx)
				case "index":
					evs = s.index(block(0, 2), block(0, 2), []common.Hash{tx}, trustOp(resA, h1, 5))
				case "rollback":
					if _, err := s.db.RollbackTo(t.Context(), block(0, 1)); err != nil {
						t.Fatal(err)
					}
				case "reindex":
					evs = s.index(block(1, 3), block(1, 3), []common.Hash{tx}, trustOp(resA, h1, 5))
				}
				ns := s.pending()
				if got := len(ns) == 1 && ns[0].TxHash == tx; got != st.listed || len(ns) > 1 {
					t.Fatalf("step %d (%s): got pending notices %v, want listed=%v", i, st.do, noticeHashes(ns), st.listed)
				}
				if !st.listed {
					continue
				}
				n := ns[0]
				if n.Attempts != 0 || n.LastError != "" || !n.NextAttempt.Equal(start) {
					t.Errorf("step %d: got attempts %d, last error %q, next attempt %v, want 0, none, %v", i, n.Attempts, n.LastError, n.NextAttempt, start)
				}
				if !same(n.Events, evs) {
					t.Errorf("step %d: events: got %s, want %s", i, show(n.Events), show(evs))
				}
				if r, err := s.db.Request(t.Context(), req.ID); err != nil || !same(n.Request, r) {
					t.Errorf("step %d: request: got %s, want %s (%v)", i, show(n.Request), show(r), err)
				}
				if n.Channel != "channel" {
					t.Errorf("step %d: channel: got %q, want the command's, channel", i, n.Channel)
				}
			}
		})
	}
}

// TestOutbox_DeliveredOnce checks that a delivered notice is not listed again: after a restart,
// nor after a reorg puts its transaction in another block.
func TestOutbox_DeliveredOnce(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	path := freshPath(t)
	db, err := store.Open(ctx, path, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	s := &outboxStory{t: t, db: db, clk: clk}
	createReserves(t, db)
	first, second := hash(0x71), hash(0x72)
	s.report("guild", first)
	s.report("guild", second)
	s.index(block(0, 2), block(0, 2), []common.Hash{first, second}, trustOp(resA, h1, 5), depositOp(resA, alice, 9))
	if got := noticeHashes(s.pending()); !same(got, []common.Hash{first, second}) {
		t.Fatalf("PendingNotices: got %v, want %v", got, []common.Hash{first, second})
	}
	if err := db.NoticeDelivered(ctx, first); err != nil {
		t.Fatal(err)
	}
	if err := db.NoticeDelivered(ctx, hash(0x79)); err != nil { // no such notice: nothing to do
		t.Errorf("NoticeDelivered of an unknown transaction: got %v, want nil", err)
	}

	// A restart keeps the outbox: the second notice is still owed, the first is not.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s.db = openAt(t, path, clk)
	if got := noticeHashes(s.pending()); !same(got, []common.Hash{second}) {
		t.Fatalf("PendingNotices after a restart: got %v, want %v", got, []common.Hash{second})
	}
	if err := s.db.NoticeDelivered(ctx, second); err != nil {
		t.Fatal(err)
	}

	// A reorg drops block 2; both transactions land in block 3 of the new branch, with a third.
	if _, err := s.db.RollbackTo(ctx, block(0, 1)); err != nil {
		t.Fatal(err)
	}
	third := hash(0x73)
	s.report("guild", third)
	s.index(block(1, 3), block(1, 3), []common.Hash{second, first, third}, depositOp(resA, alice, 9), trustOp(resA, h1, 5), trustOp(resA, h2, 1))
	if got := noticeHashes(s.pending()); !same(got, []common.Hash{third}) {
		t.Errorf("PendingNotices after the reorg: got %v, want only the new transaction %v", got, []common.Hash{third})
	}
	// A failure reported late does not bring a delivered notice back.
	if err := s.db.NoticeFailed(ctx, first, "late", start); err != nil {
		t.Fatal(err)
	}
	if got := noticeHashes(s.pending()); !same(got, []common.Hash{third}) {
		t.Errorf("PendingNotices after a late failure: got %v, want %v", got, []common.Hash{third})
	}
}

func TestOutbox_NoticeFailed(t *testing.T) {
	ctx := t.Context()
	s := newOutboxStory(t)
	tx := hash(0x81)
	s.report("guild", tx)
	s.index(block(0, 2), block(0, 2), []common.Hash{tx}, trustOp(resA, h1, 5))
	for i, retry := range []time.Time{start.Add(time.Minute + 1234567), start.Add(5 * time.Minute)} {
		reason := fmt.Sprintf("discord said no (%d)", i+1)
		if err := s.db.NoticeFailed(ctx, tx, reason, retry); err != nil {
			t.Fatal(err)
		}
		ns := s.pending() // listed whether due or not
		if len(ns) != 1 {
			t.Fatalf("attempt %d: got %d pending notices, want 1", i+1, len(ns))
		}
		n := ns[0]
		if want := retry.Truncate(time.Millisecond); n.Attempts != i+1 || n.LastError != reason || !n.NextAttempt.Equal(want) {
			t.Errorf("attempt %d: got attempts %d, last error %q, next attempt %v, want %d, %q, %v", i+1, n.Attempts, n.LastError, n.NextAttempt, i+1, reason, want)
		}
	}
	if err := s.db.NoticeDelivered(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if ns := s.pending(); len(ns) != 0 {
		t.Errorf("PendingNotices after delivery: got %v, want none", noticeHashes(ns))
	}
}

func TestOutbox_ChainOrder(t *testing.T) {
	s := newOutboxStory(t)
	a, b, c, d, foreign := hash(0x91), hash(0x92), hash(0x93), hash(0x94), hash(0x95)
	// Reported in another order than the chain's; d is indexed before it is reported.
	s.report("guild", a)
	s.report("guild", b)
	s.index(block(0, 2), block(0, 2), []common.Hash{c, foreign, b, d}, trustOp(resA, h1, 5), depositOp(resA, h2, 1), depositOp(resA, alice, 2), trustOp(resA, h2, 3))
	s.index(block(0, 3), block(0, 3), []common.Hash{a}, trustOp(resA, h2, 4))
	s.report("guild", c)
	s.report("guild", d)
	want := []common.Hash{c, b, d, a}
	if got := noticeHashes(s.pending()); !same(got, want) {
		t.Errorf("PendingNotices: got %v, want %v", got, want)
	}
	ns, err := s.db.PendingNotices(t.Context(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := noticeHashes(ns); !same(got, want[:2]) {
		t.Errorf("PendingNotices(limit 2): got %v, want %v", got, want[:2])
	}
	for _, n := range s.pending() {
		for _, e := range n.Events {
			if e.TxHash != n.TxHash {
				t.Errorf("notice of %s: got an event of %s, want only its own", n.TxHash, e.TxHash)
			}
		}
	}
}

func TestOutbox_Channel(t *testing.T) {
	for _, c := range []struct {
		name, guild string
		setup       map[string]string // guild → /setup channel
		want        string
	}{
		{"no /setup channel: the command's", "guild", nil, "channel"},
		{"the guild's /setup channel", "guild", map[string]string{"guild": "notices"}, "notices"},
		{"another guild's /setup channel does not count", "guild", map[string]string{"other": "notices"}, "channel"},
		{"a request without a guild", "", map[string]string{"guild": "notices"}, "channel"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := newOutboxStory(t)
			for g, ch := range c.setup {
				if err := s.db.SetNoticeChannel(t.Context(), g, ch); err != nil {
					t.Fatal(err)
				}
			}
			tx := hash(0xa1)
			s.report(c.guild, tx)
			s.index(block(0, 2), block(0, 2), []common.Hash{tx}, trustOp(resA, h1, 5))
			ns := s.pending()
			if len(ns) != 1 || ns[0].Channel != c.want {
				t.Errorf("PendingNotices: got %+v, want one notice for channel %q", ns, c.want)
			}
		})
	}
}
