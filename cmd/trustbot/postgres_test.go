package main

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/trustbot/trustbot/chain/devchain"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// withPassword is the postgres:// URL u with the password pw.
func withPassword(t *testing.T, u, pw string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.User = url.UserPassword(p.User.Username(), pw)
	return p.String()
}

// withDatabase is the postgres:// URL u naming the database name.
func withDatabase(t *testing.T, u, name string) string {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	p.Path = "/" + name
	return p.String()
}

// closedPort is a loopback port nothing listens on.
func closedPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	return port
}

// pgState is what a database holds that a refused start could have changed: its tables and its
// recorded migrations.
func pgState(t *testing.T, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables, migrations, top int
	if err := db.QueryRow(`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*), coalesce(max(version), 0) FROM schema_migrations`).Scan(&migrations, &top); err != nil {
		t.Fatal(err)
	}
	return "tables " + strconv.Itoa(tables) + ", migrations " + strconv.Itoa(migrations) + " up to " + strconv.Itoa(top)
}

// TestConfigDatabaseURL: DATABASE_URL is refused in one sentence naming it when it is no
// postgres:// URL, when DB_PATH is set too, and without ETH_RPC_URL; the password is never shown.
func TestConfigDatabaseURL(t *testing.T) {
	t.Chdir(t.TempDir())
	const secret = "s3cr3t-pw"
	chain := map[string]string{"ETH_RPC_URL": "http://127.0.0.1:8545", "ASSETS": "ETH=native"}
	with := func(kv ...string) map[string]string {
		env := map[string]string{}
		for k, v := range chain {
			env[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		env  map[string]string
		want string // "" = valid
	}{
		{with("DATABASE_URL", "postgres://trustbot:"+secret+"@db.internal:5432/trustbot"), ""},
		{with("DATABASE_URL", "postgresql://trustbot@db.internal/trustbot?sslmode=require"), ""},
		{with("DATABASE_URL", "postgres://u:"+secret+"@host:notaport/db"),
			`configuration: DATABASE_URL must be a postgres:// URL like postgres://trustbot:PASSWORD@db.internal:5432/trustbot, got "postgres://u:xxxxx@host:notaport/db" (see .env.example)`},
		{with("DATABASE_URL", "postgres://u:"+secret+"@host:99999/db"),
			`configuration: DATABASE_URL postgres://u:xxxxx@host:99999/db has the port "99999", which is not a number from 1 to 65535 (see .env.example)`},
		{with("DATABASE_URL", "mysql://u:"+secret+"@host:3306/db"),
			`configuration: DATABASE_URL must be a postgres:// URL like postgres://trustbot:PASSWORD@db.internal:5432/trustbot, got "mysql://u:xxxxx@host:3306/db" (see .env.example)`},
		{with("DATABASE_URL", "/var/lib/trustbot.db"), `DATABASE_URL must be a postgres:// URL`},
		{with("DATABASE_URL", "postgres://u:"+secret+"@host/db?sslmode=bogus"), `DATABASE_URL postgres://u:xxxxx@host/db?sslmode=bogus is not a valid postgres:// URL`},
		{with("DATABASE_URL", "postgres://u:"+secret+"@host/db", "DB_PATH", "/tmp/x.db"),
			"DATABASE_URL and DB_PATH are both set: DATABASE_URL puts the database on PostgreSQL and DB_PATH names an SQLite file, so set one of them"},
		{map[string]string{"DATABASE_URL": "postgres://u:" + secret + "@host/db"}, "DATABASE_URL needs ETH_RPC_URL"},
	} {
		cfg, err := loadConfig(context.Background(), tc.env)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: got %v, want valid", tc.env, err)
		case tc.want == "" && cfg.dbPath("trustbot.db") != tc.env["DATABASE_URL"]:
			t.Errorf("%v: the store opens %q, want DATABASE_URL", tc.env, cfg.dbPath("trustbot.db"))
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v:\n got %v\nwant %q", tc.env, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("%v: got %q, which shows the password", tc.env, err)
		}
	}
}

// TestStartupDatabaseURL: a PostgreSQL database the world refuses stops the start with one
// sentence naming DATABASE_URL, without the password, and nothing is written: not DATA_DIR, not
// the database.
func TestStartupDatabaseURL(t *testing.T) {
	ctx := context.Background()
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	good := pgtest.URL(t)
	gp, _ := url.Parse(good)
	password, _ := gp.User.Password()

	newer := newerDatabase(t)
	newerBefore := pgState(t, newer)

	dead := withPassword(t, "postgres://trustbot@127.0.0.1:"+strconv.Itoa(closedPort(t))+"/trustbot?sslmode=disable", password)
	redact := func(u string) string { return strings.Replace(u, ":"+password+"@", ":xxxxx@", 1) }
	for _, tc := range []struct {
		name             string
		dsn              string
		prefix, contains string // "" = it starts
	}{
		{"a database on a running server", good, "", ""},
		{"an unreachable server", dead, "DATABASE_URL " + redact(dead) + " names a server that cannot be reached (", "connection refused"},
		{"a wrong password", withPassword(t, good, "not-the-password"), "DATABASE_URL " + withPassword(t, good, "xxxxx") + " refused the user name or password", ""},
		{"a database that does not exist", withDatabase(t, good, "no_such_database"),
			"DATABASE_URL " + redact(withDatabase(t, good, "no_such_database")) + " names a database that does not exist on that server", ""},
		{"a database migrated by a newer build", newer,
			"DATABASE_URL " + redact(newer) + " was migrated by a newer trustbot; run that build, or restore a backup made for this one", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dataDir := filepath.Join(t.TempDir(), "data")
			env := map[string]string{"DATA_DIR": dataDir, "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(),
				"FACTORY_ADDRESS": node.Factory().Hex(), "ASSETS": "tUSD=" + node.TestUSD().Hex(), "DATABASE_URL": tc.dsn}
			a, err := newApp(ctx, testConfig(t, env), "trustbot.db", false, io.Discard, slog.New(slog.DiscardHandler))
			if tc.prefix == "" {
				if err != nil {
					t.Fatalf("got %v, want a start", err)
				}
				if v, err := a.DB.SchemaVersion(ctx); err != nil || v == 0 {
					t.Errorf("schema version: got %d (err %v), want the migrated one", v, err)
				}
				a.Close()
				return
			}
			if err == nil {
				a.Close()
			}
			wantStartupSentence(t, err, tc.prefix, tc.contains)
			t.Logf("refused: %v", err)
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "not-the-password") {
				t.Errorf("got %q, which shows the password", err)
			}
			if _, serr := os.Stat(dataDir); !os.IsNotExist(serr) {
				t.Errorf("DATA_DIR %s: got %v, want it not made", dataDir, serr)
			}
		})
	}
	if got := pgState(t, newer); got != newerBefore {
		t.Errorf("the newer database after the refused start: got %s, want %s", got, newerBefore)
	}
}

