package store_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/trustbot/trustbot"
)

func TestMarkStale(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	const reason = "@alice revoked your budget after this link was made: you hold 0 ALICE-tUSD now. Nothing was sent."
	mk := func(id string, n int) {
		t.Helper()
		if _, err := db.CreateRequest(ctx, newRequest(id, "alice", n)); err != nil {
			t.Fatal(err)
		}
	}
	mk("stale-created-00001", 1)
	mk("stale-opened-000001", 1)
	if _, err := db.MarkOpened(ctx, "stale-opened-000001"); err != nil {
		t.Fatal(err)
	}
	mk("stale-halfsent-0001", 2)
	if _, err := db.RecordTx(ctx, "stale-halfsent-0001", 0, hash(1)); err != nil {
		t.Fatal(err)
	}
	mk("stale-allsent-00001", 1)
	if _, err := db.RecordTx(ctx, "stale-allsent-00001", 0, hash(2)); err != nil {
		t.Fatal(err)
	}
	mk("stale-cancelled-001", 1)
	if _, err := db.CancelRequest(ctx, "stale-cancelled-001", "alice"); err != nil {
		t.Fatal(err)
	}
	mk("stale-noreason-0001", 1)

	for _, tc := range []struct {
		id, reason string
		code       string // "" when it goes stale
	}{
		{"stale-created-00001", reason, ""},
		{"stale-opened-000001", reason, ""},
		{"stale-halfsent-0001", reason, ""},
		{"stale-created-00001", "another reason", ""}, // already stale: unchanged
		{"stale-allsent-00001", reason, trustbot.EConflict},
		{"stale-cancelled-001", reason, trustbot.EConflict},
		{"stale-noreason-0001", " ", trustbot.EInvalid},
		{"stale-nosuchid-0001", reason, trustbot.ENotFound},
	} {
		r, err := db.MarkStale(ctx, tc.id, tc.reason)
		if got := trustbot.ErrorCode(err); got != tc.code {
			t.Errorf("MarkStale(%s): got code %q (%v), want %q", tc.id, got, err, tc.code)
			continue
		}
		if tc.code != "" {
			continue
		}
		if r.Status != trustbot.StatusStale || r.Error != reason {
			t.Errorf("MarkStale(%s): got %s %q, want stale %q", tc.id, r.Status, r.Error, reason)
		}
		if back, err := db.Request(ctx, tc.id); err != nil || back.Status != trustbot.StatusStale || back.Error != reason {
			t.Errorf("Request(%s) after MarkStale: got %s %q, %v, want stale %q", tc.id, back.Status, back.Error, err, reason)
		}
	}
	rs, err := db.PendingRequests(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	if want := []string{"stale-noreason-0001", "stale-allsent-00001"}; !slices.Equal(ids, want) {
		t.Errorf("PendingRequests: got %v, want %v", ids, want)
	}
	if _, err := db.MarkOpened(ctx, "stale-created-00001"); err != nil {
		t.Errorf("MarkOpened of a stale request: got %v, want it returned unchanged", err)
	}
	if _, err := db.RecordTx(ctx, "stale-created-00001", 0, hash(3)); trustbot.ErrorCode(err) != trustbot.EReverted {
		t.Errorf("RecordTx on a stale request: got %v, want code %s", err, trustbot.EReverted)
	}
}

// TestStaleMigration opens a database made by migrations 0001 to 0004 that holds a request with
// calls and a transaction: 0005 rebuilds signing_requests without losing what refers to it, and
// the rebuilt table takes the stale status, only from a state that allows it.
func TestStaleMigration(t *testing.T) {
	sqliteOnly(t)
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "trustbot.db")
	raw := rawDB(t, path)
	if _, err := raw.Exec("PRAGMA foreign_keys = ON"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 4; i++ {
		names, err := filepath.Glob(filepath.Join("migrations", "sqlite", "000"+string(rune('0'+i))+"_*.sql"))
		if err != nil || len(names) != 1 {
			t.Fatalf("migration %d: got %v, %v, want one file", i, names, err)
		}
		b, err := os.ReadFile(names[0])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := raw.Exec(string(b)); err != nil {
			t.Fatalf("%s: %v", names[0], err)
		}
	}
	for _, q := range []string{
		"PRAGMA user_version = 4",
		`INSERT INTO signing_requests (id, user_id, signer, chain_id, kind, summary, status, created_at, expires_at, updated_at)
			VALUES ('migrated-request-01', 'bob', '0x0000000000000000000000000000000000000001', 1337, 'deposit', 'Two calls.', 'submitted',
			'2026-03-01T12:00:00.000Z', '2026-03-01T12:15:00.000Z', '2026-03-01T12:00:00.000Z')`,
		`INSERT INTO signing_requests (id, user_id, signer, chain_id, kind, summary, status, created_at, expires_at, updated_at)
			VALUES ('migrated-request-02', 'bob', '0x0000000000000000000000000000000000000001', 1337, 'redeem', 'Done.', 'confirmed',
			'2026-03-01T12:00:00.000Z', '2026-03-01T12:15:00.000Z', '2026-03-01T12:00:00.000Z')`,
		`INSERT INTO signing_calls (request_id, idx, to_addr, data, value) VALUES
			('migrated-request-01', 0, '0x0000000000000000000000000000000000000064', '0x00', '0'),
			('migrated-request-01', 1, '0x0000000000000000000000000000000000000065', '0x01', '0')`,
		`INSERT INTO signing_txs (request_id, idx, tx_hash) VALUES
			('migrated-request-01', 0, '0x0000000000000000000000000000000000000000000000000000000000000007')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()

	db := openAt(t, path, newClock())
	if v, err := db.SchemaVersion(ctx); err != nil || v != latestSchema {
		t.Fatalf("SchemaVersion: got %d, %v, want %d", v, err, latestSchema)
	}
	r, err := db.Request(ctx, "migrated-request-01")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Calls) != 2 || len(r.Txs) != 1 || r.Txs[0].Hash != hash(7) {
		t.Fatalf("after the migration: got %d calls and txs %+v, want 2 calls and tx %s", len(r.Calls), r.Txs, hash(7).Hex())
	}
	if r, err := db.MarkStale(ctx, "migrated-request-01", "It went stale."); err != nil || r.Status != trustbot.StatusStale {
		t.Fatalf("MarkStale after the migration: got %s, %v, want stale", r.Status, err)
	}

	raw = rawDB(t, path)
	_, err = raw.Exec(`UPDATE signing_requests SET status = 'stale' WHERE id = 'migrated-request-02'`)
	if err == nil || !strings.Contains(err.Error(), "illegal signing request status transition") {
		t.Errorf("confirmed → stale: got %v, want the trigger's error", err)
	}
	for _, status := range []string{"created", "opened", "submitted", "confirmed", "failed", "expired", "cancelled"} {
		_, err := raw.Exec(`UPDATE signing_requests SET status = ? WHERE id = 'migrated-request-01'`, status)
		if err == nil || !strings.Contains(err.Error(), "illegal signing request status transition") {
			t.Errorf("stale → %s: got %v, want the trigger's error", status, err)
		}
	}
	var n int
	if err := raw.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN
		('signing_requests_user', 'signing_requests_status_expires_at', 'signing_requests_status_transition')`).Scan(&n); err != nil || n != 3 {
		t.Errorf("indexes and trigger after the migration: got %d, %v, want 3", n, err)
	}
}
