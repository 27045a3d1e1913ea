package store_test

import (
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// blockHash is the hash of block n on fork f.
func blockHash(f, n int) common.Hash { return common.HexToHash(fmt.Sprintf("0x%032x%032x", f, n)) }

// block is block n on fork f.
func block(f, n int) trustbot.Block { return trustbot.Block{Number: uint64(n), Hash: blockHash(f, n)} }

// logsIn makes k events in block n of fork f, emitted by addr(10+i%2), which are not known
// reserves (the events are kept, with no projection): Trusted by addr(10), Deposited by addr(11).
func logsIn(f, n, k int) []trustbot.Event {
	var es []trustbot.Event
	for i := range k {
		amount := big.NewInt(int64(1_000_000 * (i + 1)))
		var d trustbot.EventData = &trustbot.Trusted{Holder: addr(3), Amount: amount}
		if i%2 == 1 {
			d = &trustbot.Deposited{From: addr(3), Amount: amount}
		}
		es = append(es, trustbot.Event{
			Block:    block(f, n),
			LogIndex: uint(i),
			TxHash:   hash(1000*n + i),
			Address:  addr(10 + i%2),
			Data:     d,
		})
	}
	return es
}

func TestApplyChunk_Idempotent(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	_, err := db.Cursor(ctx)
	wantCode(t, err, trustbot.ENotFound)

	evs := append(logsIn(0, 10, 2), logsIn(0, 11, 1)...)
	cursor := block(0, 12)
	applied, err := db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: evs})
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(evs) {
		t.Errorf("first ApplyChunk: got %d applied, want %d", applied, len(evs))
	}
	if got, err := db.Cursor(ctx); err != nil || got != cursor {
		t.Errorf("Cursor: got %+v, %v, want %+v", got, err, cursor)
	}

	clk.Add(time.Minute)
	again, err := db.ApplyChunk(ctx, store.Chunk{Cursor: cursor, Events: evs})
	if err != nil {
		t.Fatal(err)
	}
	if again != 0 {
		t.Errorf("second ApplyChunk of the same logs: got %d applied, want 0", again)
	}
	// Overlapping chunk: only the new log is applied.
	more := append(logsIn(0, 11, 1), logsIn(0, 13, 1)...)
	applied, err = db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 13), Events: more})
	if err != nil {
		t.Fatal(err)
	}
	if applied != 1 {
		t.Errorf("overlapping ApplyChunk: got %d applied, want 1", applied)
	}
	all, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if want := append(append([]trustbot.Event{}, evs...), more[1:]...); !same(all, want) {
		t.Errorf("Events: got %s, want %s", show(all), show(want))
	}
	// An empty chunk just moves the cursor.
	empty := block(0, 20)
	if applied, err := db.ApplyChunk(ctx, store.Chunk{Cursor: empty}); err != nil || applied != 0 {
		t.Errorf("empty ApplyChunk: got %d, %v, want 0, nil", applied, err)
	}
	if got, err := db.Cursor(ctx); err != nil || got != empty {
		t.Errorf("Cursor after an empty chunk: got %+v, %v, want %+v", got, err, empty)
	}
}

