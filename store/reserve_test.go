package store_test

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

// withFigures is r as the store returns it: with its outstanding supply and backing (zero when
// not given).
func withFigures(r trustbot.Reserve, outstanding, backing int64) trustbot.Reserve {
	r.Outstanding, r.Backing = big.NewInt(outstanding), big.NewInt(backing)
	return r
}

func TestReserves(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	alice, bob := addr(1), addr(2)
	usd := trustbot.Token{Address: addr(50), Symbol: "USD", Decimals: 6}

	if rs, err := db.Reserves(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("Reserves of an empty store: got %v, %v, want none", rs, err)
	}
	aliceUSD := trustbot.Reserve{Address: addr(10), Issuer: alice, Asset: usd, ChainID: 1337, CreatedBlock: 7,
		Name: "Alice trust USD", Symbol: "tUSD-alice", Decimals: 6}
	got, err := db.AddReserve(ctx, aliceUSD)
	if err != nil {
		t.Fatal(err)
	}
	aliceUSD = withFigures(aliceUSD, 0, 0)
	if !same(got, aliceUSD) {
		t.Errorf("AddReserve: got %s, want %s", show(got), show(aliceUSD))
	}
	aliceETH := trustbot.Reserve{Address: addr(11), Issuer: alice, ChainID: 1337, CreatedBlock: 3,
		Name: "Alice trust ETH", Symbol: "tETH-alice", Decimals: 18}
	bobLayer := trustbot.Reserve{Address: addr(12), Issuer: bob, Asset: aliceUSD.Token(), ChainID: 1337, CreatedBlock: 9,
		Name: "Bob on Alice", Symbol: "tUSD-bob", Decimals: 6}
	for _, r := range []*trustbot.Reserve{&aliceETH, &bobLayer} {
		if _, err := db.AddReserve(ctx, *r); err != nil {
			t.Fatal(err)
		}
		*r = withFigures(*r, 0, 0)
	}

	if rs, err := db.Reserves(ctx); err != nil || !same(rs, []trustbot.Reserve{aliceETH, aliceUSD, bobLayer}) {
		t.Errorf("Reserves: got %s, %v, want by creation block", show(rs), err)
	}
	if r, err := db.Reserve(ctx, bobLayer.Address); err != nil || !same(r, bobLayer) {
		t.Errorf("Reserve(bob's): got %s, %v, want %s", show(r), err, show(bobLayer))
	}
	_, err = db.Reserve(ctx, addr(99))
	wantCode(t, err, trustbot.ENotFound)

	// The asset's symbol and decimals, for a reserve found before the store kept them.
	if err := db.SetAssetToken(ctx, aliceETH.Address, trustbot.Token{Symbol: "ETH", Decimals: 18}); err != nil {
		t.Fatal(err)
	}
	aliceETH.Asset = trustbot.Token{Symbol: "ETH", Decimals: 18}
	if r, err := db.Reserve(ctx, aliceETH.Address); err != nil || !same(r, aliceETH) {
		t.Errorf("Reserve after SetAssetToken: got %s, %v, want %s", show(r), err, show(aliceETH))
	}

	// Seen again (after a reorg, in another block): updated, not duplicated, and its
	// projection is kept.
	mint := trustbot.Event{Block: block(0, 8), TxHash: hash(1), Address: aliceUSD.Address,
		Data: &trustbot.Transfer{To: addr(3), Amount: big.NewInt(5)}}
	if _, err := db.ApplyChunk(ctx, store.Chunk{Cursor: block(0, 8), Events: []trustbot.Event{mint}}); err != nil {
		t.Fatal(err)
	}
	moved := aliceUSD
	moved.CreatedBlock = 8
	if _, err := db.AddReserve(ctx, moved); err != nil {
		t.Fatal(err)
	}
	moved = withFigures(moved, 5, 0)
	if r, err := db.Reserve(ctx, aliceUSD.Address); err != nil || !same(r, moved) {
		t.Errorf("Reserve after re-adding: got %s, %v, want %s", show(r), err, show(moved))
	}
	if rs, _ := db.Reserves(ctx); len(rs) != 3 {
		t.Errorf("Reserves after re-adding: got %d, want 3", len(rs))
	}

	// A second reserve for the same issuer and asset.
	dup := aliceUSD
	dup.Address = addr(13)
	_, err = db.AddReserve(ctx, dup)
	wantCode(t, err, trustbot.EConflict)
}

func TestAddReserve_Invalid(t *testing.T) {
	db, _, _ := newDB(t)
	valid := trustbot.Reserve{Address: addr(10), Issuer: addr(1), Asset: trustbot.Token{Address: addr(2)}, ChainID: 1, Decimals: 6}
	for _, c := range []struct {
		name string
		edit func(*trustbot.Reserve)
	}{
		{"no address", func(r *trustbot.Reserve) { r.Address = common.Address{} }},
		{"no issuer", func(r *trustbot.Reserve) { r.Issuer = common.Address{} }},
		{"chain 0", func(r *trustbot.Reserve) { r.ChainID = 0 }},
		{"chain too big", func(r *trustbot.Reserve) { r.ChainID = 1 << 63 }},
		{"block too big", func(r *trustbot.Reserve) { r.CreatedBlock = 1 << 63 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := valid
			c.edit(&r)
			_, err := db.AddReserve(t.Context(), r)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
	if rs, err := db.Reserves(t.Context()); err != nil || len(rs) != 0 {
		t.Errorf("Reserves after refused adds: got %d, %v, want none", len(rs), err)
	}
}
