package store_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// blockHash is the hash of block n on fork f.
func blockHash(f, n int) string { return fmt.Sprintf("0x%032x%032x", f, n) }

// logsIn makes k events in block n of fork f, emitted by addr(10+i%2).
func logsIn(f, n, k int) []store.Event {
	var es []store.Event
	for i := range k {
		es = append(es, store.Event{
			BlockNumber: uint64(n),
			BlockHash:   blockHash(f, n),
			LogIndex:    uint(i),
			TxHash:      hash(1000*n + i),
			Address:     addr(10 + i%2),
			Name:        []string{"Trusted", "Redeemed"}[i%2],
			Args:        map[string]string{"holder": addr(3), "amount": fmt.Sprint(1_000_000 * (i + 1))},
		})
	}
	return es
}

func withApplied(es []store.Event, at time.Time) []store.Event {
	out := make([]store.Event, len(es))
	for i, e := range es {
		e.AppliedAt = at
		out[i] = e
	}
	return out
}

func TestApplyEvents_Idempotent(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	_, err := db.Cursor(ctx)
	wantCode(t, err, trustbot.ENotFound)

	evs := append(logsIn(0, 10, 2), logsIn(0, 11, 1)...)
	cursor := store.Cursor{Number: 12, Hash: blockHash(0, 12)}
	applied, err := db.ApplyEvents(ctx, cursor, evs)
	if err != nil {
		t.Fatal(err)
	}
	if want := withApplied(evs, start); !equalEvents(applied, want) {
		t.Errorf("first ApplyEvents: got %+v, want %+v", applied, want)
	}
	if got, err := db.Cursor(ctx); err != nil || got != cursor {
		t.Errorf("Cursor: got %+v, %v, want %+v", got, err, cursor)
	}

	clk.Add(time.Minute)
	again, err := db.ApplyEvents(ctx, cursor, evs)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Errorf("second ApplyEvents of the same logs: got %d applied, want 0", len(again))
	}
	// Overlapping batch: only the new log is applied.
	more := append(logsIn(0, 11, 1), logsIn(0, 13, 1)...)
	next := store.Cursor{Number: 13, Hash: blockHash(0, 13)}
	applied, err = db.ApplyEvents(ctx, next, more)
	if err != nil {
		t.Fatal(err)
	}
	if want := withApplied(more[1:], start.Add(time.Minute)); !equalEvents(applied, want) {
		t.Errorf("overlapping ApplyEvents: got %+v, want %+v", applied, want)
	}
	all, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := append(withApplied(evs, start), withApplied(more[1:], start.Add(time.Minute))...); !equalEvents(all, want) {
		t.Errorf("Events: got %+v, want %+v", all, want)
	}
	// An empty batch just moves the cursor.
	empty := store.Cursor{Number: 20, Hash: blockHash(0, 20)}
	if applied, err := db.ApplyEvents(ctx, empty, nil); err != nil || len(applied) != 0 {
		t.Errorf("empty ApplyEvents: got %d, %v, want 0, nil", len(applied), err)
	}
	if got, err := db.Cursor(ctx); err != nil || got != empty {
		t.Errorf("Cursor after an empty batch: got %+v, %v, want %+v", got, err, empty)
	}
}

