package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trustbot/trustbot"
)

// RequestStatus is the state of a signing request:
//
//	created → opened → submitted → confirmed | failed
//	created, opened, submitted → expired | cancelled
//
// created may also go straight to submitted. confirmed, failed, expired and
// cancelled are final.
type RequestStatus string

// Signing request states.
const (
	StatusCreated   RequestStatus = "created"
	StatusOpened    RequestStatus = "opened"
	StatusSubmitted RequestStatus = "submitted"
	StatusConfirmed RequestStatus = "confirmed"
	StatusFailed    RequestStatus = "failed"
	StatusExpired   RequestStatus = "expired"
	StatusCancelled RequestStatus = "cancelled"
)

// Final reports whether no transition leaves s.
func (s RequestStatus) Final() bool {
	return s == StatusConfirmed || s == StatusFailed || s == StatusExpired || s == StatusCancelled
}

// TxStatus is the on-chain outcome of one transaction of a request.
type TxStatus string

// Transaction states.
const (
	TxPending   TxStatus = "pending"
	TxConfirmed TxStatus = "confirmed"
	TxFailed    TxStatus = "failed"
)

// Call is one transaction the signer is asked to send.
type Call struct {
	To    string // lowercase 0x address
	Data  string // 0x hex calldata ("0x" for none)
	Value string // wei, decimal
}

// RequestTx is the transaction reported for the call at Index.
type RequestTx struct {
	Index       int
	Hash        string // lowercase 0x hash
	Status      TxStatus
	BlockNumber uint64 // set once confirmed
}

// Request is a signing request: an ordered list of calls that one Discord
// user's wallet (the expected Signer) is asked to send on one chain before
// ExpiresAt.
type Request struct {
	ID               string // 128 random bits, base64url; chosen by the caller
	GuildID          string
	ChannelID        string
	UserID           string
	InteractionToken string // to edit the original reply later; optional
	Signer           string // expected signer, lowercase 0x address
	ChainID          uint64
	Kind             string // "trust", "redeem", "deposit", …
	Summary          string // what will happen, in one sentence
	Calls            []Call
	Txs              []RequestTx // in call order; Txs[i] is the transaction of Calls[i]
	Status           RequestStatus
	Error            string // why it failed
	CreatedAt        time.Time
	ExpiresAt        time.Time
	UpdatedAt        time.Time
}

// NextCall is the index of the next call to send; len(r.Calls) when all
// were sent.
func (r Request) NextCall() int {
	return len(r.Txs)
}

// AwaitingSigner reports whether the request still waits for the signer to
// send a call (it may have expired meanwhile: compare ExpiresAt).
func (r Request) AwaitingSigner() bool {
	return !r.Status.Final() && len(r.Txs) < len(r.Calls)
}

// awaitingSQL selects requests (aliased r) that still wait for the signer.
const awaitingSQL = `(r.status IN ('created', 'opened') OR (r.status = 'submitted' AND
	(SELECT count(*) FROM signing_txs t WHERE t.request_id = r.id) <
	(SELECT count(*) FROM signing_calls c WHERE c.request_id = r.id)))`

// CreateRequest stores a new request in state created and returns it as
// stored (addresses lowercased, values canonical, times set). ExpiresAt must
// be in the future.
func (db *DB) CreateRequest(ctx context.Context, r Request) (Request, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: create request: %w", err)
	}
	defer tx.Rollback()
	if err := createRequest(ctx, tx, &r); err != nil {
		return Request{}, err
	}
	if err := tx.Commit(); err != nil {
		return Request{}, fmt.Errorf("store: create request: commit: %w", err)
	}
	return r, nil
}

// Request returns the request with its calls and transactions, or trustbot.ENotFound.
func (db *DB) Request(ctx context.Context, id string) (Request, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: request: %w", err)
	}
	defer tx.Rollback()
	return findRequestByID(ctx, tx, id)
}

// RequestByTx returns the request that reported the transaction hash, or
// trustbot.ENotFound.
func (db *DB) RequestByTx(ctx context.Context, hash string) (Request, error) {
	h, ok := normHash(hash)
	if !ok {
		return Request{}, trustbot.Errorf(trustbot.EInvalid, "%q is not a transaction hash.", hash)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: request by tx: %w", err)
	}
	defer tx.Rollback()
	id, _, err := findTx(ctx, tx, h)
	if err != nil {
		return Request{}, err
	}
	return findRequestByID(ctx, tx, id)
}