// TestPostgresRestart: PostgreSQL stops under a running bot (the playground over a dev chain):
// commands answer that the database is unreachable, in words and without an internal error in
// the log, and the leader gives its lease up when it cannot renew it; when the server is back,
// commands work again, the leader takes the lease again, and the indexer confirms and announces
// an on-chain action made after the restart, with the wallet link of before still there.
func TestPostgresRestart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	srv := pgtest.New(t, pgtest.Options{})
	dsn := srv.NewDatabase(t)
	node, err := devchain.Start(ctx, devchain.Options{Members: devMembers, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(node.Close)
	cfg := testConfig(t, map[string]string{"DATA_DIR": t.TempDir(), "LISTEN_ADDR": "127.0.0.1:0", "ETH_RPC_URL": node.URL(),
		"FACTORY_ADDRESS": node.Factory().Hex(), "ASSETS": "tUSD=" + node.TestUSD().Hex() + ",ETH=native",
		"CONFIRMATIONS": "0", "POLL_INTERVAL": "100ms", "DATABASE_URL": dsn})
	cfg.LeaseTTL = leaderTTL
	out, logs := &syncBuffer{}, &syncBuffer{}
	p, err := startPlayground(ctx, cfg, out, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatalf("start playground: %v", err)
	}
	t.Cleanup(p.Close)
	p.Console.Wait = 30 * time.Second
	_, offset := out.Since(0)
	run := func(line string) string {
		t.Helper()
		p.Console.Exec(ctx, line)
		var got string
		got, offset = out.Since(offset)
		return got
	}
	logText := func() string { s, _ := logs.Since(0); return s }
	pollUntil(t, 30*time.Second, "the leader never took the lease", func() bool { return strings.Count(logText(), "leader: took the lease") == 1 })
	run("/wallet link")
	mustContain(t, "/approve", run("/approve"), "Linked")

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	const down = "The database is unreachable right now; try again in a minute."
	for _, line := range []string{"/wallet show", "/reserve create"} {
		if got := run(line); !strings.Contains(got, down) {
			t.Errorf("%s with PostgreSQL stopped: got %q, want %q", line, got, down)
		}
	}
	pollUntil(t, 30*time.Second, "the leader kept its lease with the database down:\n"+logText(), func() bool { return strings.Contains(logText(), "leader: lost the lease") })
	for _, l := range strings.Split(logText(), "\n") {
		if strings.Contains(l, "level=ERROR") && (strings.Contains(l, "command failed") || strings.Contains(l, "mark interaction")) {
			t.Errorf("log: %s\nwant an unreachable database logged as a warning, not an internal error", l)
		}
	}

	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	pollUntil(t, 30*time.Second, "commands never worked again after PostgreSQL restarted", func() bool {
		return strings.Contains(run("/wallet show"), "wallet is")
	})
	pollUntil(t, 30*time.Second, "the leader never took the lease again:\n"+logText(), func() bool { return strings.Count(logText(), "leader: took the lease") == 2 })
	run("/reserve create")
	mustContain(t, "/approve after the restart", run("/approve"), "Confirmed")
	if holder, _, err := p.DB.LeaseHolder(ctx, store.LeaderLease); err != nil || holder != p.Leader.holder {
		t.Errorf("lease holder after the restart: got %q (err %v), want %q", holder, err, p.Leader.holder)
	}
	reqs, err := p.DB.PendingRequests(ctx, "dev-alice")
	if err != nil || len(reqs) != 0 {
		t.Errorf("pending requests after the restart: got %d (err %v), want 0", len(reqs), err)
	}
}

// TestPostgresFailure: store.PostgresFailure names what is wrong for each way a real server, or
// the URL itself, refuses an open, and the error holds no password.
func TestPostgresFailure(t *testing.T) {
	ctx := context.Background()
	good := pgtest.URL(t)
	gp, _ := url.Parse(good)
	password, _ := gp.User.Password()
	for _, tc := range []struct{ dsn, want string }{
		{"postgres://u:" + password + "@host:notaport/db", "is not a valid postgres:// URL"},
		{"postgres://u:" + password + "@127.0.0.1:" + strconv.Itoa(closedPort(t)) + "/db?sslmode=disable", "names a server that cannot be reached"},
		{"postgres://u:" + password + "@no-such-host.invalid/db?sslmode=disable&connect_timeout=5", "names a server that cannot be reached"},
		{withPassword(t, good, "wrong"), "refused the user name or password"},
		{withDatabase(t, good, "absent"), "names a database that does not exist on that server"},
	} {
		db, err := store.Open(ctx, tc.dsn, nil)
		if err == nil {
			db.Close()
			t.Errorf("%s: got an open database, want %q", tc.dsn, tc.want)
			continue
		}
		if got := store.PostgresFailure(err); got != tc.want {
			t.Errorf("%s: got %q (from %v), want %q", redactDSN(tc.dsn), got, err, tc.want)
		}
		if strings.Contains(err.Error(), password) {
			t.Errorf("%s: the error %q shows the password", redactDSN(tc.dsn), err)
		}
	}
}

// newerDatabase is a PostgreSQL database migrated by this build and then marked as migrated by a
// newer one (version 99), which the bot must refuse without writing to it.
func newerDatabase(t *testing.T) string {
	t.Helper()
	newer := pgtest.URL(t)
	db, err := store.Open(t.Context(), newer, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("pgx", newer)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`); err != nil {
		t.Fatal(err)
	}
	return newer
}

// TestMain stops the PostgreSQL server that pgtest.URL starts for this package's tests.
func TestMain(m *testing.M) { pgtest.Main(m) }