// TestApplyEvents_OneTransaction checks that a failing batch leaves neither
// its events nor the cursor behind.
func TestApplyEvents_OneTransaction(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	first := store.Cursor{Number: 5, Hash: blockHash(0, 5)}
	if _, err := db.ApplyEvents(ctx, first, logsIn(0, 5, 1)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		cursor store.Cursor
		events []store.Event
		code   string
	}{
		{"bad event last", store.Cursor{Number: 9, Hash: blockHash(0, 9)},
			append(logsIn(0, 8, 2), store.Event{BlockNumber: 8, BlockHash: blockHash(0, 8), LogIndex: 5, TxHash: hash(1), Address: "0xnope", Name: "Trusted"}),
			trustbot.EInvalid},
		{"event past the cursor", store.Cursor{Number: 9, Hash: blockHash(0, 9)},
			append(logsIn(0, 8, 2), logsIn(0, 10, 1)...), trustbot.EInvalid},
		{"event without a name", store.Cursor{Number: 9, Hash: blockHash(0, 9)},
			[]store.Event{{BlockNumber: 8, BlockHash: blockHash(0, 8), TxHash: hash(1), Address: addr(10)}}, trustbot.EInvalid},
		{"cursor without a hash", store.Cursor{Number: 9}, logsIn(0, 8, 1), trustbot.EInvalid},
		{"cursor backwards", store.Cursor{Number: 4, Hash: blockHash(0, 4)}, logsIn(0, 4, 1), trustbot.EConflict},
		{"cursor forked at the same height", store.Cursor{Number: 5, Hash: blockHash(1, 5)}, logsIn(1, 5, 1), trustbot.EConflict},
	} {
		t.Run(c.name, func(t *testing.T) {
			applied, err := db.ApplyEvents(t.Context(), c.cursor, c.events)
			wantCode(t, err, c.code)
			if applied != nil {
				t.Errorf("applied: got %d, want none", len(applied))
			}
			if got, err := db.Cursor(t.Context()); err != nil || got != first {
				t.Errorf("Cursor: got %+v, %v, want %+v", got, err, first)
			}
			if all, err := db.Events(t.Context(), store.EventFilter{}); err != nil || len(all) != 1 {
				t.Errorf("Events: got %d, %v, want 1", len(all), err)
			}
		})
	}
}

func TestRollbackTo(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	var evs []store.Event
	for n := 10; n <= 13; n++ {
		evs = append(evs, logsIn(0, n, 2)...)
	}
	if _, err := db.ApplyEvents(ctx, store.Cursor{Number: 13, Hash: blockHash(0, 13)}, evs); err != nil {
		t.Fatal(err)
	}

	_, err := db.RollbackTo(ctx, 14, blockHash(0, 14))
	wantCode(t, err, trustbot.EInvalid)
	_, err = db.RollbackTo(ctx, 11, "0x11")
	wantCode(t, err, trustbot.EInvalid)

	removed, err := db.RollbackTo(ctx, 11, blockHash(0, 11))
	if err != nil {
		t.Fatal(err)
	}
	if want := withApplied(evs[4:], start); !equalEvents(removed, want) {
		t.Errorf("RollbackTo(11): got %+v, want %+v", removed, want)
	}
	if got, err := db.Cursor(ctx); err != nil || got != (store.Cursor{Number: 11, Hash: blockHash(0, 11)}) {
		t.Errorf("Cursor after rollback: got %+v, %v, want block 11", got, err)
	}
	if left, err := db.Events(ctx, store.EventFilter{}); err != nil || !equalEvents(left, withApplied(evs[:4], start)) {
		t.Errorf("Events after rollback: got %+v, %v, want blocks 10 and 11", left, err)
	}

	// The new fork applies, including a log at the same index in block 12.
	clk.Add(time.Second)
	fork := append(logsIn(1, 12, 1), logsIn(1, 13, 3)...)
	applied, err := db.ApplyEvents(ctx, store.Cursor{Number: 13, Hash: blockHash(1, 13)}, fork)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != len(fork) {
		t.Errorf("ApplyEvents on the new fork: got %d applied, want %d", len(applied), len(fork))
	}
	// Rolling back to the current cursor removes nothing.
	if removed, err := db.RollbackTo(ctx, 13, blockHash(1, 13)); err != nil || len(removed) != 0 {
		t.Errorf("RollbackTo(cursor): got %d removed, %v, want 0", len(removed), err)
	}
	// Before any cursor, RollbackTo just sets it.
	db2, _, _ := newDB(t)
	if removed, err := db2.RollbackTo(ctx, 100, blockHash(0, 100)); err != nil || len(removed) != 0 {
		t.Errorf("RollbackTo on an empty store: got %d, %v, want 0, nil", len(removed), err)
	}
	if got, err := db2.Cursor(ctx); err != nil || got.Number != 100 {
		t.Errorf("Cursor: got %+v, %v, want block 100", got, err)
	}
}

