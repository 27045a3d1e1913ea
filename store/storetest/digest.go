// Package storetest compares trustbot databases in tests: a digest of every table, with the
// columns that legitimately differ between two runs of the same story normalized.
package storetest

import (
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// Rule is how the digest writes a column whose value legitimately differs between two runs
// of the same story.
type Rule int

const (
	// Clock: a wall-clock time, written as "time" (or NULL).
	Clock Rule = iota + 1
	// RandomID: a random id (signing request id, SIWE nonce), written as its table and its
	// rank by insertion, e.g. "signing_requests#4", wherever it appears.
	RandomID
	// Opaque: a random id nothing refers to (a console interaction id), written as "random".
	Opaque
	// BlockHash: a block hash (a block's timestamp is the wall clock), written as "canonical"
	// when the run's chain has that hash at the row's block_number.
	BlockHash
)

// normalize lists every column the digest normalizes; every other column of every table is
// written as stored.
var normalize = map[string]map[string]Rule{
	"wallet_links":           {"proven_at": Clock},
	"siwe_nonces":            {"nonce": RandomID, "issued_at": Clock, "expires_at": Clock, "used_at": Clock},
	"signing_requests":       {"id": RandomID, "created_at": Clock, "expires_at": Clock, "updated_at": Clock},
	"signing_calls":          {"request_id": RandomID},
	"signing_txs":            {"request_id": RandomID},
	"signing_request_names":  {"request_id": RandomID},
	"events":                 {"id": Opaque, "block_hash": BlockHash, "applied_at": Clock},
	"watcher_cursor":         {"block_hash": BlockHash, "updated_at": Clock},
	"outbox":                 {"next_attempt_at": Clock, "created_at": Clock, "delivered_at": Clock},
	"processed_interactions": {"id": Opaque, "seen_at": Clock},
	"guild_settings":         {"updated_at": Clock},
	"trips":                  {"started_at": Clock, "ended_at": Clock},
	"ledger_entries":         {"created_at": Clock, "request_id": RandomID},
	"request_ledger":         {"request_id": RandomID},
	"leases":                 {"holder": Opaque, "epoch": Opaque, "acquired_at": Clock, "expires_at": Clock},
	// reserves and accounts (the projection), trip_members, ledger_shares and ledger_totals have
	// no such column: they are written as stored.
}

// idSources are the tables whose random ids RandomID numbers, by insertion (rowid) order.
var idSources = []struct{ table, column string }{{"signing_requests", "id"}, {"siwe_nonces", "nonce"}}

// Digest writes the schema version and every table of the database (SQLite or PostgreSQL), each row as
// column=value with the columns of normalize normalized, a table's rows sorted. canonical
// is the run's chain's block hash at a height; nil keeps block hashes as stored (two databases
// of one chain). Given tables, it writes only those.
func Digest(t testing.TB, db *sql.DB, canonical func(uint64) common.Hash, tables ...string) string {
	t.Helper()
	return write(t, db, canonical, normalize, tables)
}

// Raw writes tables (every table when none are given) as Digest does, but every value as stored:
// for showing that nothing at all was written to a database.
func Raw(t testing.TB, db *sql.DB, tables ...string) string {
	t.Helper()
	return write(t, db, nil, nil, tables)
}

// write is Digest with the normalization rules norm.
func write(t testing.TB, db *sql.DB, canonical func(uint64) common.Hash, norm map[string]map[string]Rule, tables []string) string {
	t.Helper()
	var b strings.Builder
	var version int
	_, pg := db.Driver().(*stdlib.Driver)
	versionSQL := "PRAGMA user_version"
	tablesSQL := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
	if pg {
		versionSQL = "SELECT coalesce(max(version), 0) FROM schema_migrations"
		tablesSQL = `SELECT table_name FROM information_schema.tables
			WHERE table_schema = current_schema() AND table_name <> 'schema_migrations' ORDER BY table_name`
	}
	if err := db.QueryRow(versionSQL).Scan(&version); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "user_version %d\n", version)

	ids := map[string]string{}
	for _, src := range idSources {
		vals := queryStrings(t, db, fmt.Sprintf(`SELECT %s FROM %s ORDER BY rowid`, src.column, src.table))
		for i, v := range vals {
			ids[v] = fmt.Sprintf("%s#%d", src.table, i+1)
		}
	}

	all := queryStrings(t, db, tablesSQL)
	for _, table := range tables {
		if !slices.Contains(all, table) {
			t.Fatalf("digest: no table %s (tables %v)", table, all)
		}
	}
	if len(tables) == 0 {
		tables = all
	}
	for _, table := range tables {
		rules := norm[table]
		rows, err := db.Query(fmt.Sprintf(`SELECT * FROM "%s"`, table))
		if err != nil {
			t.Fatalf("digest %s: %v", table, err)
		}
		cols, err := rows.Columns()
		if err != nil {
			t.Fatal(err)
		}
		for c := range rules {
			if pg && table == "events" && c == "id" {
				continue // PostgreSQL's events have no id: their key is (block_hash, log_index)
			}
			if !slices.Contains(cols, c) {
				t.Fatalf("digest: normalize names %s.%s, which does not exist (columns %v)", table, c, cols)
			}
		}
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			raw := make(map[string]string, len(cols))
			for i, c := range cols {
				raw[c] = sqlText(vals[i])
			}
			parts := make([]string, 0, len(cols))
			for _, c := range cols {
				if pg && c == "rowid" {
					continue // PostgreSQL's column for SQLite's implicit rowid
				}
				v := raw[c]
				if v != "NULL" {
					switch rules[c] {
					case Clock:
						v = "time"
					case RandomID:
						if id, ok := ids[v]; ok {
							v = id
						} else {
							v = "unknown id " + v
						}
					case Opaque:
						v = "random"
					case BlockHash:
						var n uint64
						if canonical == nil {
							break
						}
						if _, err := fmt.Sscan(raw["block_number"], &n); err == nil && strings.EqualFold(canonical(n).Hex(), v) {
							v = "canonical"
						}
					}
				}
				parts = append(parts, c+"="+v)
			}
			lines = append(lines, strings.Join(parts, " "))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		sort.Strings(lines)
		fmt.Fprintf(&b, "table %s: %d rows\n", table, len(lines))
		for _, l := range lines {
			fmt.Fprintf(&b, "  %s\n", l)
		}
	}
	return b.String()
}

func queryStrings(t testing.TB, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sqlText writes a scanned SQLite value.
func sqlText(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return fmt.Sprintf("x'%x'", x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(x)
	}
}

// OpenReadOnly opens a trustbot database read-only (a file, or a postgres:// URL), beside a
// process that may be writing it.
func OpenReadOnly(t testing.TB, path string) *sql.DB {
	t.Helper()
	driver, dsn := "sqlite", "file:"+path+"?mode=ro&_pragma=query_only(1)&_pragma=busy_timeout(5000)"
	if strings.HasPrefix(path, "postgres://") || strings.HasPrefix(path, "postgresql://") {
		driver, dsn = "pgx", path
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Ping(); err != nil {
		t.Fatalf("open %s read-only: %v", path, err)
	}
	return db
}

// LineDiff lists the lines one text has more often than the other.
func LineDiff(got, want string) string {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	g, w := count(got), count(want)
	var out []string
	for _, l := range slices.Sorted(maps.Keys(g)) {
		if g[l] > w[l] {
			out = append(out, "got:  "+l)
		}
	}
	for _, l := range slices.Sorted(maps.Keys(w)) {
		if w[l] > g[l] {
			out = append(out, "want: "+l)
		}
	}
	return strings.Join(out, "\n")
}
