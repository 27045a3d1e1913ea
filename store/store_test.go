package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/internal/pgtest"
	"github.com/trustbot/trustbot/store"
)

// start is the test clock's initial time.
var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is a settable clock for the store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

// latestSchema is the number of the last migration.
const latestSchema = 9

// onPostgres reports whether this run of the store's tests is against PostgreSQL
// (TRUSTBOT_STORE=postgres; make test runs them both ways). Every test runs on both, but for those
// about SQLite's own file.
func onPostgres() bool { return os.Getenv("TRUSTBOT_STORE") == "postgres" }

// sqliteOnly skips a test of SQLite's file format in the PostgreSQL run.
func sqliteOnly(t testing.TB) {
	t.Helper()
	if onPostgres() {
		t.Skip("a test of SQLite's own file; the PostgreSQL run has its own")
	}
}

func TestMain(m *testing.M) { pgtest.Main(m) }

// pgtestURL is a fresh, empty PostgreSQL database.
func pgtestURL(t testing.TB) string { return pgtest.URL(t) }

func newClock() *clock { return &clock{t: start} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openAt opens the database at path and closes it when the test ends.
func openAt(t testing.TB, path string, clk *clock) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, clk.Now)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// newDB opens a fresh database: a file in a temporary directory, or an empty PostgreSQL database.
// The string is what Open was given.
func newDB(t testing.TB) (*store.DB, *clock, string) {
	t.Helper()
	clk := newClock()
	path := freshPath(t)
	return openAt(t, path, clk), clk, path
}

// freshPath is where a fresh database is: a file in a temporary directory, or an empty PostgreSQL
// database.
func freshPath(t testing.TB) string {
	if onPostgres() {
		return pgtestURL(t)
	}
	return filepath.Join(t.TempDir(), "trustbot.db")
}

// rawDB opens the database with plain database/sql, to look under the store. On PostgreSQL its
// statements take $N placeholders.
func rawDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"
	if store.IsPostgres(path) {
		driver, dsn = "pgx", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatalf("sql.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := trustbot.ErrorCode(err); got != code {
		t.Fatalf("error code: got %q (%v), want %q", got, err, code)
	}
}

func addr(n int) common.Address { return common.BigToAddress(big.NewInt(int64(n))) }
func hash(n int) common.Hash    { return common.BigToHash(big.NewInt(int64(n))) }

// show writes a value for comparing and for failure messages: %+v, which writes addresses and
// hashes in hex and amounts in decimal, except that events are written with their payloads
// (%+v would write a nested payload pointer's address).
func show(v any) string {
	switch x := v.(type) {
	case trustbot.Event:
		return fmt.Sprintf("{block %d %s log %d tx %s by %s %s%+v}", x.Block.Number, x.Block.Hash.Hex(), x.LogIndex,
			x.TxHash.Hex(), x.Address.Hex(), x.Name(), x.Data)
	case []trustbot.Event:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = show(e)
		}
		return fmt.Sprintf("%d events %v", len(x), parts)
	}
	return fmt.Sprintf("%+v", v)
}

// same reports whether a and b are written the same by show.
func same(a, b any) bool { return show(a) == show(b) }

