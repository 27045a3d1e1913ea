package store_test

import (
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"

	"github.com/trustbot/trustbot/store"
)

func TestCreateRequest(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)

	in := newRequest("create-request-0001", "alice", 2)
	in.Calls[0] = trustbot.Call{To: addr(100), Data: []byte{0xab, 0xcd, 0xef}, Value: nil} // nil: no value
	in.Calls[1].Data, in.Calls[1].Value = nil, big.NewInt(123)
	in.Status = trustbot.StatusConfirmed // ignored: a new request is created
	in.Txs = []trustbot.RequestTx{{Index: 0, Hash: hash(1)}}
	in.Error = "ignored"
	in.ExpiresAt = start.Add(15*time.Minute + 1234567) // kept to the millisecond
	got, err := db.CreateRequest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Calls[0].Data[0] = 0 // the store keeps its own copy
	want := newRequest("create-request-0001", "alice", 2)
	want.Calls[0] = trustbot.Call{To: addr(100), Data: []byte{0xab, 0xcd, 0xef}, Value: new(big.Int)}
	want.Calls[1].Data, want.Calls[1].Value = []byte{}, big.NewInt(123)
	want.Status = trustbot.StatusCreated
	want.CreatedAt, want.UpdatedAt = start, start
	want.ExpiresAt = start.Add(15*time.Minute + time.Millisecond)
	if !same(got, want) {
		t.Errorf("CreateRequest: got %s, want %s", show(got), show(want))
	}
	if stored, err := db.Request(ctx, in.ID); err != nil || !same(stored, want) {
		t.Errorf("Request: got %s, %v, want %s", show(stored), err, show(want))
	}
	if got.NextCall() != 0 || !got.AwaitingSigner() {
		t.Errorf("NextCall, AwaitingSigner: got %d, %v, want 0, true", got.NextCall(), got.AwaitingSigner())
	}

	_, err = db.CreateRequest(ctx, newRequest("create-request-0001", "bob", 1))
	wantCode(t, err, trustbot.EConflict)
	_, err = db.Request(ctx, "no-such-request-000")
	wantCode(t, err, trustbot.ENotFound)
}

