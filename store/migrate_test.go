package store_test

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/trustbot/trustbot/store"
)

// TestMigrations_SameNumbers checks that the SQLite and PostgreSQL migrations carry the same
// numbers and names: a schema version means the same schema on both.
func TestMigrations_SameNumbers(t *testing.T) {
	names := func(dialect string) []string {
		files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		for i, f := range files {
			files[i] = filepath.Base(f)
		}
		return files
	}
	lite, pg := names("sqlite"), names("postgres")
	if len(lite) != latestSchema {
		t.Errorf("SQLite migrations: got %d, want %d", len(lite), latestSchema)
	}
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations differ:\nsqlite:   %s\npostgres: %s", strings.Join(lite, " "), strings.Join(pg, " "))
	}
}

// TestOpen_ConcurrentMigrate opens one fresh database from 8 connections at once: each Open
// succeeds and the migrations are applied once.
func TestOpen_ConcurrentMigrate(t *testing.T) {
	path := freshPath(t)
	var wg sync.WaitGroup
	dbs := make([]*store.DB, 8)
	errs := make([]error, 8)
	for i := range dbs {
		wg.Go(func() { dbs[i], errs[i] = store.Open(t.Context(), path, nil) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	v, err := dbs[0].SchemaVersion(t.Context())
	if err != nil || v != latestSchema {
		t.Fatalf("schema version: got %d (%v), want %d", v, err, latestSchema)
	}
	if onPostgres() {
		var n int
		if err := rawDB(t, path).QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != latestSchema {
			t.Errorf("schema_migrations rows: got %d (%v), want %d", n, err, latestSchema)
		}
	}
	if _, err := dbs[3].MarkInteraction(t.Context(), "after-migrate"); err != nil {
		t.Fatal(err)
	}
}