// TestApplyChunk_OneTransaction checks that a failing chunk leaves neither its reserves, its
// events, its projection nor the cursor behind.
func TestApplyChunk_OneTransaction(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	known := trustbot.Reserve{Address: addr(20), Issuer: addr(1), ChainID: 1337, CreatedBlock: 1, Name: "Alice ETH", Symbol: "tETH", Decimals: 18}
	if _, err := db.AddReserve(ctx, known); err != nil {
		t.Fatal(err)
	}
	first := block(0, 5)
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: first, Events: logsIn(0, 5, 1)}); err != nil {
		t.Fatal(err)
	}
	before, err := db.Web(ctx)
	if err != nil {
		t.Fatal(err)
	}
	newReserve := func(a, issuer int) trustbot.Reserve {
		return trustbot.Reserve{Address: addr(a), Issuer: addr(issuer), ChainID: 1337, CreatedBlock: 8, Name: "R", Symbol: "tR", Decimals: 18}
	}
	mint := trustbot.Event{Block: block(0, 8), LogIndex: 0, TxHash: hash(8000), Address: addr(20),
		Data: &trustbot.Transfer{To: addr(3), Amount: big.NewInt(5)}}
	for _, c := range []struct {
		name string
		c    store.Chunk
		code string
	}{
		{"bad event last", store.Chunk{Cursor: block(0, 9), Reserves: []trustbot.Reserve{newReserve(30, 7)},
			Events: append(append([]trustbot.Event{mint}, logsIn(0, 8, 2)[1:]...), trustbot.Event{Block: block(0, 8), LogIndex: 5, Address: addr(10),
				Data: &trustbot.Trusted{Holder: addr(3), Amount: big.NewInt(1)}})}, // no transaction hash
			trustbot.EInvalid},
		{"event past the cursor", store.Chunk{Cursor: block(0, 9), Events: append(logsIn(0, 8, 2), logsIn(0, 10, 1)...)}, trustbot.EInvalid},
		{"event without a payload", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: block(0, 8), TxHash: hash(1), Address: addr(10)}}}, trustbot.EInvalid},
		{"event without a block hash", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: trustbot.Block{Number: 8}, TxHash: hash(1), Address: addr(10), Data: &trustbot.Revoked{Amount: big.NewInt(1)}}}},
			trustbot.EInvalid},
		{"event without an amount", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: block(0, 8), TxHash: hash(1), Address: addr(20), Data: &trustbot.Transfer{To: addr(3)}}}}, trustbot.EInvalid},
		{"negative amount", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: block(0, 8), TxHash: hash(1), Address: addr(20), Data: &trustbot.Trusted{Holder: addr(3), Amount: big.NewInt(-1)}}}}, trustbot.EInvalid},
		{"amount above uint256", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: block(0, 8), TxHash: hash(1), Address: addr(20), Data: &trustbot.Deposited{Amount: new(big.Int).Lsh(big.NewInt(1), 256)}}}}, trustbot.EInvalid},
		{"nil payload pointer", store.Chunk{Cursor: block(0, 9),
			Events: []trustbot.Event{{Block: block(0, 8), TxHash: hash(1), Address: addr(20), Data: (*trustbot.Revoked)(nil)}}}, trustbot.EInvalid},
		{"cursor without a hash", store.Chunk{Cursor: trustbot.Block{Number: 9}, Events: logsIn(0, 8, 1)}, trustbot.EInvalid},
		{"cursor backwards", store.Chunk{Cursor: block(0, 4), Events: logsIn(0, 4, 1)}, trustbot.EConflict},
		{"cursor forked at the same height", store.Chunk{Cursor: block(1, 5), Events: logsIn(1, 5, 1)}, trustbot.EConflict},
		{"reserve in conflict", store.Chunk{Cursor: block(0, 9), Events: []trustbot.Event{mint},
			Reserves: []trustbot.Reserve{newReserve(30, 7), newReserve(31, 7)}}, trustbot.EConflict},
		{"balance below zero", store.Chunk{Cursor: block(0, 9), Reserves: []trustbot.Reserve{newReserve(30, 7)},
			Events: []trustbot.Event{mint, {Block: block(0, 8), LogIndex: 1, TxHash: hash(8001), Address: addr(20),
				Data: &trustbot.Transfer{From: addr(4), To: addr(5), Amount: big.NewInt(1)}}}}, trustbot.EInternal},
	} {
		t.Run(c.name, func(t *testing.T) {
			applied, err := db.ApplyChunk(t.Context(), c.c)
			wantCode(t, err, c.code)
			if applied != 0 {
				t.Errorf("applied: got %d, want 0", applied)
			}
			if got, err := db.Cursor(t.Context()); err != nil || got != first {
				t.Errorf("Cursor: got %+v, %v, want %+v", got, err, first)
			}
			if all, err := db.Events(t.Context(), store.EventFilter{}); err != nil || len(all) != 1 {
				t.Errorf("Events: got %d, %v, want 1", len(all), err)
			}
			if web, err := db.Web(t.Context()); err != nil || !same(web, before) {
				t.Errorf("Web: got %s, %v, want %s", show(web), err, show(before))
			}
		})
	}
}