func TestCreateRequest_Invalid(t *testing.T) {
	db, _, _ := newDB(t)
	for _, c := range []struct {
		name string
		edit func(*trustbot.SigningRequest)
	}{
		{"short id", func(r *trustbot.SigningRequest) { r.ID = "short" }},
		{"id not base64url", func(r *trustbot.SigningRequest) { r.ID = "has/slash+plus=padd" }},
		{"no user", func(r *trustbot.SigningRequest) { r.UserID = "" }},
		{"no signer", func(r *trustbot.SigningRequest) { r.Signer = common.Address{} }},
		{"chain 0", func(r *trustbot.SigningRequest) { r.ChainID = 0 }},
		{"chain too big", func(r *trustbot.SigningRequest) { r.ChainID = 1 << 63 }},
		{"no kind", func(r *trustbot.SigningRequest) { r.Kind = "" }},
		{"no calls", func(r *trustbot.SigningRequest) { r.Calls = nil }},
		{"negative value", func(r *trustbot.SigningRequest) { r.Calls[0].Value = big.NewInt(-1) }},
		{"value above uint256", func(r *trustbot.SigningRequest) {
			r.Calls[0].Value = new(big.Int).Add(trustbot.MaxUint256(), big.NewInt(1))
		}},
		{"expired already", func(r *trustbot.SigningRequest) { r.ExpiresAt = start }},
		{"no expiry", func(r *trustbot.SigningRequest) { r.ExpiresAt = time.Time{} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRequest("invalid-request-001", "alice", 1)
			c.edit(&r)
			_, err := db.CreateRequest(t.Context(), r)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
	r := newRequest("max-value-request-1", "alice", 1)
	r.Calls[0].Value = new(big.Int).Set(trustbot.MaxUint256())
	if _, err := db.CreateRequest(t.Context(), r); err != nil {
		t.Errorf("CreateRequest with value 2^256-1: got %v, want nil", err)
	}
}

func TestMarkOpened(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	for _, id := range []string{"open-request-000001", "open-request-000002", "open-request-000003"} {
		if _, err := db.CreateRequest(ctx, newRequest(id, "alice", 1)); err != nil {
			t.Fatal(err)
		}
	}
	clk.Add(time.Minute)
	r, err := db.MarkOpened(ctx, "open-request-000001")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != trustbot.StatusOpened || r.UpdatedAt != start.Add(time.Minute) {
		t.Errorf("MarkOpened: got %s at %v, want opened at %v", r.Status, r.UpdatedAt, start.Add(time.Minute))
	}
	if r, err = db.MarkOpened(ctx, "open-request-000001"); err != nil || r.Status != trustbot.StatusOpened {
		t.Errorf("MarkOpened again: got %s, %v, want opened, nil", r.Status, err)
	}
	if _, err := db.RecordTx(ctx, "open-request-000001", 0, hash(1)); err != nil {
		t.Fatal(err)
	}
	if r, err = db.MarkOpened(ctx, "open-request-000001"); err != nil || r.Status != trustbot.StatusSubmitted {
		t.Errorf("MarkOpened when submitted: got %s, %v, want submitted, nil", r.Status, err)
	}
	if _, err := db.CancelRequest(ctx, "open-request-000002", "alice"); err != nil {
		t.Fatal(err)
	}
	_, err = db.MarkOpened(ctx, "open-request-000002")
	wantCode(t, err, trustbot.EConflict)
	_, err = db.MarkOpened(ctx, "open-request-00000x")
	wantCode(t, err, trustbot.ENotFound)

	clk.Add(15 * time.Minute)
	_, err = db.MarkOpened(ctx, "open-request-000003")
	wantCode(t, err, trustbot.EExpired)
	// Past expiry, a request whose calls were all sent still shows progress.
	if r, err = db.MarkOpened(ctx, "open-request-000001"); err != nil || r.Status != trustbot.StatusSubmitted {
		t.Errorf("MarkOpened when submitted and past expiry: got %s, %v, want submitted, nil", r.Status, err)
	}
}

func TestRecordTx(t *testing.T) {
	type step struct {
		id   string
		idx  int
		hash common.Hash
		code string // "" = success
	}
	for _, c := range []struct {
		name    string
		calls   int
		before  func(*testing.T, *store.DB, *clock, string)
		steps   []step
		after   func(*testing.T, *store.DB, *clock, string)
		status  trustbot.RequestStatus
		txCount int
	}{
		{
			name:   "first call moves to submitted",
			calls:  1,
			steps:  []step{{idx: 0, hash: hash(1)}},
			status: trustbot.StatusSubmitted, txCount: 1,
		},
		{
			name:   "calls in order",
			calls:  2,
			steps:  []step{{idx: 0, hash: hash(1)}, {idx: 1, hash: hash(2)}},
			status: trustbot.StatusSubmitted, txCount: 2,
		},
		{
			name:   "call out of order",
			calls:  2,
			steps:  []step{{idx: 1, hash: hash(2), code: trustbot.EInvalid}},
			status: trustbot.StatusCreated,
		},
		{
			name:   "index out of range",
			calls:  1,
			steps:  []step{{idx: 1, hash: hash(2), code: trustbot.EInvalid}, {idx: -1, hash: hash(2), code: trustbot.EInvalid}},
			status: trustbot.StatusCreated,
		},
		{
			name:   "same index and hash twice is a no-op",
			calls:  2,
			steps:  []step{{idx: 0, hash: hash(1)}, {idx: 0, hash: hash(1)}},
			status: trustbot.StatusSubmitted, txCount: 1,
		},
		{
			name:   "same index with another hash",
			calls:  2,
			steps:  []step{{idx: 0, hash: hash(1)}, {idx: 0, hash: hash(2), code: trustbot.EConflict}},
			status: trustbot.StatusSubmitted, txCount: 1,
		},
		{
			name:   "every call already submitted",
			calls:  1,
			steps:  []step{{idx: 0, hash: hash(1)}, {idx: 0, hash: hash(2), code: trustbot.EConflict}},
			status: trustbot.StatusSubmitted, txCount: 1,
		},
		{
			name:  "hash of another request",
			calls: 1,
			before: func(t *testing.T, db *store.DB, _ *clock, _ string) {
				if _, err := db.CreateRequest(t.Context(), newRequest("other-request-00001", "alice", 1)); err != nil {
					t.Fatal(err)
				}
				if _, err := db.RecordTx(t.Context(), "other-request-00001", 0, hash(9)); err != nil {
					t.Fatal(err)
				}
			},
			steps:  []step{{idx: 0, hash: hash(9), code: trustbot.EConflict}},
			status: trustbot.StatusCreated,
		},
		{
			name:  "after expiry",
			calls: 1,
			before: func(_ *testing.T, _ *store.DB, clk *clock, _ string) {
				clk.Add(15 * time.Minute)
			},
			steps:  []step{{idx: 0, hash: hash(1), code: trustbot.EExpired}},
			status: trustbot.StatusCreated,
		},
		{
			name:  "second call after expiry",
			calls: 2,
			steps: []step{{idx: 0, hash: hash(1)}},
			after: func(t *testing.T, db *store.DB, clk *clock, id string) {
				clk.Add(15 * time.Minute)
				_, err := db.RecordTx(t.Context(), id, 1, hash(2))
				wantCode(t, err, trustbot.EExpired)
			},
			status: trustbot.StatusSubmitted, txCount: 1,
		},
		{
			name:  "after cancel",
			calls: 1,
			before: func(t *testing.T, db *store.DB, _ *clock, id string) {
				if _, err := db.CancelRequest(t.Context(), id, "alice"); err != nil {
					t.Fatal(err)
				}
			},
			steps:  []step{{idx: 0, hash: hash(1), code: trustbot.EConflict}},
			status: trustbot.StatusCancelled,
		},
		{
			name:   "unknown request",
			calls:  1,
			steps:  []step{{id: "unknown-request-001", idx: 0, hash: hash(1), code: trustbot.ENotFound}},
			status: trustbot.StatusCreated,
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			db, clk, _ := newDB(t)
			const id = "record-request-0001"
			if _, err := db.CreateRequest(ctx, newRequest(id, "alice", c.calls)); err != nil {
				t.Fatal(err)
			}
			if c.before != nil {
				c.before(t, db, clk, id)
			}
			for i, s := range c.steps {
				if s.id == "" {
					s.id = id
				}
				_, err := db.RecordTx(ctx, s.id, s.idx, s.hash)
				if got := trustbot.ErrorCode(err); got != s.code {
					t.Fatalf("step %d: RecordTx(%d, %s): got code %q (%v), want %q", i, s.idx, s.hash, got, err, s.code)
				}
			}
			if c.after != nil {
				c.after(t, db, clk, id)
			}
			r, err := db.Request(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != c.status || len(r.Txs) != c.txCount {
				t.Errorf("after steps: got %s with %d txs, want %s with %d", r.Status, len(r.Txs), c.status, c.txCount)
			}
			for i, tx := range r.Txs {
				if tx.Index != i || tx.Status != trustbot.TxPending || tx.BlockNumber != 0 {
					t.Errorf("tx %d: got %+v, want index %d, pending, no block", i, tx, i)
				}
			}
		})
	}
}

func TestRecordTx_ReturnsRequest(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	if _, err := db.CreateRequest(ctx, newRequest("returned-request-01", "alice", 2)); err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Second)
	r, err := db.RecordTx(ctx, "returned-request-01", 0, hash(7))
	if err != nil {
		t.Fatal(err)
	}
	want := []trustbot.RequestTx{{Index: 0, Hash: hash(7), Status: trustbot.TxPending}}
	if r.Status != trustbot.StatusSubmitted || r.UpdatedAt != start.Add(time.Second) || !equalTxs(r.Txs, want) {
		t.Errorf("RecordTx: got %s at %v with %+v, want submitted at %v with %+v", r.Status, r.UpdatedAt, r.Txs, start.Add(time.Second), want)
	}
	if r.NextCall() != 1 || !r.AwaitingSigner() {
		t.Errorf("NextCall, AwaitingSigner: got %d, %v, want 1, true", r.NextCall(), r.AwaitingSigner())
	}
	if got, err := db.RequestByTx(ctx, hash(7)); err != nil || !same(got, r) {
		t.Errorf("RequestByTx: got %s, %v, want %s", show(got), err, show(r))
	}
	_, err = db.RequestByTx(ctx, hash(8))
	wantCode(t, err, trustbot.ENotFound)
}

func TestConfirmTx(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	const id = "confirm-request-001"
	if _, err := db.CreateRequest(ctx, newRequest(id, "alice", 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, id, 0, hash(1)); err != nil {
		t.Fatal(err)
	}

	// The first call confirms before the second is sent: still submitted.
	r, changed, err := db.ConfirmTx(ctx, hash(1), 10)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != trustbot.StatusSubmitted || changed {
		t.Errorf("ConfirmTx of call 0 of 2: got %s, changed=%v, want submitted, false", r.Status, changed)
	}
	if _, err := db.RecordTx(ctx, id, 1, hash(2)); err != nil {
		t.Fatal(err)
	}
	if r, err = db.Request(ctx, id); err != nil || r.Status != trustbot.StatusSubmitted {
		t.Errorf("after recording call 1: got %s, %v, want submitted", r.Status, err)
	}
	// Both confirmed: confirmed.
	r, changed, err = db.ConfirmTx(ctx, hash(2), 11)
	if err != nil {
		t.Fatal(err)
	}
	want := []trustbot.RequestTx{
		{Index: 0, Hash: hash(1), Status: trustbot.TxConfirmed, BlockNumber: 10},
		{Index: 1, Hash: hash(2), Status: trustbot.TxConfirmed, BlockNumber: 11},
	}
	if r.Status != trustbot.StatusConfirmed || !changed || !equalTxs(r.Txs, want) {
		t.Errorf("ConfirmTx of call 1 of 2: got %s, changed=%v, %+v, want confirmed, true, %+v", r.Status, changed, r.Txs, want)
	}
	// Again (a second log of the same transaction): nothing moves.
	r, changed, err = db.ConfirmTx(ctx, hash(2), 11)
	if err != nil || changed || r.Status != trustbot.StatusConfirmed {
		t.Errorf("ConfirmTx again: got %s, changed=%v, %v, want confirmed, false, nil", r.Status, changed, err)
	}
	if stored, err := db.Request(ctx, id); err != nil || !same(stored, r) {
		t.Errorf("Request: got %s, %v, want %s", show(stored), err, show(r))
	}
	_, _, err = db.ConfirmTx(ctx, hash(3), 12)
	wantCode(t, err, trustbot.ENotFound)
	_, err = db.CancelRequest(ctx, id, "alice")
	wantCode(t, err, trustbot.EConflict)
}

func TestFailTx(t *testing.T) {
	ctx := t.Context()
	db, _, _ := newDB(t)
	const id = "failing-request-001"
	if _, err := db.CreateRequest(ctx, newRequest(id, "alice", 2)); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if _, err := db.RecordTx(ctx, id, i, hash(i+1)); err != nil {
			t.Fatal(err)
		}
	}
	if _, changed, err := db.ConfirmTx(ctx, hash(1), 5); err != nil || changed {
		t.Fatalf("ConfirmTx: got changed=%v, %v, want false, nil", changed, err)
	}
	r, changed, err := db.FailTx(ctx, hash(2), "InsufficientReserve(20000000, 60000000)")
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != trustbot.StatusFailed || !changed || r.Error != "InsufficientReserve(20000000, 60000000)" || r.Txs[1].Status != trustbot.TxFailed {
		t.Errorf("FailTx: got %s, changed=%v, error %q, tx %+v, want failed, true, the reason, a failed tx", r.Status, changed, r.Error, r.Txs[1])
	}
	// A final request stays final; the transaction alone is updated.
	r, changed, err = db.ConfirmTx(ctx, hash(2), 6)
	if err != nil || changed || r.Status != trustbot.StatusFailed || r.Txs[1].Status != trustbot.TxConfirmed {
		t.Errorf("ConfirmTx after failure: got %s, changed=%v, tx %+v, %v, want failed, false, a confirmed tx", r.Status, changed, r.Txs[1], err)
	}

	// Without a reason, a generic one.
	if _, err := db.CreateRequest(ctx, newRequest("failing-request-002", "alice", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, "failing-request-002", 0, hash(3)); err != nil {
		t.Fatal(err)
	}
	if r, _, err = db.FailTx(ctx, hash(3), ""); err != nil || r.Error == "" {
		t.Errorf("FailTx without a reason: got error text %q, %v, want some text", r.Error, err)
	}
	_, _, err = db.FailTx(ctx, hash(4), "x")
	wantCode(t, err, trustbot.ENotFound)
}

func TestCancelRequest(t *testing.T) {
	for _, c := range []struct {
		name   string
		calls  int
		before func(*testing.T, *store.DB, *clock, string)
		user   string
		code   string
	}{
		{name: "owner cancels a created request", calls: 1, user: "alice"},
		{name: "owner cancels an opened request", calls: 1, user: "alice",
			before: func(t *testing.T, db *store.DB, _ *clock, id string) {
				if _, err := db.MarkOpened(t.Context(), id); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "owner cancels a partly submitted request", calls: 2, user: "alice",
			before: func(t *testing.T, db *store.DB, _ *clock, id string) {
				if _, err := db.RecordTx(t.Context(), id, 0, hash(1)); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "another user", calls: 1, user: "mallory", code: trustbot.EForbidden},
		{name: "twice", calls: 1, user: "alice", code: trustbot.EConflict,
			before: func(t *testing.T, db *store.DB, _ *clock, id string) {
				if _, err := db.CancelRequest(t.Context(), id, "alice"); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "fully submitted", calls: 1, user: "alice", code: trustbot.EConflict,
			before: func(t *testing.T, db *store.DB, _ *clock, id string) {
				if _, err := db.RecordTx(t.Context(), id, 0, hash(1)); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "past expiry", calls: 1, user: "alice", code: trustbot.EExpired,
			before: func(_ *testing.T, _ *store.DB, clk *clock, _ string) { clk.Add(15 * time.Minute) }},
		{name: "expired", calls: 1, user: "alice", code: trustbot.EExpired,
			before: func(t *testing.T, db *store.DB, clk *clock, _ string) {
				clk.Add(time.Hour)
				if _, err := db.ExpireRequests(t.Context()); err != nil {
					t.Fatal(err)
				}
			}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := t.Context()
			db, clk, _ := newDB(t)
			const id = "cancel-request-0001"
			if _, err := db.CreateRequest(ctx, newRequest(id, "alice", c.calls)); err != nil {
				t.Fatal(err)
			}
			if c.before != nil {
				c.before(t, db, clk, id)
			}
			before, err := db.Request(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			r, err := db.CancelRequest(ctx, id, c.user)
			if got := trustbot.ErrorCode(err); got != c.code {
				t.Fatalf("CancelRequest: got code %q (%v), want %q", got, err, c.code)
			}
			after, err := db.Request(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if c.code == "" {
				if r.Status != trustbot.StatusCancelled || after.Status != trustbot.StatusCancelled {
					t.Errorf("status: got %s (stored %s), want cancelled", r.Status, after.Status)
				}
			} else if after.Status != before.Status {
				t.Errorf("status after a refused cancel: got %s, want %s", after.Status, before.Status)
			}
		})
	}
	db, _, _ := newDB(t)
	_, err := db.CancelRequest(t.Context(), "missing-request-001", "alice")
	wantCode(t, err, trustbot.ENotFound)
}

func TestExpireRequests(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	mk := func(id string, calls int, expires time.Duration) {
		t.Helper()
		r := newRequest(id, "alice", calls)
		r.ExpiresAt = start.Add(expires)
		if _, err := db.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	mk("expire-created-0001", 1, time.Minute)
	mk("expire-opened-00001", 1, time.Minute)
	mk("expire-partial-0001", 2, time.Minute)
	mk("expire-full-0000001", 1, time.Minute)
	mk("expire-later-000001", 1, time.Hour)
	mk("expire-cancelled-01", 1, time.Minute)
	if _, err := db.MarkOpened(ctx, "expire-opened-00001"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, "expire-partial-0001", 0, hash(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordTx(ctx, "expire-full-0000001", 0, hash(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelRequest(ctx, "expire-cancelled-01", "alice"); err != nil {
		t.Fatal(err)
	}

	if got, err := db.ExpireRequests(ctx); err != nil || len(got) != 0 {
		t.Fatalf("ExpireRequests before expiry: got %d, %v, want none", len(got), err)
	}
	clk.Add(time.Minute)
	got, err := db.ExpireRequests(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
		if r.Status != trustbot.StatusExpired || r.UpdatedAt != start.Add(time.Minute) || len(r.Calls) == 0 {
			t.Errorf("expired request %s: got %s at %v with %d calls, want expired at %v with its calls", r.ID, r.Status, r.UpdatedAt, len(r.Calls), start.Add(time.Minute))
		}
	}
	want := []string{"expire-created-0001", "expire-opened-00001", "expire-partial-0001"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("ExpireRequests: got %v, want %v", ids, want)
	}
	if again, err := db.ExpireRequests(ctx); err != nil || len(again) != 0 {
		t.Errorf("ExpireRequests again: got %d, %v, want none", len(again), err)
	}
	for id, status := range map[string]trustbot.RequestStatus{
		"expire-created-0001": trustbot.StatusExpired,
		"expire-partial-0001": trustbot.StatusExpired,
		"expire-full-0000001": trustbot.StatusSubmitted,
		"expire-later-000001": trustbot.StatusCreated,
		"expire-cancelled-01": trustbot.StatusCancelled,
	} {
		if r, err := db.Request(ctx, id); err != nil || r.Status != status {
			t.Errorf("%s: got %s, %v, want %s", id, r.Status, err, status)
		}
	}
	_, err = db.RecordTx(ctx, "expire-partial-0001", 1, hash(3))
	wantCode(t, err, trustbot.EExpired)
	// The first transaction of the expired request still confirms on chain.
	r, changed, err := db.ConfirmTx(ctx, hash(1), 7)
	if err != nil || changed || r.Status != trustbot.StatusExpired || r.Txs[0].Status != trustbot.TxConfirmed {
		t.Errorf("ConfirmTx on an expired request: got %s, changed=%v, tx %+v, %v, want expired, false, confirmed tx", r.Status, changed, r.Txs[0], err)
	}
	// The fully submitted one confirms normally.
	if r, changed, err = db.ConfirmTx(ctx, hash(2), 7); err != nil || !changed || r.Status != trustbot.StatusConfirmed {
		t.Errorf("ConfirmTx past expiry: got %s, changed=%v, %v, want confirmed, true", r.Status, changed, err)
	}
}

func TestPendingRequests(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	mk := func(id, user string, calls int, expires time.Duration) {
		t.Helper()
		r := newRequest(id, user, calls)
		r.ExpiresAt = start.Add(expires)
		if _, err := db.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.LatestPendingRequest(ctx, "alice")
	wantCode(t, err, trustbot.ENotFound)

	mk("pending-submitted-1", "alice", 1, time.Minute) // fully submitted: stays pending past expiry
	mk("pending-overdue-001", "alice", 1, time.Minute) // overdue: left out
	mk("pending-cancelled-1", "alice", 1, time.Hour)   // final: left out
	mk("pending-bob-0000001", "bob", 1, time.Hour)     // someone else's
	mk("pending-opened-0001", "alice", 1, time.Hour)
	mk("pending-created-001", "alice", 1, time.Hour) // same created_at: newest by insertion
	if _, err := db.RecordTx(ctx, "pending-submitted-1", 0, hash(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelRequest(ctx, "pending-cancelled-1", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkOpened(ctx, "pending-opened-0001"); err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)

	rs, err := db.PendingRequests(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	want := []string{"pending-created-001", "pending-opened-0001", "pending-submitted-1"}
	if strings.Join(ids, ",") != strings.Join(want, ",") {
		t.Errorf("PendingRequests: got %v, want %v", ids, want)
	}
	latest, err := db.LatestPendingRequest(ctx, "alice")
	if err != nil || latest.ID != "pending-created-001" || len(latest.Calls) != 1 {
		t.Errorf("LatestPendingRequest: got %s with %d calls, %v, want pending-created-001 with 1", latest.ID, len(latest.Calls), err)
	}

	clk.Add(time.Minute)
	mk2 := newRequest("pending-newest-0001", "alice", 1)
	mk2.ExpiresAt = start.Add(time.Hour)
	if _, err := db.CreateRequest(ctx, mk2); err != nil {
		t.Fatal(err)
	}
	if latest, err = db.LatestPendingRequest(ctx, "alice"); err != nil || latest.ID != "pending-newest-0001" {
		t.Errorf("LatestPendingRequest: got %s, %v, want pending-newest-0001", latest.ID, err)
	}
	if rs, err := db.PendingRequests(ctx, "carol"); err != nil || len(rs) != 0 {
		t.Errorf("PendingRequests for nobody: got %d, %v, want none", len(rs), err)
	}
}

// TestStatusTrigger checks that the schema itself refuses an illegal
// status transition, whatever the Go code does.
func TestStatusTrigger(t *testing.T) {
	ctx := t.Context()
	db, _, path := newDB(t)
	if _, err := db.CreateRequest(ctx, newRequest("trigger-request-001", "alice", 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CancelRequest(ctx, "trigger-request-001", "alice"); err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, path)
	for _, status := range []string{"created", "opened", "submitted", "confirmed", "expired"} {
		_, err := raw.Exec(`UPDATE signing_requests SET status = '` + status + `' WHERE id = 'trigger-request-001'`)
		if err == nil || !strings.Contains(err.Error(), "illegal signing request status transition") {
			t.Errorf("cancelled → %s: got %v, want the trigger's error", status, err)
		}
	}
	if _, err := raw.Exec(`UPDATE signing_requests SET status = 'bogus' WHERE id = 'trigger-request-001'`); err == nil {
		t.Errorf("status bogus: got no error, want a CHECK failure")
	}
}

func equalTxs(a, b []trustbot.RequestTx) bool { return slices.Equal(a, b) }

func TestPendingTxs(t *testing.T) {
	ctx := t.Context()
	db, clk, _ := newDB(t)
	if got, err := db.PendingTxs(ctx); err != nil || len(got) != 0 {
		t.Fatalf("PendingTxs of an empty store: got %v, %v, want none", got, err)
	}
	for _, id := range []string{"pendingtx-request-1", "pendingtx-request-2"} {
		if _, err := db.CreateRequest(ctx, newRequest(id, "alice", 2)); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Second)
	}
	for _, s := range []struct {
		id   string
		idx  int
		hash common.Hash
	}{
		{"pendingtx-request-2", 0, hash(21)},
		{"pendingtx-request-1", 0, hash(11)},
		{"pendingtx-request-1", 1, hash(12)},
		{"pendingtx-request-2", 1, hash(22)},
	} {
		if _, err := db.RecordTx(ctx, s.id, s.idx, s.hash); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := db.ConfirmTx(ctx, hash(12), 3); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.FailTx(ctx, hash(21), "reverted"); err != nil {
		t.Fatal(err)
	}
	got, err := db.PendingTxs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []store.PendingTx{
		{RequestID: "pendingtx-request-1", Index: 0, Hash: hash(11)},
		{RequestID: "pendingtx-request-2", Index: 1, Hash: hash(22)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("PendingTxs: got %+v, want %+v", got, want)
	}
}

// TestCreateRequest_Names: the labels and units a command made with a request come back with
// it, after a reopen too, and are refused when a page could not show them.
func TestCreateRequest_Names(t *testing.T) {
	ctx := t.Context()
	db, clk, path := newDB(t)

	in := newRequest("named-request-00001", "alice", 2)
	in.Labels = map[common.Address]string{addr(100): "the tUSD token", addr(101): "your ALICE-tUSD reserve", addr(7): "@bob"}
	in.Units = []trustbot.Token{{Address: addr(100), Symbol: "tUSD", Decimals: 6}, {Address: addr(100), Symbol: "tUSD", Decimals: 6}}
	got, err := db.CreateRequest(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	in.Labels[addr(7)] = "changed" // the store keeps its own copy
	want := newRequest("named-request-00001", "alice", 2)
	want.Labels = map[common.Address]string{addr(100): "the tUSD token", addr(101): "your ALICE-tUSD reserve", addr(7): "@bob"}
	want.Units = []trustbot.Token{{Address: addr(100), Symbol: "tUSD", Decimals: 6}, {Address: addr(100), Symbol: "tUSD", Decimals: 6}}
	want.Status, want.CreatedAt, want.UpdatedAt = trustbot.StatusCreated, start, start
	if !same(got, want) {
		t.Errorf("CreateRequest: got %s, want %s", show(got), show(want))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openAt(t, path, clk)
	if stored, err := db.Request(ctx, in.ID); err != nil || !same(stored, want) {
		t.Errorf("Request after reopen: got %s, %v, want %s", show(stored), err, show(want))
	}

	plain, err := db.CreateRequest(ctx, newRequest("plain-request-00001", "alice", 1))
	if err != nil {
		t.Fatal(err)
	}
	if stored, err := db.Request(ctx, plain.ID); err != nil || stored.Labels != nil || stored.Units != nil {
		t.Errorf("Request without names: got labels %v units %v (%v), want none", stored.Labels, stored.Units, err)
	}

	for _, c := range []struct {
		name string
		edit func(*trustbot.SigningRequest)
	}{
		{"empty label", func(r *trustbot.SigningRequest) { r.Labels = map[common.Address]string{addr(1): " "} }},
		{"label too long", func(r *trustbot.SigningRequest) {
			r.Labels = map[common.Address]string{addr(1): strings.Repeat("x", 201)}
		}},
		{"too many labels", func(r *trustbot.SigningRequest) {
			r.Labels = map[common.Address]string{}
			for i := range trustbot.MaxLabels + 1 {
				r.Labels[addr(1000+i)] = "someone"
			}
		}},
		{"units not one per call", func(r *trustbot.SigningRequest) { r.Units = []trustbot.Token{{Symbol: "tUSD"}} }},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRequest("invalid-names-00001", "alice", 2)
			c.edit(&r)
			_, err := db.CreateRequest(t.Context(), r)
			wantCode(t, err, trustbot.EInvalid)
		})
	}
}
