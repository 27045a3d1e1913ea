package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// pgPoolSize is how many connections one process keeps to PostgreSQL: enough for the interactions
// it serves at once, few enough that a handful of processes stay well inside the server's
// default max_connections (100).
const pgPoolSize = 12

// migrationLock is the key of the advisory lock under which a process migrates, so two processes
// starting at once migrate once.
const migrationLock = 0x7472757374626f74 // "trustbot"

// openPostgres opens the PostgreSQL database at the URL dsn (postgres://user:password@host/db) and
// migrates it under an advisory lock. Its errors say which of the URL, the server, the
// credentials or the schema is wrong, without the password.
func openPostgres(ctx context.Context, dsn string, now func() time.Time) (*DB, error) {
	shown := redact(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", shown, errors.New(strings.ReplaceAll(err.Error(), dsn, shown)))
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 10*time.Second {
		cfg.ConnectTimeout = 10 * time.Second
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(pgPoolSize)
	pool.SetMaxIdleConns(pgPoolSize)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open %s: %w", shown, err)
	}
	if _, err := migratePostgres(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: open %s: %w", shown, err)
	}
	return &DB{write: pool, read: pool, now: now, d: postgresDialect}, nil
}

// migratePostgres applies the pending PostgreSQL migrations in one transaction while holding a
// session advisory lock, and records each in schema_migrations. It returns the version it found.
func migratePostgres(ctx context.Context, pool *sql.DB) (int, error) {
	ms, err := migrations(postgresDialect)
	if err != nil {
		return 0, err
	}
	conn, err := pool.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", int64(migrationLock)); err != nil {
		return 0, fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", int64(migrationLock))
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY CHECK (version > 0),
		name       TEXT NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return 0, fmt.Errorf("migrate: read version: %w", err)
	}
	if current > len(ms) {
		return 0, fmt.Errorf("migrate: %w: it is at version %d, this program knows only %d", ErrNewerSchema, current, len(ms))
	}
	if current == len(ms) {
		return current, nil
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return 0, fmt.Errorf("migrate: %s: %w", m.name, err)
		}
	}
	return current, tx.Commit()
}

// redact is dsn with its password replaced by xxxxx, for messages; also a dsn that does not
// parse as a URL (a port that is no number, say) loses its password.
func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil {
		if u.User == nil {
			return dsn
		}
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return dsn
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	at := strings.LastIndex(rest[:end], "@")
	if at < 0 {
		return dsn
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return dsn
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// PostgresFailure says in a sentence why a PostgreSQL database could not be opened, naming the
// part of the URL at fault: the URL itself, the server, the credentials, the database or the
// schema. It returns "" for an error that is none of those.
func PostgresFailure(err error) string {
	var pe *pgconn.PgError
	var ce *pgconn.ConnectError
	switch {
	case errors.Is(err, ErrNewerSchema):
		return "was migrated by a newer trustbot; run that build, or restore a backup made for this one"
	case errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000"):
		return "refused the user name or password"
	case errors.As(err, &pe) && pe.Code == "3D000":
		return "names a database that does not exist on that server"
	case errors.As(err, &pe):
		return ""
	case errors.As(err, &ce) && (strings.Contains(ce.Error(), "password authentication failed") || strings.Contains(ce.Error(), "SQLSTATE 28P01")):
		return "refused the user name or password"
	case errors.As(err, &ce) && strings.Contains(ce.Error(), "SQLSTATE 3D000"):
		return "names a database that does not exist on that server"
	case errors.As(err, &ce):
		return "names a server that cannot be reached"
	case strings.Contains(err.Error(), "cannot parse"), strings.Contains(err.Error(), "invalid"):
		return "is not a valid postgres:// URL"
	}
	return ""
}
