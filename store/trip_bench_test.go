package store_test

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// bigTrip builds a trip of 50 members and 10,000 expenses of 3 to 6 shares each (equal,
// weighted, exact and mixed splits), through AddExpense.
func bigTrip(b *testing.B) (*store.DB, trustbot.Trip) {
	b.Helper()
	const nMembers, nEntries = 50, 10_000
	db, _, _ := newDB(b)
	ctx := b.Context()
	var ms []trustbot.Member
	for i := range nMembers {
		ms = append(ms, trustbot.Member{ID: fmt.Sprintf("m%02d", i), Name: fmt.Sprintf("Member %d", i)})
	}
	tr, err := db.StartTrip(ctx, trustbot.Trip{GuildID: "guild", ChannelID: "channel", Name: "Big", Asset: usdToken, StartedBy: ms[0].ID, Members: ms})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Now()
	for i := range nEntries {
		amount := big.NewInt(1 + rng.Int64N(500_000_000))
		perm := rng.Perm(nMembers)[:3+rng.IntN(4)]
		parts := make([]trustbot.SplitPart, len(perm))
		for j, k := range perm {
			parts[j] = trustbot.SplitPart{Member: ms[k], Weight: 1}
		}
		switch i % 4 {
		case 1:
			for j := range parts {
				parts[j].Weight = 1 + rng.Int64N(4)
			}
		case 2:
			left := new(big.Int).Set(amount)
			for j := range parts[:len(parts)-1] {
				piece := new(big.Int).Quo(left, big.NewInt(2))
				parts[j].Exact, left = piece, left.Sub(left, piece)
			}
			parts[len(parts)-1].Exact = left
		case 3:
			parts[0].Exact = new(big.Int).Quo(amount, big.NewInt(3))
		}
		if _, err := db.AddExpense(ctx, trustbot.Entry{TripID: tr.ID, Memo: fmt.Sprint("expense ", i), Payer: ms[rng.IntN(nMembers)].ID,
			Asset: usdToken, Amount: amount, Parts: parts}); err != nil {
			b.Fatalf("AddExpense %d: %v", i, err)
		}
	}
	b.Logf("built a trip of %d members and %d entries in %v (%.0f AddExpense/s)", nMembers, nEntries, time.Since(t0).Round(time.Millisecond),
		nEntries/time.Since(t0).Seconds())
	return db, tr
}

// BenchmarkTripBalances reads the balances of a trip of 50 members and 10,000 entries, as
// /trip balance and /settle do; the floor for those commands is 50 ms.
func BenchmarkTripBalances(b *testing.B) {
	db, tr := bigTrip(b)
	ctx := b.Context()
	b.ResetTimer()
	for b.Loop() {
		bs, err := db.TripBalances(ctx, tr.ID)
		if err != nil {
			b.Fatal(err)
		}
		if len(bs) != 50 {
			b.Fatalf("got %d balances, want 50", len(bs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/read")
}

// BenchmarkTripEntries reads every entry of a trip of 50 members and 10,000 entries, with their
// shares, as /trip export does.
func BenchmarkTripEntries(b *testing.B) {
	db, tr := bigTrip(b)
	ctx := b.Context()
	b.ResetTimer()
	for b.Loop() {
		es, err := db.TripEntries(ctx, tr.ID)
		if err != nil {
			b.Fatal(err)
		}
		if len(es) != 10_000 {
			b.Fatalf("got %d entries, want 10,000", len(es))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/read")
}

// BenchmarkApplyChunkWithTrip applies chunks of 1,000 redemptions (one burn a transaction, by
// ten holders who linked their wallets): with an open trip they are in, each burn becoming an
// entry; with an open trip they are not in, each burn looked at and left out; and with no
// trip, where the ledger costs one query a chunk.
func BenchmarkApplyChunkWithTrip(b *testing.B) {
	const perChunk, holders = 1_000, 10
	for _, c := range []struct {
		name             string
		withTrip, inTrip bool
	}{{"open trip", true, true}, {"open trip of others", true, false}, {"no trip", false, false}} {
		withTrip := c.withTrip
		b.Run(c.name, func(b *testing.B) {
			db, _, _ := newDB(b)
			ctx := b.Context()
			createReserves(b, db)
			if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "bob", Address: bob, ChainID: 1337, Method: "siwe"}); err != nil {
				b.Fatal(err)
			}
			ms := []trustbot.Member{member("bob")}
			var setup [][]ev
			for i := range holders {
				id := fmt.Sprintf("holder%d", i)
				if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: id, Address: addr(300 + i), ChainID: 1337, Method: "siwe"}); err != nil {
					b.Fatal(err)
				}
				if c.inTrip {
					ms = append(ms, trustbot.Member{ID: id, Name: id})
				}
				setup = append(setup, trustOp(resU, addr(300+i), 1_000_000_000_000_000))
			}
			setup = append(setup, depositOp(resU, bob, 1_000_000_000_000_000))
			n := 2
			evs := blockOf(block(0, n), func(i int) common.Hash { return hash(0x5000 + i) }, setup...)
			if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, n), Events: evs}); err != nil {
				b.Fatal(err)
			}
			var tr trustbot.Trip
			if withTrip {
				var err error
				if tr, err = db.StartTrip(ctx, trustbot.Trip{GuildID: "guild", ChannelID: "channel", Name: "Bench", Asset: usdToken, StartedBy: "bob", Members: ms}); err != nil {
					b.Fatal(err)
				}
			}
			var elapsed time.Duration
			chunks := 0
			for b.Loop() {
				n++
				evs := make([]trustbot.Event, perChunk)
				for j := range evs {
					evs[j] = trustbot.Event{Block: block(0, n), LogIndex: uint(j), TxHash: common.HexToHash(fmt.Sprintf("0x%056x%08x", n, j)),
						Address: resU, Data: &trustbot.Transfer{From: addr(300 + j%holders), Amount: big.NewInt(int64(1 + j))}}
				}
				t0 := time.Now()
				applied, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, n), Events: evs})
				elapsed += time.Since(t0)
				if err != nil {
					b.Fatal(err)
				}
				if applied != perChunk {
					b.Fatalf("applied: got %d, want %d", applied, perChunk)
				}
				chunks++
			}
			if withTrip {
				es, err := db.TripEntries(ctx, tr.ID)
				if err != nil {
					b.Fatal(err)
				}
				if want := chunks * perChunk; !c.inTrip && len(es) != 0 || c.inTrip && len(es) != want {
					b.Fatalf("got %d entries, want one a burn of its members', %d", len(es), chunks*perChunk)
				}
			}
			b.ReportMetric(float64(chunks*perChunk)/elapsed.Seconds(), "logs/s")
			b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(chunks), "ms/chunk")
		})
	}
}
