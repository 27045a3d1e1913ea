// Package store keeps trustbot's state in SQLite (modernc.org/sqlite): wallet
// links, SIWE nonces, signing requests, known reserves, the chain watcher's
// event index and cursor, guild settings and processed interactions.
//
// A DB holds two connection pools on the same file. Writes go through a pool
// of exactly one connection whose transactions begin IMMEDIATE, so writers
// queue in Go (honouring their context) instead of failing with "database is
// locked"; another process writing the same file is waited for up to the
// busy timeout. Reads go through a separate pool of query-only connections
// that, thanks to WAL, never wait for the writer and see a consistent
// snapshot for the length of their transaction.
//
// Every public method begins a transaction, defers its rollback, calls
// unexported helpers and commits. The clock is injected at Open. Times are
// stored in UTC with millisecond precision.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// timeLayout is fixed-width so stored times sort and compare as text.
const timeLayout = "2006-01-02T15:04:05.000Z"

// DB is a handle on the SQLite database. It is safe for concurrent use.
type DB struct {
	write *sql.DB // exactly one connection, BEGIN IMMEDIATE
	read  *sql.DB // query-only connections
	now   func() time.Time
}

// Open opens (creating if needed) the database file at path and applies any
// pending migrations. now is the clock; nil means time.Now.
//
// The writer's DSN is file:PATH?_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)
// &_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_pragma=temp_store(memory)
// &_txlock=immediate (temp_store keeps the statement journal of multi-row
// inserts off the disk); the readers add _pragma=query_only(1).
func Open(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open: want a file path, got %q", path)
	}
	if now == nil {
		now = time.Now
	}
	name := escapePath(path)

	write, err := sql.Open("sqlite", "file:"+name+
		"?_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_pragma=temp_store(memory)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	from, err := migrate(ctx, write)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	// The writer has put the file in WAL mode (a persistent setting), so the
	// readers only need their per-connection pragmas.
	read, err := sql.Open("sqlite", "file:"+name+
		"?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=query_only(1)")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	db := &DB{write: write, read: read, now: now}
	if from > 0 && from < projectionVersion {
		// A database from before the projection: derive it from the events it holds.
		if err := db.RebuildProjection(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	return db, nil
}

// projectionVersion is the migration that added the projection.
const projectionVersion = 4

// Close closes both connection pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// escapePath makes a file name safe inside a file: URI.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// SchemaVersion reports the applied migration number (PRAGMA user_version).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	if err := db.read.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}

type migration struct {
	version int
	name    string
	sql     string
}

var migrationName = regexp.MustCompile(`^(\d{4})_[a-z0-9_]+\.sql$`)

// migrations lists the embedded migrations in order and checks that they
// are numbered 1, 2, 3 … without gaps.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, p := range names {
		base := strings.TrimPrefix(p, "migrations/")
		m := migrationName.FindStringSubmatch(base)
		if m == nil {
			return nil, fmt.Errorf("migration %s: name must look like 0001_name.sql", base)
		}
		v, _ := strconv.Atoi(m[1])
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: got number %d, want %d", base, v, i+1)
		}
		b, err := migrationFS.ReadFile(p)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(b)})
	}
	return ms, nil
}

// migrate applies the pending migrations, in order, in one transaction, and
// records the last one in PRAGMA user_version. It returns the version it found.
//
// Foreign keys are off while it runs, so that a migration can rebuild a table
// other tables refer to (SQLite's procedure for changes ALTER TABLE cannot
// make, such as a new CHECK) without its DROP deleting the rows that refer to
// it; every reference is checked before the transaction commits.
func migrate(ctx context.Context, db *sql.DB) (int, error) {
	ms, err := migrations()
	if err != nil {
		return 0, err
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "PRAGMA foreign_keys = OFF"); err != nil {
		return 0, fmt.Errorf("migrate: foreign keys off: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA foreign_keys = ON")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	var current int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate: read user_version: %w", err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("migrate: database is at version %d, this program knows only %d", current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		// PRAGMA takes no bound parameters; the version is an int.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.version)); err != nil {
			return 0, fmt.Errorf("migrate: %s: set user_version: %w", m.name, err)
		}
	}
	rows, err := tx.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return 0, fmt.Errorf("migrate: foreign key check: %w", err)
	}
	broken := rows.Next()
	rows.Close()
	if broken {
		return 0, errors.New("migrate: a migration left a row referring to one that does not exist")
	}
	return current, tx.Commit()
}

// tx is a transaction with the time it began, which every write in it uses.
type tx struct {
	*sql.Tx
	now time.Time
}

// beginWrite starts an IMMEDIATE transaction on the writer connection.
func (db *DB) beginWrite(ctx context.Context) (*tx, error) {
	t, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{Tx: t, now: db.now().UTC().Truncate(time.Millisecond)}, nil
}

// beginRead starts a read-only (deferred) transaction on the reader pool.
func (db *DB) beginRead(ctx context.Context) (*tx, error) {
	t, err := db.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{Tx: t, now: db.now().UTC().Truncate(time.Millisecond)}, nil
}

// formatTime renders t for storage.
func formatTime(t time.Time) string {
	return t.UTC().Format(timeLayout)
}

// parseTime reads a stored time.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("parse stored time %q: %w", s, err)
	}
	return t.UTC(), nil
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint failure.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