// MarkOpened records that the signing page was opened: created becomes
// opened. A request that is opened, submitted, confirmed or failed is
// returned unchanged. It fails with trustbot.EExpired when the link expired and with
// trustbot.EConflict when it was cancelled.
func (db *DB) MarkOpened(ctx context.Context, id string) (Request, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: mark opened: %w", err)
	}
	defer tx.Rollback()
	r, err := markOpened(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	if err := tx.Commit(); err != nil {
		return Request{}, fmt.Errorf("store: mark opened: commit: %w", err)
	}
	return r, nil
}

// RecordTx records hash as the transaction of call idx and moves the request
// to submitted. Calls are recorded in order: idx must be the next call.
// Reporting the same hash for the same call again is a no-op. It fails with
// trustbot.EExpired after expiry, trustbot.EConflict when the request was cancelled or
// finished, when the call already has another transaction or when the hash
// belongs to another call, and trustbot.EInvalid for an index out of order. Events of the
// transaction applied before it was recorded go back into the notice outbox (their notice
// needed the request).
func (db *DB) RecordTx(ctx context.Context, id string, idx int, hash string) (Request, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: record tx: %w", err)
	}
	defer tx.Rollback()
	r, err := recordTx(ctx, tx, id, idx, hash)
	if err != nil {
		return Request{}, err
	}
	if err := tx.Commit(); err != nil {
		return Request{}, fmt.Errorf("store: record tx: commit: %w", err)
	}
	return r, nil
}

// ConfirmTx marks the transaction confirmed in block. The request becomes
// confirmed once every call's transaction is confirmed; changed reports
// whether this call moved the request's status. Confirming again is a no-op
// (a later block number, after a reorg, replaces the earlier one). An
// unknown hash fails with trustbot.ENotFound.
func (db *DB) ConfirmTx(ctx context.Context, hash string, block uint64) (r Request, changed bool, err error) {
	return db.settleTx(ctx, hash, TxConfirmed, block, "")
}

// FailTx marks the transaction failed (reverted or dropped) and the request,
// if still submitted, failed with reason as its error. changed reports
// whether the request's status moved. An unknown hash fails with trustbot.ENotFound.
func (db *DB) FailTx(ctx context.Context, hash, reason string) (r Request, changed bool, err error) {
	return db.settleTx(ctx, hash, TxFailed, 0, reason)
}

// CancelRequest cancels a request that still waits for its owner's
// signature. Only userID, the owner, may cancel (trustbot.EForbidden otherwise); an
// expired request fails with trustbot.EExpired, a cancelled, finished or fully
// submitted one with trustbot.EConflict.
func (db *DB) CancelRequest(ctx context.Context, id, userID string) (Request, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: cancel request: %w", err)
	}
	defer tx.Rollback()
	r, err := cancelRequest(ctx, tx, id, userID)
	if err != nil {
		return Request{}, err
	}
	if err := tx.Commit(); err != nil {
		return Request{}, fmt.Errorf("store: cancel request: commit: %w", err)
	}
	return r, nil
}

// ExpireRequests moves every request that still waits for its signer and
// is past its expiry to expired, and returns them. Requests whose calls
// were all sent keep waiting for the chain.
func (db *DB) ExpireRequests(ctx context.Context) ([]Request, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: expire requests: %w", err)
	}
	defer tx.Rollback()
	rs, err := expireRequests(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: expire requests: commit: %w", err)
	}
	return rs, nil
}

// PendingRequests returns the user's requests that are not final (created,
// opened or submitted), newest first, leaving out those that wait for the
// signer past their expiry.
func (db *DB) PendingRequests(ctx context.Context, userID string) ([]Request, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending requests: %w", err)
	}
	defer tx.Rollback()
	return findRequests(ctx, tx, pendingSQL, userID, formatTime(tx.now))
}

// LatestPendingRequest returns the newest of PendingRequests, or trustbot.ENotFound.
func (db *DB) LatestPendingRequest(ctx context.Context, userID string) (Request, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Request{}, fmt.Errorf("store: latest pending request: %w", err)
	}
	defer tx.Rollback()
	rs, err := findRequests(ctx, tx, pendingSQL+` LIMIT 1`, userID, formatTime(tx.now))
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, trustbot.Errorf(trustbot.ENotFound, "You have no pending signing requests.")
	}
	return rs[0], nil
}

const pendingSQL = `WHERE r.user_id = ? AND r.status IN ('created', 'opened', 'submitted')
	AND NOT (` + awaitingSQL + ` AND r.expires_at <= ?)
	ORDER BY r.created_at DESC, r.rowid DESC`