func TestEvents_Filter(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	var evs []store.Event
	for n := 1; n <= 5; n++ {
		evs = append(evs, logsIn(0, n, 2)...) // per block: Trusted by addr(10), Redeemed by addr(11)
	}
	evs[3].Args = nil
	if _, err := db.ApplyEvents(ctx, store.Cursor{Number: 5, Hash: blockHash(0, 5)}, evs); err != nil {
		t.Fatal(err)
	}
	evs = withApplied(evs, start)
	for _, c := range []struct {
		name   string
		filter store.EventFilter
		want   []store.Event
	}{
		{"all", store.EventFilter{}, evs},
		{"by emitter", store.EventFilter{Address: "0x" + strings.ToUpper(addr(11)[2:])},
			[]store.Event{evs[1], evs[3], evs[5], evs[7], evs[9]}},
		{"by name", store.EventFilter{Name: "Trusted"}, []store.Event{evs[0], evs[2], evs[4], evs[6], evs[8]}},
		{"by transaction", store.EventFilter{TxHash: evs[4].TxHash}, []store.Event{evs[4]}},
		{"from block", store.EventFilter{FromBlock: 4}, evs[6:]},
		{"block range", store.EventFilter{FromBlock: 2, ToBlock: 3}, evs[2:6]},
		{"combined", store.EventFilter{Name: "Redeemed", FromBlock: 2, ToBlock: 4}, []store.Event{evs[3], evs[5], evs[7]}},
		{"limit", store.EventFilter{Limit: 3}, evs[:3]},
		{"nothing", store.EventFilter{Name: "Revoked"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := db.Events(t.Context(), c.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !equalEvents(got, c.want) {
				t.Errorf("Events(%+v): got %+v, want %+v", c.filter, got, c.want)
			}
		})
	}
	for _, f := range []store.EventFilter{{Address: "x"}, {TxHash: "x"}, {Limit: -1}, {ToBlock: 1 << 63}} {
		_, err := db.Events(ctx, f)
		wantCode(t, err, trustbot.EInvalid)
	}
}

// BenchmarkApplyEvents applies 100,000 logs in batches of 2,000 (one batch
// per 100 blocks of 20 logs), as the watcher would over a long catch-up.
func BenchmarkApplyEvents(b *testing.B) {
	const total, perBlock, perBatch = 100_000, 20, 2_000
	db, _, _ := newDB(b)
	ctx := b.Context()
	block := 0
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		batches := make([][]store.Event, 0, total/perBatch)
		cursors := make([]store.Cursor, 0, total/perBatch)
		for range total / perBatch {
			batch := make([]store.Event, 0, perBatch)
			for range perBatch / perBlock {
				block++
				for j := range perBlock {
					batch = append(batch, store.Event{
						BlockNumber: uint64(block),
						BlockHash:   blockHash(i, block),
						LogIndex:    uint(j),
						TxHash:      fmt.Sprintf("0x%056x%08x", block, j),
						Address:     addr(10 + j%16),
						Name:        "Transfer",
						Args:        map[string]string{"from": addr(j), "to": addr(j + 1), "value": "123456789000000000000"},
					})
				}
			}
			batches = append(batches, batch)
			cursors = append(cursors, store.Cursor{Number: uint64(block), Hash: blockHash(i, block)})
		}
		b.StartTimer()
		t0 := time.Now()
		for k, batch := range batches {
			applied, err := db.ApplyEvents(ctx, cursors[k], batch)
			if err != nil {
				b.Fatal(err)
			}
			if len(applied) != len(batch) {
				b.Fatalf("applied: got %d, want %d", len(applied), len(batch))
			}
		}
		elapsed += time.Since(t0)
	}
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "logs/s")
}
