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
	"math/rand/v2"
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

// DB is a handle on the database. It is safe for concurrent use, and on PostgreSQL by any
// number of processes at once.
type DB struct {
	write *sql.DB // SQLite: exactly one connection, BEGIN IMMEDIATE; PostgreSQL: the pool
	read  *sql.DB // SQLite: query-only connections; PostgreSQL: the same pool as write
	now   func() time.Time
	d     *dialect
}

// ErrNewerSchema is in the error Open returns when the database was migrated by a newer build.
var ErrNewerSchema = errors.New("the database was migrated by a newer trustbot")

// IsPostgres reports whether dsn names a PostgreSQL database (postgres:// or postgresql://)
// rather than an SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database and applies any pending migrations: a PostgreSQL database when path is
// a postgres:// URL (see openPostgres), else the SQLite file at path, created if needed. now is
// the clock; nil means time.Now.
//
// The writer's DSN is file:PATH?_pragma=journal_mode(wal)&_pragma=busy_timeout(5000)
// &_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_pragma=temp_store(memory)
// &_pragma=cache_size(-32768)&_txlock=immediate (temp_store keeps the statement journal of
// multi-row inserts off the disk; 32 MiB of page cache holds a chunk of thousands of events
// without spilling pages to the WAL before the commit); the readers add _pragma=query_only(1).
func Open(ctx context.Context, path string, now func() time.Time) (*DB, error) {
	if now == nil {
		now = time.Now
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path, now)
	}
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return nil, fmt.Errorf("store: open: want a file path, got %q", path)
	}
	if now == nil {
		now = time.Now
	}
	name := escapePath(path)

	write, err := sql.Open("sqlite", "file:"+name+
		"?_pragma=journal_mode(wal)&_pragma=busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")&_pragma=foreign_keys(1)&_pragma=synchronous(normal)&_pragma=temp_store(memory)&_pragma=cache_size(-32768)&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := pingWriter(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	from, err := migrate(ctx, write, sqliteDialect)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}

	// The writer has put the file in WAL mode (a persistent setting), so the
	// readers only need their per-connection pragmas.
	read, err := sql.Open("sqlite", "file:"+name+
		"?_pragma=busy_timeout("+strconv.Itoa(int(busyTimeout/time.Millisecond))+")&_pragma=foreign_keys(1)&_pragma=query_only(1)")
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
	db := &DB{write: write, read: read, now: now, d: sqliteDialect}
	if from > 0 && from < projectionVersion {
		// A database from before the projection: derive it from the events it holds.
		if err := db.RebuildProjection(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("store: open %s: %w", path, err)
		}
	}
	return db, nil
}

// busyTimeout is how long a SQLite connection waits for another's lock (busy_timeout).
const busyTimeout = 5 * time.Second

// pingWriter opens the writer's connection. Switching a new file to WAL needs the file to
// itself, and SQLite answers SQLITE_BUSY at once, without its busy handler, while another
// process is opening the same file: that is tried again, for as long as busy_timeout.
func pingWriter(ctx context.Context, write *sql.DB) error {
	deadline := time.Now().Add(busyTimeout)
	for {
		err := write.PingContext(ctx)
		var e *sqlite.Error
		if err == nil || !errors.As(err, &e) || e.Code()&0xff != sqlite3.SQLITE_BUSY || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(1+rand.IntN(10)) * time.Millisecond):
		}
	}
}

// projectionVersion is the migration that added the projection.
const projectionVersion = 4

// Close closes the connection pools.
func (db *DB) Close() error {
	if db.read == db.write {
		return db.write.Close()
	}
	return errors.Join(db.read.Close(), db.write.Close())
}

// escapePath makes a file name safe inside a file: URI.
func escapePath(path string) string {
	return strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
}

// SchemaVersion reports the applied migration number (SQLite: PRAGMA user_version; PostgreSQL:
// the schema_migrations table).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	q := "PRAGMA user_version"
	if db.d == postgresDialect {
		q = "SELECT coalesce(max(version), 0) FROM schema_migrations"
	}
	var v int
	if err := db.read.QueryRowContext(ctx, q).Scan(&v); err != nil {
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

// migrations lists a dialect's embedded migrations in order and checks that they
// are numbered 1, 2, 3 … without gaps.
func migrations(d *dialect) ([]migration, error) {
	dir := "migrations/" + d.name + "/"
	names, err := fs.Glob(migrationFS, dir+"*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for i, p := range names {
		base := strings.TrimPrefix(p, dir)
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
func migrate(ctx context.Context, db *sql.DB, d *dialect) (int, error) {
	ms, err := migrations(d)
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
		return 0, fmt.Errorf("migrate: %w: it is at version %d, this program knows only %d", ErrNewerSchema, current, len(ms))
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

// beginWrite starts a write transaction: IMMEDIATE on SQLite's writer connection, SERIALIZABLE
// on PostgreSQL (run through inWrite, which retries it when a concurrent transaction wins).
func (db *DB) beginWrite(ctx context.Context) (*tx, error) {
	var opts *sql.TxOptions
	if db.d == postgresDialect {
		opts = &sql.TxOptions{Isolation: sql.LevelSerializable}
	}
	t, err := db.write.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("begin: %w", err)
	}
	return &tx{sqlTx: t, now: db.now().UTC().Truncate(time.Millisecond), d: db.d}, nil
}

// beginRead starts a read-only transaction that sees one snapshot throughout: a deferred one on
// SQLite's reader pool (WAL), REPEATABLE READ on PostgreSQL.
func (db *DB) beginRead(ctx context.Context) (*tx, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if db.d == postgresDialect {
		opts.Isolation = sql.LevelRepeatableRead
	}
	t, err := db.read.BeginTx(ctx, opts)
	if err != nil {
		return nil, db.unreachable(fmt.Errorf("begin: %w", err))
	}
	return &tx{sqlTx: t, now: db.now().UTC().Truncate(time.Millisecond), d: db.d}, nil
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

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY constraint failure.
func (t *tx) isUniqueViolation(err error) bool { return t.d.unique(err) }