func createRequest(ctx context.Context, tx *tx, r *Request) error {
	signer, ok := normAddress(r.Signer)
	switch {
	case !isRequestID(r.ID):
		return trustbot.Errorf(trustbot.EInvalid, "A signing request id must be 16 to 128 base64url characters.")
	case r.UserID == "":
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs a Discord user.")
	case !ok:
		return trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", r.Signer)
	case r.ChainID == 0 || !fitsInt64(r.ChainID):
		return trustbot.Errorf(trustbot.EInvalid, "Chain id %d is not valid.", r.ChainID)
	case r.Kind == "":
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs a kind.")
	case len(r.Calls) == 0:
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs at least one call.")
	}
	r.Signer = signer
	calls := make([]Call, len(r.Calls))
	for i, c := range r.Calls {
		to, ok := normAddress(c.To)
		if !ok {
			return trustbot.Errorf(trustbot.EInvalid, "Call %d: %q is not an address.", i, c.To)
		}
		data, ok := normData(c.Data)
		if !ok {
			return trustbot.Errorf(trustbot.EInvalid, "Call %d: calldata must be 0x followed by whole bytes in hex.", i)
		}
		value, ok := normUint256(c.Value)
		if !ok {
			return trustbot.Errorf(trustbot.EInvalid, "Call %d: value %q is not a whole number of wei.", i, c.Value)
		}
		calls[i] = Call{To: to, Data: data, Value: value}
	}
	r.Calls = calls
	r.Txs = nil
	r.Status = StatusCreated
	r.Error = ""
	r.CreatedAt, r.UpdatedAt = tx.now, tx.now
	r.ExpiresAt = r.ExpiresAt.UTC().Truncate(time.Millisecond)
	if !r.ExpiresAt.After(tx.now) {
		return trustbot.Errorf(trustbot.EInvalid, "A signing request must expire in the future.")
	}

	_, err := tx.ExecContext(ctx, `
		INSERT INTO signing_requests (id, guild_id, channel_id, user_id, interaction_token, signer,
			chain_id, kind, summary, status, error, created_at, expires_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?)`,
		r.ID, r.GuildID, r.ChannelID, r.UserID, r.InteractionToken, r.Signer,
		int64(r.ChainID), r.Kind, r.Summary, string(r.Status),
		formatTime(r.CreatedAt), formatTime(r.ExpiresAt), formatTime(r.UpdatedAt))
	if isUniqueViolation(err) {
		return trustbot.Errorf(trustbot.EConflict, "A signing request with that id exists already.")
	} else if err != nil {
		return fmt.Errorf("store: create request %s: %w", r.ID, err)
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO signing_calls (request_id, idx, to_addr, data, value) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: create request %s: %w", r.ID, err)
	}
	defer stmt.Close()
	for i, c := range r.Calls {
		if _, err := stmt.ExecContext(ctx, r.ID, i, c.To, c.Data, c.Value); err != nil {
			return fmt.Errorf("store: create request %s: call %d: %w", r.ID, i, err)
		}
	}
	return nil
}

// checkAwaiting returns the error a user sees when r no longer waits for
// its signer, or nil.
func checkAwaiting(r Request, now time.Time) error {
	switch r.Status {
	case StatusCancelled:
		return trustbot.Errorf(trustbot.EConflict, "This signing request was cancelled.")
	case StatusExpired:
		return trustbot.Errorf(trustbot.EExpired, "This signing link expired. Run the command again.")
	case StatusConfirmed:
		return trustbot.Errorf(trustbot.EConflict, "This signing request is already confirmed.")
	case StatusFailed:
		return trustbot.Errorf(trustbot.EConflict, "This signing request already failed.")
	}
	if !r.AwaitingSigner() {
		return trustbot.Errorf(trustbot.EConflict, "Every transaction of this request was already submitted.")
	}
	if !now.Before(r.ExpiresAt) {
		return trustbot.Errorf(trustbot.EExpired, "This signing link expired. Run the command again.")
	}
	return nil
}

func markOpened(ctx context.Context, tx *tx, id string) (Request, error) {
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	switch {
	case r.Status == StatusCancelled:
		return Request{}, trustbot.Errorf(trustbot.EConflict, "This signing request was cancelled.")
	case r.Status == StatusExpired, r.AwaitingSigner() && !tx.now.Before(r.ExpiresAt):
		return Request{}, trustbot.Errorf(trustbot.EExpired, "This signing link expired. Run the command again.")
	case r.Status != StatusCreated:
		return r, nil
	}
	if err := setStatus(ctx, tx, &r, StatusOpened, ""); err != nil {
		return Request{}, err
	}
	return r, nil
}