func TestOpen_MigratesEmptyFile(t *testing.T) {
	ctx := t.Context()
	db, _, path := newDB(t)

	v, err := db.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != latestSchema {
		t.Errorf("schema version: got %d, want %d", v, latestSchema)
	}

	raw := rawDB(t, path)
	tablesSQL := `SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name`
	if onPostgres() {
		tablesSQL = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name`
	} else {
		var mode string
		if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if mode != "wal" {
			t.Errorf("journal_mode: got %q, want wal", mode)
		}
	}
	rows, err := raw.Query(tablesSQL)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	want := []string{"accounts", "events", "guild_settings", "leases", "ledger_entries", "ledger_shares", "ledger_totals", "outbox", "processed_interactions", "request_ledger", "reserves", "signing_calls", "signing_request_names",
		"signing_requests", "signing_txs", "siwe_nonces", "trip_members", "trips", "wallet_links", "watcher_cursor"}
	if !slices.Equal(tables, want) {
		t.Errorf("tables: got %v, want %v", tables, want)
	}
}

func TestOpen_RejectsNonFilePaths(t *testing.T) {
	sqliteOnly(t)
	for _, path := range []string{"", ":memory:", "file:x.db"} {
		if db, err := store.Open(t.Context(), path, nil); err == nil {
			db.Close()
			t.Errorf("Open(%q): got no error, want one", path)
		}
	}
}

func TestOpen_PathNeedingEscapes(t *testing.T) {
	sqliteOnly(t)
	dir := filepath.Join(t.TempDir(), "a?b#c%d")
	path := filepath.Join(dir, "x.db")
	if err := mkdir(dir); err != nil {
		t.Fatal(err)
	}
	db := openAt(t, path, newClock())
	if _, err := db.MarkInteraction(t.Context(), "1"); err != nil {
		t.Fatalf("MarkInteraction: %v", err)
	}
	if !exists(path) {
		t.Errorf("database file %s: got missing, want created", path)
	}
}

func TestOpen_RefusesNewerSchema(t *testing.T) {
	_, _, path := newDB(t)
	future := `PRAGMA user_version = 99`
	if onPostgres() {
		future = `INSERT INTO schema_migrations (version, name) VALUES (99, '0099_future.sql')`
	}
	if _, err := rawDB(t, path).Exec(future); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(t.Context(), path, nil)
	if err == nil {
		db.Close()
		t.Fatal("Open of a newer schema: got no error, want one")
	}
}

func TestOpen_ReopenKeepsEverything(t *testing.T) {
	ctx := t.Context()
	clk := newClock()
	path := freshPath(t)
	db, err := store.Open(ctx, path, clk.Now)
	if err != nil {
		t.Fatal(err)
	}
	link, err := db.LinkWallet(ctx, trustbot.WalletLink{UserID: "u1", Address: addr(1), ChainID: 1337, Method: "siwe"})
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := db.CreateNonce(ctx, trustbot.SignInNonce{Nonce: "abcdefgh1234", UserID: "u1", UserName: "Una", ExpiresAt: start.Add(10 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	req, err := db.CreateRequest(ctx, newRequest("reopen-request-0001", "u1", 2))
	if err != nil {
		t.Fatal(err)
	}
	if req, err = db.RecordTx(ctx, req.ID, 0, hash(1)); err != nil {
		t.Fatal(err)
	}
	res, err := db.AddReserve(ctx, trustbot.Reserve{Address: addr(10), Issuer: addr(1), Asset: trustbot.Token{Address: addr(2), Symbol: "USD", Decimals: 6},
		ChainID: 1337, CreatedBlock: 5, Name: "Alice USD", Symbol: "aUSD", Decimals: 6})
	if err != nil {
		t.Fatal(err)
	}
	evs := []trustbot.Event{
		{Block: trustbot.Block{Number: 5, Hash: hash(100)}, LogIndex: 0, TxHash: hash(1), Address: addr(10),
			Data: &trustbot.Transfer{To: addr(3), Amount: big.NewInt(100000000)}},
		{Block: trustbot.Block{Number: 5, Hash: hash(100)}, LogIndex: 1, TxHash: hash(1), Address: addr(10),
			Data: &trustbot.Trusted{Holder: addr(3), Amount: big.NewInt(100000000)}},
	}
	applied, err := db.ApplyChunk(ctx, store.Chunk{Cursor: trustbot.Block{Number: 6, Hash: hash(101)}, Events: evs})
	if err != nil || applied != 2 {
		t.Fatalf("ApplyChunk: got %d, %v, want 2, nil", applied, err)
	}
	if err := db.SetNoticeChannel(ctx, "g1", "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkInteraction(ctx, "i1"); err != nil {
		t.Fatal(err)
	}
	web, err := db.Web(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pending, err := db.PendingNotices(ctx, 10)
	if err != nil || len(pending) != 1 {
		t.Fatalf("PendingNotices: got %d, %v, want 1", len(pending), err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openAt(t, path, clk)
	if v, _ := db.SchemaVersion(ctx); v != latestSchema {
		t.Errorf("schema version after reopen: got %d, want %d", v, latestSchema)
	}
	if got, err := db.WalletByUser(ctx, "u1"); err != nil || got != link {
		t.Errorf("WalletByUser: got %+v, %v, want %+v", got, err, link)
	}
	used, err := db.UseNonce(ctx, nonce.Nonce, "u1")
	if err != nil || used.IssuedAt != nonce.IssuedAt || used.ExpiresAt != nonce.ExpiresAt {
		t.Errorf("UseNonce: got %+v, %v, want the nonce %+v", used, err, nonce)
	}
	if got, err := db.Request(ctx, req.ID); err != nil || !same(got, req) {
		t.Errorf("Request: got %s, %v, want %s", show(got), err, show(req))
	}
	res.Outstanding, res.Backing = big.NewInt(100000000), new(big.Int)
	if got, err := db.Reserves(ctx); err != nil || !same(got, []trustbot.Reserve{res}) {
		t.Errorf("Reserves: got %s, %v, want %s", show(got), err, show([]trustbot.Reserve{res}))
	}
	if got, err := db.Events(ctx, store.EventFilter{}); err != nil || !same(got, evs) {
		t.Errorf("Events: got %s, %v, want %s", show(got), err, show(evs))
	}
	if got, err := db.Cursor(ctx); err != nil || got != (trustbot.Block{Number: 6, Hash: hash(101)}) {
		t.Errorf("Cursor: got %+v, %v, want {6 %s}", got, err, hash(101))
	}
	if got, err := db.Web(ctx); err != nil || !same(got, web) {
		t.Errorf("Web: got %s, %v, want %s", show(got), err, show(web))
	}
	if got, err := db.PendingNotices(ctx, 10); err != nil || len(got) != 1 || got[0].TxHash != hash(1) {
		t.Errorf("PendingNotices: got %+v, %v, want the notice of %s", got, err, hash(1))
	}
	if got, err := db.NoticeChannel(ctx, "g1"); err != nil || got != "c1" {
		t.Errorf("NoticeChannel: got %q, %v, want c1", got, err)
	}
	if first, err := db.MarkInteraction(ctx, "i1"); err != nil || first {
		t.Errorf("MarkInteraction after reopen: got first=%v, %v, want false", first, err)
	}
}

// TestConcurrentWriters hammers two handles on one file (as two processes
// would) with 8 writers × 50 writes while readers read: no "database is
// locked", no lost write.
func TestConcurrentWriters(t *testing.T) {
	ctx := t.Context()
	db1, clk, path := newDB(t)
	db2 := openAt(t, path, clk)
	dbs := []*store.DB{db1, db2}

	const writers, writes = 8, 50
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readErrs := make(chan error, 4)
	for r := range 4 {
		readers.Go(func() {
			db := dbs[r%2]
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.PendingRequests(ctx, "w0"); err != nil {
					readErrs <- err
					return
				}
				if _, err := db.WalletByUser(ctx, "w0-0"); err != nil && trustbot.ErrorCode(err) != trustbot.ENotFound {
					readErrs <- err
					return
				}
			}
		})
	}

	var wg sync.WaitGroup
	errs := make(chan error, writers*writes)
	for w := range writers {
		wg.Go(func() {
			db := dbs[w%2]
			user := fmt.Sprintf("w%d", w)
			for i := range writes {
				var err error
				switch i % 3 {
				case 0:
					_, err = db.MarkInteraction(ctx, fmt.Sprintf("%d-%d", w, i))
				case 1:
					_, err = db.LinkWallet(ctx, trustbot.WalletLink{UserID: fmt.Sprintf("%s-%d", user, i),
						Address: addr(1000*w + i), ChainID: 1337, Method: "dev"})
				case 2:
					_, err = db.CreateRequest(ctx, newRequest(fmt.Sprintf("concurrent-%02d-%04d", w, i), user, 1))
				}
				if err != nil {
					errs <- fmt.Errorf("writer %d write %d: %w", w, i, err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	close(readErrs)
	for err := range errs {
		t.Error(err)
	}
	for err := range readErrs {
		t.Errorf("reader: %v", err)
	}

	raw := rawDB(t, path)
	for _, c := range []struct {
		table string
		want  int
	}{
		{"processed_interactions", writers * 17},
		{"wallet_links", writers * 17},
		{"signing_requests", writers * 16},
	} {
		var got int
		if err := raw.QueryRow(`SELECT count(*) FROM ` + c.table).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("rows in %s: got %d, want %d", c.table, got, c.want)
		}
	}
}

func TestErrorCodeAndMessage(t *testing.T) {
	for _, c := range []struct {
		err           error
		code, message string
	}{
		{nil, "", ""},
		{trustbot.Errorf(trustbot.ENotFound, "No %s.", "wallet"), trustbot.ENotFound, "No wallet."},
		{fmt.Errorf("context: %w", &trustbot.Error{Code: trustbot.EConflict, Message: "Taken."}), trustbot.EConflict, "Taken."},
		{fmt.Errorf("disk on fire"), trustbot.EInternal, "Something went wrong on our side; nothing was changed. Please try again."},
	} {
		if got := trustbot.ErrorCode(c.err); got != c.code {
			t.Errorf("trustbot.ErrorCode(%v): got %q, want %q", c.err, got, c.code)
		}
		if got := trustbot.ErrorMessage(c.err); got != c.message {
			t.Errorf("trustbot.ErrorMessage(%v): got %q, want %q", c.err, got, c.message)
		}
	}
}

func mkdir(dir string) error { return os.MkdirAll(dir, 0o755) }

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// newRequest is a valid request of n calls owned by user, expiring 15
// minutes after start.
func newRequest(id, user string, n int) trustbot.SigningRequest {
	r := trustbot.SigningRequest{
		ID:               id,
		GuildID:          "guild",
		ChannelID:        "channel",
		UserID:           user,
		InteractionToken: "token-" + id,
		Signer:           addr(1),
		ChainID:          1337,
		Kind:             "deposit",
		Summary:          "Deposit 50 tUSD into your reserve.",
		ExpiresAt:        start.Add(15 * time.Minute),
	}
	for i := range n {
		r.Calls = append(r.Calls, trustbot.Call{To: addr(100 + i), Data: []byte{0, 0, 0, byte(i)}, Value: new(big.Int)})
	}
	return r
}
