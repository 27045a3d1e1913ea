package storetest_test

import (
	"context"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/store"
	"github.com/trustbot/trustbot/store/storetest"
)

// run stores the same story in a new database: a signing request (with this id) whose one call
// was sent as tx, on a clock shifted by shift; edit changes the request first.
func run(t *testing.T, id string, shift time.Duration, edit func(*trustbot.SigningRequest)) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "trustbot.db")
	now := func() time.Time { return time.Now().Add(shift) }
	db, err := store.Open(ctx, path, now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	trip, err := db.StartTrip(ctx, trustbot.Trip{GuildID: "guild", ChannelID: "channel", Name: "Lisbon", StartedBy: "alice",
		Asset: trustbot.Token{Symbol: "ETH", Decimals: 18}, Members: []trustbot.Member{{ID: "alice", Name: "Alice"}, {ID: "bob", Name: "Bob"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddExpense(ctx, trustbot.Entry{TripID: trip.ID, Memo: "dinner", Payer: "bob", Asset: trip.Asset, Amount: big.NewInt(2),
		Parts: []trustbot.SplitPart{{Member: trip.Members[0], Weight: 1}, {Member: trip.Members[1], Weight: 1}}}); err != nil {
		t.Fatal(err)
	}
	// The request settles alice's share of it.
	r := trustbot.SigningRequest{
		ID: id, GuildID: "guild", ChannelID: "channel", UserID: "alice", InteractionToken: "token",
		Signer: common.HexToAddress("0x" + strings.Repeat("11", 20)), ChainID: 1337, Kind: "settle", Summary: "Pay @bob 1 wei.",
		Calls:     []trustbot.Call{{To: common.HexToAddress("0x" + strings.Repeat("22", 20)), Data: []byte{1}, Value: new(big.Int)}},
		ExpiresAt: now().Add(15 * time.Minute),
		Ledger:    &trustbot.LedgerNote{TripID: trip.ID, Creditor: "bob", Asset: trip.Asset, Amount: big.NewInt(1)},
	}
	if edit != nil {
		edit(&r)
	}
	if _, err := db.CreateRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	tx := common.HexToHash("0x" + strings.Repeat("ab", 32))
	if _, err := db.RecordTx(ctx, id, 0, tx); err != nil {
		t.Fatal(err)
	}
	// Its log is indexed: the outbox owes its notice.
	b := trustbot.Block{Number: 7, Hash: common.HexToHash("0x07")}
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: b, Events: []trustbot.Event{{Block: b, TxHash: tx,
		Address: common.HexToAddress("0x" + strings.Repeat("33", 20)), Data: &trustbot.Deposited{Amount: big.NewInt(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.ConfirmTx(ctx, tx, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := db.EndTrip(ctx, trip.ID); err != nil {
		t.Fatal(err)
	}
	ro := storetest.OpenReadOnly(t, path)
	defer ro.Close()
	return storetest.Digest(t, ro, nil)
}

func TestDigest(t *testing.T) {
	base := run(t, "request-id-aaaaaaaaaaaa", 0, nil)
	if !strings.Contains(base, "table signing_requests: 1 rows") || !strings.Contains(base, "id=signing_requests#1") ||
		!strings.Contains(base, "table outbox: 1 rows") || !strings.Contains(base, "table ledger_entries: 2 rows") ||
		!strings.Contains(base, "request_id=signing_requests#1 trip_id=1") || !strings.Contains(base, "ended_at=time") {
		t.Fatalf("digest: got\n%s\nwant the request, its id numbered, its notice, and the trip it settles in", base)
	}
	// Another random id and another clock: the same story.
	if got := run(t, "request-id-bbbbbbbbbbbb", time.Hour, nil); got != base {
		t.Errorf("same story, other id and clock: got a different digest\n%s", storetest.LineDiff(got, base))
	}
	// Any other difference shows.
	for name, edit := range map[string]func(*trustbot.SigningRequest){
		"summary": func(r *trustbot.SigningRequest) { r.Summary = "Pay @bob 2 wei." },
		"amount":  func(r *trustbot.SigningRequest) { r.Ledger.Amount = big.NewInt(2) },
		"call":    func(r *trustbot.SigningRequest) { r.Calls[0].Data = []byte{2} },
		"user":    func(r *trustbot.SigningRequest) { r.UserID = "carol" },
	} {
		if got := run(t, "request-id-cccccccccccc", 0, edit); got == base {
			t.Errorf("%s changed: got the same digest, want a different one", name)
		}
	}
}