func recordTx(ctx context.Context, tx *tx, id string, idx int, hash string) (Request, error) {
	h, ok := normHash(hash)
	if !ok {
		return Request{}, trustbot.Errorf(trustbot.EInvalid, "%q is not a transaction hash.", hash)
	}
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	if idx >= 0 && idx < len(r.Txs) && r.Txs[idx].Hash == h {
		return r, nil // reported again: nothing to do
	}
	if err := checkAwaiting(r, tx.now); err != nil {
		return Request{}, err
	}
	switch {
	case idx < 0 || idx >= len(r.Calls):
		return Request{}, trustbot.Errorf(trustbot.EInvalid, "This request has no call %d.", idx)
	case idx < len(r.Txs):
		return Request{}, trustbot.Errorf(trustbot.EConflict, "Call %d was already submitted as %s.", idx, r.Txs[idx].Hash)
	case idx > len(r.Txs):
		return Request{}, trustbot.Errorf(trustbot.EInvalid, "Call %d must be sent before call %d.", len(r.Txs), idx)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO signing_txs (request_id, idx, tx_hash, status) VALUES (?, ?, ?, 'pending')`,
		r.ID, idx, h)
	if isUniqueViolation(err) {
		return Request{}, trustbot.Errorf(trustbot.EConflict, "Transaction %s was already reported for another call.", h)
	} else if err != nil {
		return Request{}, fmt.Errorf("store: record tx %s: %w", r.ID, err)
	}
	// Until now no request had this transaction (tx_hash is unique), so a notice the outbox
	// marked sent for it was left out for want of a request: its events go back in the outbox,
	// for the watcher to pass on again when it confirms the transaction.
	if _, err := tx.ExecContext(ctx, `DELETE FROM notified WHERE tx_hash = ?`, h); err != nil {
		return Request{}, fmt.Errorf("store: record tx %s: notice outbox: %w", r.ID, err)
	}
	r.Txs = append(r.Txs, RequestTx{Index: idx, Hash: h, Status: TxPending})
	if err := setStatus(ctx, tx, &r, StatusSubmitted, r.Error); err != nil {
		return Request{}, err
	}
	return r, nil
}

func (db *DB) settleTx(ctx context.Context, hash string, status TxStatus, block uint64, reason string) (Request, bool, error) {
	h, ok := normHash(hash)
	if !ok {
		return Request{}, false, trustbot.Errorf(trustbot.EInvalid, "%q is not a transaction hash.", hash)
	}
	if !fitsInt64(block) {
		return Request{}, false, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", block)
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Request{}, false, fmt.Errorf("store: settle tx: %w", err)
	}
	defer tx.Rollback()
	r, changed, err := settleTx(ctx, tx, h, status, block, reason)
	if err != nil {
		return Request{}, false, err
	}
	if err := tx.Commit(); err != nil {
		return Request{}, false, fmt.Errorf("store: settle tx: commit: %w", err)
	}
	return r, changed, nil
}

func settleTx(ctx context.Context, tx *tx, hash string, status TxStatus, block uint64, reason string) (Request, bool, error) {
	id, _, err := findTx(ctx, tx, hash)
	if err != nil {
		return Request{}, false, err
	}
	var blockArg any
	if status == TxConfirmed {
		blockArg = int64(block)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE signing_txs SET status = ?, block_number = coalesce(?, block_number) WHERE tx_hash = ?`,
		string(status), blockArg, hash); err != nil {
		return Request{}, false, fmt.Errorf("store: settle tx %s: %w", hash, err)
	}
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return Request{}, false, err
	}
	if r.Status != StatusSubmitted {
		return r, false, nil // final already; the transaction alone is recorded
	}
	next, allConfirmed := StatusSubmitted, len(r.Txs) == len(r.Calls)
	for _, t := range r.Txs {
		if t.Status == TxFailed {
			next = StatusFailed
			break
		}
		if t.Status != TxConfirmed {
			allConfirmed = false
		}
	}
	if next != StatusFailed && allConfirmed {
		next = StatusConfirmed
	}
	if next == StatusSubmitted {
		return r, false, nil
	}
	msg := ""
	if next == StatusFailed {
		msg = reason
		if msg == "" {
			msg = "The transaction failed."
		}
	}
	if err := setStatus(ctx, tx, &r, next, msg); err != nil {
		return Request{}, false, err
	}
	return r, true, nil
}

func cancelRequest(ctx context.Context, tx *tx, id, userID string) (Request, error) {
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return Request{}, err
	}
	if r.UserID != userID {
		return Request{}, trustbot.Errorf(trustbot.EForbidden, "Only the member who asked for this signature can cancel it.")
	}
	if err := checkAwaiting(r, tx.now); err != nil {
		return Request{}, err
	}
	if err := setStatus(ctx, tx, &r, StatusCancelled, ""); err != nil {
		return Request{}, err
	}
	return r, nil
}

