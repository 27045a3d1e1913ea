package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

func TestReserves(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	alice, bob, usd, native := addr(1), addr(2), addr(50), addr(0)

	if rs, err := db.Reserves(ctx); err != nil || len(rs) != 0 {
		t.Fatalf("Reserves of an empty store: got %v, %v, want none", rs, err)
	}
	aliceUSD := store.Reserve{Address: addr(10), Issuer: alice, Asset: usd, ChainID: 1337, CreatedBlock: 7,
		Name: "Alice trust USD", Symbol: "tUSD-alice", Decimals: 6}
	mixed := aliceUSD
	mixed.Address = "0x" + strings.ToUpper(aliceUSD.Address[2:])
	mixed.Issuer = "0x" + strings.ToUpper(alice[2:])
	got, err := db.AddReserve(ctx, mixed)
	if err != nil {
		t.Fatal(err)
	}
	if got != aliceUSD {
		t.Errorf("AddReserve: got %+v, want %+v", got, aliceUSD)
	}
	aliceETH := store.Reserve{Address: addr(11), Issuer: alice, Asset: native, ChainID: 1337, CreatedBlock: 3,
		Name: "Alice trust ETH", Symbol: "tETH-alice", Decimals: 18}
	bobLayer := store.Reserve{Address: addr(12), Issuer: bob, Asset: aliceUSD.Address, ChainID: 1337, CreatedBlock: 9,
		Name: "Bob on Alice", Symbol: "tUSD-bob", Decimals: 6}
	for _, r := range []store.Reserve{aliceETH, bobLayer} {
		if _, err := db.AddReserve(ctx, r); err != nil {
			t.Fatal(err)
		}
	}

	if rs, err := db.Reserves(ctx); err != nil || !slices.Equal(rs, []store.Reserve{aliceETH, aliceUSD, bobLayer}) {
		t.Errorf("Reserves: got %+v, %v, want by creation block", rs, err)
	}
	if rs, err := db.ReservesByIssuer(ctx, alice); err != nil || !slices.Equal(rs, []store.Reserve{aliceETH, aliceUSD}) {
		t.Errorf("ReservesByIssuer(alice): got %+v, %v, want ETH then USD", rs, err)
	}
	if rs, err := db.ReservesByIssuer(ctx, addr(3)); err != nil || len(rs) != 0 {
		t.Errorf("ReservesByIssuer(nobody): got %+v, %v, want none", rs, err)
	}
	if r, err := db.ReserveByIssuer(ctx, alice, usd); err != nil || r != aliceUSD {
		t.Errorf("ReserveByIssuer(alice, usd): got %+v, %v, want %+v", r, err, aliceUSD)
	}
	if r, err := db.Reserve(ctx, bobLayer.Address); err != nil || r != bobLayer {
		t.Errorf("Reserve(bob's): got %+v, %v, want %+v", r, err, bobLayer)
	}
	_, err = db.ReserveByIssuer(ctx, bob, usd)
	wantCode(t, err, trustbot.ENotFound)
	_, err = db.Reserve(ctx, addr(99))
	wantCode(t, err, trustbot.ENotFound)

	// Seen again (after a reorg, in another block): updated, not duplicated.
	moved := aliceUSD
	moved.CreatedBlock = 8
	if _, err := db.AddReserve(ctx, moved); err != nil {
		t.Fatal(err)
	}
	if r, err := db.Reserve(ctx, aliceUSD.Address); err != nil || r != moved {
		t.Errorf("Reserve after re-adding: got %+v, %v, want %+v", r, err, moved)
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
	valid := store.Reserve{Address: addr(10), Issuer: addr(1), Asset: addr(2), ChainID: 1, Decimals: 6}
	for _, c := range []struct {
		name string
		edit func(*store.Reserve)
	}{
		{"bad address", func(r *store.Reserve) { r.Address = "0x1" }},
		{"bad issuer", func(r *store.Reserve) { r.Issuer = "" }},
		{"bad asset", func(r *store.Reserve) { r.Asset = "usd" }},
		{"chain 0", func(r *store.Reserve) { r.ChainID = 0 }},
		{"block too big", func(r *store.Reserve) { r.CreatedBlock = 1 << 63 }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := valid
			c.edit(&r)
			_, err := db.AddReserve(t.Context(), r)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
	for _, err := range []error{
		func() error { _, err := db.Reserve(t.Context(), "x"); return err }(),
		func() error { _, err := db.ReserveByIssuer(t.Context(), "x", addr(1)); return err }(),
		func() error { _, err := db.ReserveByIssuer(t.Context(), addr(1), "x"); return err }(),
		func() error { _, err := db.ReservesByIssuer(t.Context(), "x"); return err }(),
	} {
		wantCode(t, err, trustbot.EInvalid)
	}
}
