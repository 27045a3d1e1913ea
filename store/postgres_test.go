package store_test

import (
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// TestPostgres_ServerRestart stops PostgreSQL under an open store: reads and writes fail with the
// sentence users see, and work again once the server is back, with what was written before kept.
func TestPostgres_ServerRestart(t *testing.T) {
	ctx := t.Context()
	srv := pgtest.New(t, pgtest.Options{})
	db := openAt(t, srv.NewDatabase(t), newClock())
	if _, err := db.MarkInteraction(ctx, "before"); err != nil {
		t.Fatal(err)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	const sentence = "The database is unreachable right now; try again in a minute."
	for what, call := range map[string]func() error{
		"a write": func() error { _, err := db.MarkInteraction(ctx, "during"); return err },
		"a read":  func() error { _, err := db.WalletByUser(ctx, "alice"); return err },
	} {
		err := call()
		if trustbot.ErrorCode(err) != trustbot.EUnavailable || trustbot.ErrorMessage(err) != sentence {
			t.Errorf("%s with the server stopped: got %q (%v), want %s %q", what, trustbot.ErrorCode(err), err, trustbot.EUnavailable, sentence)
		}
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		first, err := db.MarkInteraction(ctx, "after")
		if err == nil {
			if !first {
				t.Errorf("after the restart: interaction marked twice")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if first, err := db.MarkInteraction(ctx, "before"); err != nil || first {
		t.Errorf("the interaction marked before the restart: got first %v (%v), want it kept", first, err)
	}
}

// TestPostgres_OpenFailures names, for each way a DATABASE_URL can be wrong, what is wrong, and
// never shows the password.
func TestPostgres_OpenFailures(t *testing.T) {
	good := pgtestURL(t)
	u, err := url.Parse(good)
	if err != nil {
		t.Fatal(err)
	}
	password, _ := u.User.Password()
	with := func(f func(u *url.URL)) string {
		c := *u
		f(&c)
		return c.String()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()

	newer := pgtestURL(t)
	openAt(t, newer, newClock())
	if _, err := rawDB(t, newer).Exec(`INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, dsn, says string }{
		{"malformed", "postgres://u:secret@host:notaport/db", "is not a valid postgres:// URL"},
		{"unreachable", with(func(u *url.URL) { u.Host = closed }), "names a server that cannot be reached"},
		{"wrong password", with(func(u *url.URL) { u.User = url.UserPassword(u.User.Username(), "wrong-"+password) }), "refused the user name or password"},
		{"no such database", with(func(u *url.URL) { u.Path = "/no_such_database" }), "names a database that does not exist on that server"},
		{"newer schema", newer, "was migrated by a newer trustbot"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := store.Open(t.Context(), c.dsn, nil)
			if err == nil {
				db.Close()
				t.Fatal("got no error")
			}
			if got := store.PostgresFailure(err); !strings.HasPrefix(got, c.says) {
				t.Errorf("got %q (%v), want %q", got, err, c.says)
			}
			for _, secret := range []string{password, "secret"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows the password: %v", err)
				}
			}
		})
	}
	// Nothing was written to the newer database by the refused Open.
	var n int
	if err := rawDB(t, newer).QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != latestSchema+1 {
		t.Errorf("schema_migrations after the refused open: got %d rows (%v), want %d", n, err, latestSchema+1)
	}
}
