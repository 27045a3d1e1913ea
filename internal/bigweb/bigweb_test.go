package bigweb_test

import (
	"context"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustbot/trustbot/internal/bigweb"
	"github.com/trustbot/trustbot/store"
)

// TestGenerate builds a small web in three layers, indexes it and checks the chain and the
// store against what Generate says it did: every reserve exists on its layer's asset with its
// deposit as backing, every budget is on chain and indexed as a Trusted event, every wallet is
// linked, and the cast has distinct roles.
func TestGenerate(t *testing.T) {
	ctx := context.Background()
	w, err := bigweb.Generate(ctx, bigweb.Options{Members: 24, Reserves: 6, Layers: 3, Trusts: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	c := w.Chain.Client()

	layers := map[int]int{}
	for _, r := range w.Reserves {
		layers[r.Layer]++
		info, err := c.ReserveAt(ctx, r.Address)
		if err != nil {
			t.Fatalf("reserve %s: %v", r.Symbol, err)
		}
		if info.Asset != r.Asset || info.Issuer != w.Members[r.Issuer].Address() || info.Symbol != r.Symbol {
			t.Errorf("reserve %s: got asset %s issuer %s symbol %s, want %s %s %s", r.Symbol, info.Asset.Hex(), info.Issuer.Hex(), info.Symbol,
				r.Asset.Hex(), w.Members[r.Issuer].Address().Hex(), r.Symbol)
		}
		if (r.Below >= 0) != info.Layered || (r.Below >= 0 && w.Reserves[r.Below].Layer != r.Layer-1) {
			t.Errorf("reserve %s on layer %d: layered %v, below %d", r.Symbol, r.Layer, info.Layered, r.Below)
		}
		redeemed := new(big.Int)
		for _, ri := range w.Redeemed {
			if w.Reserves[ri].Address == r.Address {
				redeemed.Add(redeemed, big.NewInt(5_000_000))
			}
		}
		if want := new(big.Int).Sub(r.Backing, redeemed); info.Reserve.Cmp(want) != 0 {
			t.Errorf("reserve %s: backing %s, want %s", r.Symbol, info.Reserve, want)
		}
	}
	if got := []int{layers[1], layers[2], layers[3]}; got[0] != 3 || got[1] != 2 || got[2] != 1 {
		t.Errorf("reserves per layer: got %v, want [3 2 1]", got)
	}
	type account struct{ reserve, holder int }
	budgets := map[account]*big.Int{}
	for _, b := range w.Budgets {
		k := account{b.Reserve, b.Holder}
		if budgets[k] == nil {
			budgets[k] = new(big.Int)
		}
		budgets[k].Add(budgets[k], b.Amount)
	}
	for k, want := range budgets {
		r := w.Reserves[k.reserve]
		_, budget, err := c.Account(ctx, r.Address, w.Members[k.holder].Address())
		if err != nil {
			t.Fatal(err)
		}
		if budget.Cmp(want) != 0 {
			t.Errorf("budget of %s from %s: got %s, want %s", w.Members[k.holder].Name, r.Symbol, budget, want)
		}
	}

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "web.db"), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := w.Index(ctx, db); err != nil {
		t.Fatal(err)
	}
	known, err := db.Reserves(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(known) != len(w.Reserves) {
		t.Errorf("indexed reserves: got %d, want %d", len(known), len(w.Reserves))
	}
	trusted := 0
	for _, r := range w.Reserves {
		evs, err := db.Events(ctx, store.EventFilter{Address: r.Address})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Name() == "Trusted" {
				trusted++
			}
		}
	}
	if trusted != len(w.Budgets) {
		t.Errorf("indexed Trusted events: got %d, want %d", trusted, len(w.Budgets))
	}
	for _, m := range w.Members {
		link, err := db.WalletByUser(ctx, m.UserID)
		if err != nil || link.Address != m.Address() {
			t.Errorf("wallet of %s: got %+v, %v", m.Name, link, err)
		}
	}

	cast, err := w.Cast()
	if err != nil {
		t.Fatal(err)
	}
	roles := map[int]bool{cast.Issuer: true, cast.Backed: true, cast.Deep: true, cast.Holder: true, cast.Plain: true}
	if len(roles) != 5 {
		t.Errorf("cast %+v: want five different members", cast)
	}
}