// TestEvents_Payloads checks that every payload type comes back as applied, amounts up to
// 2^256 − 1 included.
func TestEvents_Payloads(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	max := new(big.Int).Set(trustbot.MaxUint256())
	payloads := []trustbot.EventData{
		&trustbot.ReserveCreated{Reserve: addr(10), Issuer: addr(1), Asset: addr(2)},
		&trustbot.Transfer{From: addr(3), To: addr(4), Amount: max},
		&trustbot.Transfer{To: addr(4), Amount: big.NewInt(1)},
		&trustbot.Trusted{Holder: addr(4), Amount: big.NewInt(2)},
		&trustbot.Transfer{From: addr(4), Amount: new(big.Int)},
		&trustbot.Revoked{Amount: max},
		&trustbot.Deposited{From: addr(5), Amount: big.NewInt(3)},
		&trustbot.Withdrawn{To: addr(6), Amount: big.NewInt(4)},
	}
	var evs []trustbot.Event
	for i, d := range payloads {
		evs = append(evs, trustbot.Event{Block: block(0, 1), LogIndex: uint(i), TxHash: hash(1 + i/2), Address: addr(11), Data: d})
	}
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 1), Events: evs}); err != nil {
		t.Fatal(err)
	}
	got, err := db.Events(ctx, store.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !same(got, evs) {
		t.Errorf("Events: got %s, want %s", show(got), show(evs))
	}
}

func TestRollbackTo(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	var evs []trustbot.Event
	for n := 10; n <= 13; n++ {
		evs = append(evs, logsIn(0, n, 2)...)
	}
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 13), Events: evs}); err != nil {
		t.Fatal(err)
	}

	_, err := db.RollbackTo(ctx, block(0, 14))
	wantCode(t, err, trustbot.EInvalid)
	_, err = db.RollbackTo(ctx, trustbot.Block{Number: 1 << 63, Hash: blockHash(0, 1)})
	wantCode(t, err, trustbot.EInvalid)

	removed, err := db.RollbackTo(ctx, block(0, 11))
	if err != nil {
		t.Fatal(err)
	}
	if !same(removed, evs[4:]) {
		t.Errorf("RollbackTo(11): got %s, want %s", show(removed), show(evs[4:]))
	}
	if got, err := db.Cursor(ctx); err != nil || got != block(0, 11) {
		t.Errorf("Cursor after rollback: got %+v, %v, want block 11", got, err)
	}
	if left, err := db.Events(ctx, store.EventFilter{}); err != nil || !same(left, evs[:4]) {
		t.Errorf("Events after rollback: got %s, %v, want blocks 10 and 11", show(left), err)
	}

	// The new fork applies, including a log at the same index in block 12.
	clk.Add(time.Second)
	fork := append(logsIn(1, 12, 1), logsIn(1, 13, 3)...)
	applied, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(1, 13), Events: fork})
	if err != nil {
		t.Fatal(err)
	}
	if applied != len(fork) {
		t.Errorf("ApplyChunk on the new fork: got %d applied, want %d", applied, len(fork))
	}
	// Rolling back to the current cursor removes nothing.
	if removed, err := db.RollbackTo(ctx, block(1, 13)); err != nil || len(removed) != 0 {
		t.Errorf("RollbackTo(cursor): got %d removed, %v, want 0", len(removed), err)
	}
	// Before any cursor, RollbackTo just sets it.
	db2, _, _ := newDB(t)
	if removed, err := db2.RollbackTo(ctx, block(0, 100)); err != nil || len(removed) != 0 {
		t.Errorf("RollbackTo on an empty store: got %d, %v, want 0, nil", len(removed), err)
	}
	if got, err := db2.Cursor(ctx); err != nil || got != block(0, 100) {
		t.Errorf("Cursor: got %+v, %v, want block 100", got, err)
	}
}

