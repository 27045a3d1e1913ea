package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/trustbot/trustbot"
)

// dialect is what differs between the two databases the store runs on. The SQL the store sends is
// written once, with ? (or ?N) placeholders; a dialect turns it into what its driver takes and
// classifies its driver's errors.
type dialect struct {
	name string // "sqlite" or "postgres": the directory of its migrations

	// rebind turns the store's SQL into the driver's (placeholders), caching the result.
	rebind func(q string) string

	// jsonText is a FROM item yielding the elements of a JSON array of strings bound at
	// placeholder p, as a column named value.
	jsonText func(p string) string

	// jsonMembers is a FROM item yielding, for a JSON array of {"id", "name"} objects bound at
	// placeholder p, the columns k (the position), id and name.
	jsonMembers func(p string) string

	unique    func(err error) bool // a UNIQUE or PRIMARY KEY violation
	retryable func(err error) bool // a serialization failure or deadlock: run the transaction again
	down      func(err error) bool // the server cannot be reached (or went away mid-statement)
}

var sqliteDialect = &dialect{
	name:     "sqlite",
	rebind:   func(q string) string { return q },
	jsonText: func(p string) string { return "json_each(" + p + ")" },
	jsonMembers: func(p string) string {
		return "(SELECT key AS k, json_extract(value, '$.id') AS id, json_extract(value, '$.name') AS name FROM json_each(" + p + ")) AS m"
	},
	unique: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	retryable: func(error) bool { return false }, // one writer connection: transactions never race
	down:      func(error) bool { return false },
}

var postgresDialect = &dialect{
	name:     "postgres",
	rebind:   cachedRebind(),
	jsonText: func(p string) string { return "json_array_elements_text(" + p + "::json) AS j(value)" },
	jsonMembers: func(p string) string {
		return "(SELECT j.k, j.value->>'id' AS id, j.value->>'name' AS name FROM json_array_elements(" + p + "::json) WITH ORDINALITY AS j(value, k)) AS m"
	},
	unique: func(err error) bool { return pgCode(err) == "23505" },
	retryable: func(err error) bool {
		c := pgCode(err)
		return c == "40001" || c == "40P01" // serialization_failure, deadlock_detected
	},
	down: pgDown,
}

// pgCode is the SQLSTATE of a PostgreSQL error, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// pgDown reports whether err means the server is unreachable: the connection failed or broke, or
// the server is shutting down or starting up.
func pgDown(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	switch c := pgCode(err); {
	case strings.HasPrefix(c, "08"), c == "57P01", c == "57P02", c == "57P03":
		return true
	case c != "":
		return false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || pgconn.SafeToRetry(err) ||
		strings.Contains(err.Error(), "conn closed")
}

// cachedRebind turns ? and ?N placeholders into $N, outside quoted text.
func cachedRebind() func(string) string {
	var cache sync.Map
	return func(q string) string {
		if v, ok := cache.Load(q); ok {
			return v.(string)
		}
		out := dollarPlaceholders(q)
		cache.Store(q, out)
		return out
	}
}

// dollarPlaceholders rewrites ? (numbered in order) and ?N to $N, leaving '…' and "…" alone.
func dollarPlaceholders(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch c {
		case '\'', '"':
			j := strings.IndexByte(q[i+1:], c)
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case '?':
			k := i + 1
			for k < len(q) && q[k] >= '0' && q[k] <= '9' {
				k++
			}
			b.WriteByte('$')
			if k > i+1 {
				b.WriteString(q[i+1 : k])
			} else {
				n++
				b.WriteString(strconv.Itoa(n))
			}
			i = k - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// tx is a transaction with the time it began, which every write in it uses. Its methods take the
// store's SQL and pass the dialect's to the driver.
type tx struct {
	sqlTx querier // a transaction, or for readOne the reader pool itself
	now   time.Time
	d     *dialect
}

// querier is what a tx sends its statements to: *sql.Tx, or *sql.DB for a lone read.
type querier interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, q string) (*sql.Stmt, error)
}

// readOne is a tx for a read of one statement, which sees one snapshot by itself: it goes
// straight to the reader pool, without the BEGIN and ROLLBACK round trips of beginRead.
// Rollback does nothing.
func (db *DB) readOne() *tx {
	return &tx{sqlTx: db.read, now: db.now().UTC().Truncate(time.Millisecond), d: db.d}
}

func (t *tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.sqlTx.ExecContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.sqlTx.QueryContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return t.sqlTx.QueryRowContext(ctx, t.d.rebind(q), args...)
}

func (t *tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return t.sqlTx.PrepareContext(ctx, t.d.rebind(q))
}

func (t *tx) Commit() error { return t.sqlTx.(*sql.Tx).Commit() }

func (t *tx) Rollback() error {
	if st, ok := t.sqlTx.(*sql.Tx); ok {
		return st.Rollback()
	}
	return nil
}

// execOne runs one statement that is a whole write by itself (a conditional INSERT or UPDATE),
// outside any transaction: atomic on its own in both databases, it needs neither SQLite's
// transaction wrapper nor PostgreSQL's SERIALIZABLE BEGIN and COMMIT round trips.
func (db *DB) execOne(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, db.d.rebind(q), args...)
}

// maxAttempts bounds how often a write transaction runs when PostgreSQL keeps failing it as a
// serialization failure or deadlock.
const maxAttempts = 8

// inWrite runs fn in a write transaction (fn commits it), running it again, after a jittered
// pause, when the database failed it only because a concurrent transaction won (SERIALIZABLE on
// PostgreSQL). fn must therefore have no effect outside the transaction. what names the
// operation in errors.
func inWrite(ctx context.Context, db *DB, what string, fn func(*tx) error) error {
	_, err := inWrite1(ctx, db, what, func(t *tx) (struct{}, error) { return struct{}{}, fn(t) })
	return err
}

// inWrite1 is inWrite for a function with one result besides its error.
func inWrite1[R any](ctx context.Context, db *DB, what string, fn func(*tx) (R, error)) (R, error) {
	r, _, err := inWrite2(ctx, db, what, func(t *tx) (R, struct{}, error) {
		r, err := fn(t)
		return r, struct{}{}, err
	})
	return r, err
}

// inWrite2 is inWrite for a function with two results besides its error.
func inWrite2[R1, R2 any](ctx context.Context, db *DB, what string, fn func(*tx) (R1, R2, error)) (R1, R2, error) {
	pause := 2 * time.Millisecond
	for attempt := 1; ; attempt++ {
		t, err := db.beginWrite(ctx)
		if err != nil {
			var (
				z1 R1
				z2 R2
			)
			return z1, z2, db.unreachable(fmt.Errorf("store: %s: %w", what, err))
		}
		r1, r2, err := fn(t)
		t.Rollback()
		if err == nil || attempt == maxAttempts || !db.d.retryable(err) {
			return r1, r2, db.unreachable(err)
		}
		d := pause/2 + rand.N(pause)
		select {
		case <-ctx.Done():
			return r1, r2, err
		case <-time.After(d):
		}
		pause = min(2*pause, 200*time.Millisecond)
	}
}

// unreachable gives err the sentence users see when the database server cannot be reached, keeping
// the cause for the log; other errors pass unchanged.
func (db *DB) unreachable(err error) error {
	if err == nil || !db.d.down(err) {
		return err
	}
	return fmt.Errorf("%w [%w]", trustbot.Errorf(trustbot.EUnavailable, "The database is unreachable right now; try again in a minute."), err)
}