func expireRequests(ctx context.Context, tx *tx) ([]Request, error) {
	rs, err := findRequests(ctx, tx, `WHERE `+awaitingSQL+` AND r.expires_at <= ?
		ORDER BY r.expires_at, r.rowid`, formatTime(tx.now))
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := setStatus(ctx, tx, &rs[i], StatusExpired, ""); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// setStatus moves r to status (the trigger refuses illegal moves) and
// updates r in place.
func setStatus(ctx context.Context, tx *tx, r *Request, status RequestStatus, errText string) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE signing_requests SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(status), errText, formatTime(tx.now), r.ID, string(r.Status))
	if err != nil {
		return fmt.Errorf("store: request %s: %s → %s: %w", r.ID, r.Status, status, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: request %s: %w", r.ID, err)
	} else if n != 1 {
		return fmt.Errorf("store: request %s: %s → %s: updated %d rows, want 1", r.ID, r.Status, status, n)
	}
	r.Status, r.Error, r.UpdatedAt = status, errText, tx.now
	return nil
}

// findTx returns the request id and call index of a reported transaction.
func findTx(ctx context.Context, tx *tx, hash string) (string, int, error) {
	var (
		id  string
		idx int
	)
	err := tx.QueryRowContext(ctx, `SELECT request_id, idx FROM signing_txs WHERE tx_hash = ?`, hash).Scan(&id, &idx)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, trustbot.Errorf(trustbot.ENotFound, "No signing request sent transaction %s.", hash)
	} else if err != nil {
		return "", 0, fmt.Errorf("store: find tx %s: %w", hash, err)
	}
	return id, idx, nil
}

func findRequestByID(ctx context.Context, tx *tx, id string) (Request, error) {
	rs, err := findRequests(ctx, tx, `WHERE r.id = ?`, id)
	if err != nil {
		return Request{}, err
	}
	if len(rs) == 0 {
		return Request{}, trustbot.Errorf(trustbot.ENotFound, "This signing link does not exist.")
	}
	return rs[0], nil
}

// findRequests loads the requests selected by tail (WHERE/ORDER/LIMIT over
// signing_requests aliased r) with their calls and transactions.
func findRequests(ctx context.Context, tx *tx, tail string, args ...any) ([]Request, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT r.id, r.guild_id, r.channel_id, r.user_id, r.interaction_token, r.signer, r.chain_id,
			r.kind, r.summary, r.status, r.error, r.created_at, r.expires_at, r.updated_at
		FROM signing_requests r `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find requests: %w", err)
	}
	defer rows.Close()
	var rs []Request
	for rows.Next() {
		var (
			r                         Request
			chainID                   int64
			status                    string
			created, expires, updated string
		)
		if err := rows.Scan(&r.ID, &r.GuildID, &r.ChannelID, &r.UserID, &r.InteractionToken, &r.Signer,
			&chainID, &r.Kind, &r.Summary, &status, &r.Error, &created, &expires, &updated); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		r.ChainID, r.Status = uint64(chainID), RequestStatus(status)
		if r.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		if r.ExpiresAt, err = parseTime(expires); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		if r.UpdatedAt, err = parseTime(updated); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find requests: %w", err)
	}
	rows.Close()
	for i := range rs {
		if err := loadCallsAndTxs(ctx, tx, &rs[i]); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

func loadCallsAndTxs(ctx context.Context, tx *tx, r *Request) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT to_addr, data, value FROM signing_calls WHERE request_id = ? ORDER BY idx`, r.ID)
	if err != nil {
		return fmt.Errorf("store: request %s: calls: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Call
		if err := rows.Scan(&c.To, &c.Data, &c.Value); err != nil {
			return fmt.Errorf("store: request %s: calls: %w", r.ID, err)
		}
		r.Calls = append(r.Calls, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: request %s: calls: %w", r.ID, err)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `
		SELECT idx, tx_hash, status, block_number FROM signing_txs WHERE request_id = ? ORDER BY idx`, r.ID)
	if err != nil {
		return fmt.Errorf("store: request %s: txs: %w", r.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t      RequestTx
			status string
			block  sql.NullInt64
		)
		if err := rows.Scan(&t.Index, &t.Hash, &status, &block); err != nil {
			return fmt.Errorf("store: request %s: txs: %w", r.ID, err)
		}
		t.Status, t.BlockNumber = TxStatus(status), uint64(block.Int64)
		r.Txs = append(r.Txs, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: request %s: txs: %w", r.ID, err)
	}
	return nil
}