func TestEvents_Filter(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	var evs []trustbot.Event
	for n := 1; n <= 5; n++ {
		evs = append(evs, logsIn(0, n, 2)...) // per block: Trusted by addr(10), Deposited by addr(11)
	}
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 5), Events: evs}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		filter store.EventFilter
		want   []trustbot.Event
	}{
		{"all", store.EventFilter{}, evs},
		{"by emitter", store.EventFilter{Address: addr(11)}, []trustbot.Event{evs[1], evs[3], evs[5], evs[7], evs[9]}},
		{"by transaction", store.EventFilter{TxHash: evs[4].TxHash}, []trustbot.Event{evs[4]}},
		{"from block", store.EventFilter{FromBlock: 4}, evs[6:]},
		{"block range", store.EventFilter{FromBlock: 2, ToBlock: 3}, evs[2:6]},
		{"combined", store.EventFilter{Address: addr(11), FromBlock: 2, ToBlock: 4}, []trustbot.Event{evs[3], evs[5], evs[7]}},
		{"limit", store.EventFilter{Limit: 3}, evs[:3]},
		{"nothing", store.EventFilter{Address: addr(99)}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := db.Events(t.Context(), c.filter)
			if err != nil {
				t.Fatal(err)
			}
			if !same(got, c.want) {
				t.Errorf("Events(%+v): got %s, want %s", c.filter, show(got), show(c.want))
			}
		})
	}
	for _, f := range []store.EventFilter{{Limit: -1}, {ToBlock: 1 << 63}, {FromBlock: 1 << 63}} {
		_, err := db.Events(ctx, f)
		wantCode(t, err, trustbot.EInvalid)
	}
}

// BenchmarkApplyChunk applies 100,000 logs in chunks of 2,000 (one chunk per 100 blocks of 20
// logs), as the indexer would over a long catch-up: mints of 16 known reserves, so the
// projection is kept as well.
func BenchmarkApplyChunk(b *testing.B) {
	const total, perBlock, perChunk = 100_000, 20, 2_000
	db, _, _ := newDB(b)
	ctx := b.Context()
	for j := range 16 {
		if _, err := db.AddReserve(ctx, trustbot.Reserve{Address: addr(10 + j), Issuer: addr(1000 + j), ChainID: 1337,
			Name: "R", Symbol: "tR", Decimals: 18}); err != nil {
			b.Fatal(err)
		}
	}
	n := 0
	var elapsed time.Duration
	for i := range b.N {
		b.StopTimer()
		chunks := make([]store.Chunk, 0, total/perChunk)
		for range total / perChunk {
			evs := make([]trustbot.Event, 0, perChunk)
			for range perChunk / perBlock {
				n++
				for j := range perBlock {
					evs = append(evs, trustbot.Event{
						Block:    block(i, n),
						LogIndex: uint(j),
						TxHash:   common.HexToHash(fmt.Sprintf("0x%056x%08x", n, j)),
						Address:  addr(10 + j%16),
						Data:     &trustbot.Transfer{To: addr(j + 1), Amount: big.NewInt(123456789000000000)},
					})
				}
			}
			chunks = append(chunks, store.Chunk{Cursor: block(i, n), Events: evs})
		}
		b.StartTimer()
		t0 := time.Now()
		for _, c := range chunks {
			applied, err := db.ApplyChunk(ctx, c)
			if err != nil {
				b.Fatal(err)
			}
			if applied != len(c.Events) {
				b.Fatalf("applied: got %d, want %d", applied, len(c.Events))
			}
		}
		elapsed += time.Since(t0)
	}
	b.ReportMetric(float64(total*b.N)/elapsed.Seconds(), "logs/s")
}
