package main

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/commands"
	"github.com/trustbot/trustbot/store"
)

// BenchmarkTripCommands runs /trip balance (everyone, and one member with the entries behind
// their net), /settle and /trip export (both CSV files) through the command set over a SQLite store holding a trip of 50 members
// and 10,000 entries of 3 to 6 shares each: the floor is 50 ms for each. Building the trip is not
// timed.
func BenchmarkTripCommands(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "trip.db"), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	usd := trustbot.Token{Address: [20]byte{1}, Symbol: "tUSD", Decimals: 6}
	var roster []trustbot.Member
	for i := range 50 {
		roster = append(roster, trustbot.Member{ID: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("m%02d", i)})
	}
	trip, err := db.StartTrip(ctx, trustbot.Trip{GuildID: "g", ChannelID: "c", Name: "Big", Asset: usd, StartedBy: roster[0].ID, Members: roster})
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	for range 10_000 {
		payer := roster[rng.IntN(len(roster))]
		var parts []trustbot.SplitPart
		for _, k := range rng.Perm(len(roster))[:3+rng.IntN(4)] {
			parts = append(parts, trustbot.SplitPart{Member: roster[k], Weight: int64(1 + rng.IntN(3))})
		}
		amount := big.NewInt(int64(1+rng.IntN(500)) * 1_000_000)
		if _, err := db.AddExpense(ctx, trustbot.Entry{TripID: trip.ID, Memo: "lunch", Payer: payer.ID, Asset: usd, Amount: amount, Parts: parts}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("10,000 /spent entries recorded in %v", time.Since(start).Round(time.Millisecond))
	set := commands.New(commands.Services{Store: db, Assets: []trustbot.Token{usd}})
	run := func(command, sub string, options map[string]commands.Value, want string) func(*testing.B) {
		return func(b *testing.B) {
			for b.Loop() {
				reply := set.Handle(ctx, &commands.Request{GuildID: "g", ChannelID: "c", User: roster[0], Command: command, Subcommand: sub, Options: options})
				if !strings.Contains(reply.Text, want) {
					b.Fatalf("reply %q, want it to contain %q", reply.Text, want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
		}
	}
	m := roster[7]
	b.Run("trip_balance", run("trip", "balance", nil, "net"))
	b.Run("trip_balance_member", run("trip", "balance", map[string]commands.Value{"member": {Type: commands.User, Member: &m}}, "earlier entries"))
	b.Run("settle", run("settle", "", nil, "To settle the trip"))
	b.Run("trip_export", run("trip", "export", nil, "10000 entries"))
}
