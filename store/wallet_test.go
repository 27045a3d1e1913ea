package store_test

import (
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

func TestLinkWallet(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)

	mixed := common.HexToAddress("0xAbCdEf0000000000000000000000000000000000")
	link, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "alice", Address: mixed, ChainID: 1337, Method: "siwe"})
	if err != nil {
		t.Fatal(err)
	}
	want := trustbot.WalletLink{UserID: "alice", Address: mixed, ChainID: 1337, Method: "siwe", ProvenAt: start}
	if link != want {
		t.Errorf("LinkWallet: got %+v, want %+v", link, want)
	}
	if got, err := db.WalletByUser(ctx, "alice"); err != nil || got != want {
		t.Errorf("WalletByUser: got %+v, %v, want %+v", got, err, want)
	}
	if got, err := db.UserByAddress(ctx, mixed); err != nil || got != want {
		t.Errorf("UserByAddress: got %+v, %v, want %+v", got, err, want)
	}

	// Another user cannot take the address.
	_, err = db.LinkWallet(ctx, trustbot.WalletLink{UserID: "bob", Address: mixed, ChainID: 1337, Method: "siwe"})
	wantCode(t, err, trustbot.EConflict)

	// Relinking replaces the user's address and frees the old one.
	clk.Add(time.Minute)
	relinked, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "alice", Address: addr(2), ChainID: 1337, Method: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if relinked.ProvenAt != start.Add(time.Minute) {
		t.Errorf("ProvenAt after relink: got %v, want %v", relinked.ProvenAt, start.Add(time.Minute))
	}
	_, err = db.UserByAddress(ctx, mixed)
	wantCode(t, err, trustbot.ENotFound)
	if _, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "bob", Address: mixed, ChainID: 1337, Method: "siwe"}); err != nil {
		t.Errorf("LinkWallet of a freed address: got %v, want nil", err)
	}

	// An explicit ProvenAt is kept (to the millisecond).
	proven := start.Add(-time.Hour + 1234567*time.Nanosecond)
	got, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "carol", Address: addr(3), ChainID: 1, Method: "siwe", ProvenAt: proven})
	if err != nil {
		t.Fatal(err)
	}
	if want := proven.Truncate(time.Millisecond); got.ProvenAt != want {
		t.Errorf("ProvenAt: got %v, want %v", got.ProvenAt, want)
	}

	if err := db.UnlinkWallet(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	_, err = db.WalletByUser(ctx, "alice")
	wantCode(t, err, trustbot.ENotFound)
	wantCode(t, db.UnlinkWallet(ctx, "alice"), trustbot.ENotFound)
}

func TestLinkWallet_Invalid(t *testing.T) {
	db, _, _ := newDB(t)
	valid := trustbot.WalletLink{UserID: "u", Address: addr(1), ChainID: 1337, Method: "siwe"}
	for _, c := range []struct {
		name string
		edit func(*trustbot.WalletLink)
	}{
		{"no user", func(l *trustbot.WalletLink) { l.UserID = "" }},
		{"no address", func(l *trustbot.WalletLink) { l.Address = common.Address{} }},
		{"chain 0", func(l *trustbot.WalletLink) { l.ChainID = 0 }},
		{"chain too big", func(l *trustbot.WalletLink) { l.ChainID = 1 << 63 }},
		{"no method", func(l *trustbot.WalletLink) { l.Method = "" }},
	} {
		t.Run(c.name, func(t *testing.T) {
			l := valid
			c.edit(&l)
			_, err := db.LinkWallet(t.Context(), l)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
}

func TestNonces(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)

	n, err := db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: "fresh0001", UserID: "alice", UserName: "Alice", Address: addr(0xab), ExpiresAt: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if n.IssuedAt != start || n.Address != addr(0xab) || !n.UsedAt.IsZero() {
		t.Errorf("CreateNonce: got %+v, want issued at %v, address %s, unused", n, start, addr(0xab))
	}
	if got, err := db.Nonce(ctx, "fresh0001"); err != nil || got != n {
		t.Errorf("Nonce: got %+v, %v, want %+v", got, err, n)
	}
	for _, c := range []struct {
		nonce   string
		expires time.Duration
	}{
		{"expiring1", time.Minute},
		{"foralice1", 10 * time.Minute},
		{"foralice2", 10 * time.Minute},
	} {
		if _, err := db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: c.nonce, UserID: "alice", ExpiresAt: start.Add(c.expires)}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: "fresh0001", UserID: "bob", ExpiresAt: start.Add(time.Minute)})
	wantCode(t, err, trustbot.EConflict)

	clk.Add(2 * time.Minute)
	used, err := db.UseNonce(ctx, "fresh0001", "alice")
	if err != nil {
		t.Fatal(err)
	}
	if used.UsedAt != start.Add(2*time.Minute) || used.Address != addr(0xab) {
		t.Errorf("UseNonce: got %+v, want used at %v", used, start.Add(2*time.Minute))
	}

	for _, c := range []struct {
		name, nonce, user, code string
	}{
		{"used twice", "fresh0001", "alice", trustbot.EConflict},
		{"expired", "expiring1", "alice", trustbot.EExpired},
		{"unknown", "neverseen", "alice", trustbot.ENotFound},
		{"wrong user", "foralice1", "mallory", trustbot.EForbidden},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.UseNonce(t.Context(), c.nonce, c.user)
			wantCode(t, err, c.code)
		})
	}
	// The wrong user did not burn it.
	if _, err := db.UseNonce(ctx, "foralice1", "alice"); err != nil {
		t.Errorf("UseNonce by its owner after a wrong user: got %v, want nil", err)
	}
	// Expiry is exclusive: at ExpiresAt the nonce is expired.
	clk.Add(8 * time.Minute)
	_, err = db.UseNonce(ctx, "foralice2", "alice")
	wantCode(t, err, trustbot.EExpired)
}

func TestCreateNonce_Invalid(t *testing.T) {
	db, _, _ := newDB(t)
	valid := trustbot.SignInNonce{Nonce: "abcdefgh", UserID: "u", ExpiresAt: start.Add(time.Minute)}
	for _, c := range []struct {
		name string
		edit func(*trustbot.SignInNonce)
	}{
		{"short nonce", func(n *trustbot.SignInNonce) { n.Nonce = "abc1234" }},
		{"nonce with symbols", func(n *trustbot.SignInNonce) { n.Nonce = "abcd-efgh" }},
		{"no user", func(n *trustbot.SignInNonce) { n.UserID = "" }},
		{"no expiry", func(n *trustbot.SignInNonce) { n.ExpiresAt = time.Time{} }},
		{"expires before issue", func(n *trustbot.SignInNonce) { n.IssuedAt = start; n.ExpiresAt = start.Add(-time.Second) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			n := valid
			c.edit(&n)
			_, err := db.CreateNonce(t.Context(), n)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
}
