package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// awaitingSQL selects requests (aliased r) that still wait for the signer.
const awaitingSQL = `(r.status IN ('created', 'opened') OR (r.status = 'submitted' AND
	(SELECT count(*) FROM signing_txs t WHERE t.request_id = r.id) <
	(SELECT count(*) FROM signing_calls c WHERE c.request_id = r.id)))`

// CreateRequest stores a new request in state created and returns it as
// stored (addresses lowercased, values canonical, times set). ExpiresAt must
// be in the future.
func (db *DB) CreateRequest(ctx context.Context, r trustbot.SigningRequest) (trustbot.SigningRequest, error) {
	return inWrite1(ctx, db, "create request", func(tx *tx) (trustbot.SigningRequest, error) {
		if err := createRequest(ctx, tx, &r); err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, fmt.Errorf("store: create request: commit: %w", err)
		}
		return r, nil
	})
}

// Request returns the request with its calls and transactions, or trustbot.ENotFound.
func (db *DB) Request(ctx context.Context, id string) (trustbot.SigningRequest, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.SigningRequest{}, fmt.Errorf("store: request: %w", err)
	}
	defer tx.Rollback()
	return findRequestByID(ctx, tx, id)
}

// RequestByTx returns the request that reported the transaction hash, or
// trustbot.ENotFound.
func (db *DB) RequestByTx(ctx context.Context, hash common.Hash) (trustbot.SigningRequest, error) {
	h := hashText(hash)
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.SigningRequest{}, fmt.Errorf("store: request by tx: %w", err)
	}
	defer tx.Rollback()
	id, _, err := findTx(ctx, tx, h)
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	return findRequestByID(ctx, tx, id)
}

// MarkOpened records that the signing page was opened: created becomes
// opened. A request that is opened, submitted, confirmed or failed is
// returned unchanged. It fails with trustbot.EExpired when the link expired and with
// trustbot.EConflict when it was cancelled.
func (db *DB) MarkOpened(ctx context.Context, id string) (trustbot.SigningRequest, error) {
	return inWrite1(ctx, db, "mark opened", func(tx *tx) (trustbot.SigningRequest, error) {
		r, err := markOpened(ctx, tx, id)
		if err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, fmt.Errorf("store: mark opened: commit: %w", err)
		}
		return r, nil
	})
}

// RecordTx records hash as the transaction of call idx and moves the request
// to submitted. Calls are recorded in order: idx must be the next call.
// Reporting the same hash for the same call again is a no-op. It fails with
// trustbot.EExpired after expiry, trustbot.EConflict when the request was cancelled or
// finished, when the call already has another transaction or when the hash
// belongs to another call, and trustbot.EInvalid for an index out of order. Events of the
// transaction applied before it was recorded go back into the notice outbox (their notice
// needed the request).
func (db *DB) RecordTx(ctx context.Context, id string, idx int, hash common.Hash) (trustbot.SigningRequest, error) {
	return inWrite1(ctx, db, "record tx", func(tx *tx) (trustbot.SigningRequest, error) {
		r, err := recordTx(ctx, tx, id, idx, hash)
		if err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, fmt.Errorf("store: record tx: commit: %w", err)
		}
		return r, nil
	})
}

// ConfirmTx marks the transaction confirmed in block. The request becomes
// confirmed once every call's transaction is confirmed; changed reports
// whether this call moved the request's status. Confirming again is a no-op
// (a later block number, after a reorg, replaces the earlier one). An
// unknown hash fails with trustbot.ENotFound.
func (db *DB) ConfirmTx(ctx context.Context, hash common.Hash, block uint64) (r trustbot.SigningRequest, changed bool, err error) {
	return db.settleTx(ctx, hash, trustbot.TxConfirmed, block, "")
}

// FailTx marks the transaction failed (reverted or dropped) and the request,
// if still submitted, failed with reason as its error. changed reports
// whether the request's status moved. An unknown hash fails with trustbot.ENotFound.
func (db *DB) FailTx(ctx context.Context, hash common.Hash, reason string) (r trustbot.SigningRequest, changed bool, err error) {
	return db.settleTx(ctx, hash, trustbot.TxFailed, 0, reason)
}

// CancelRequest cancels a request that still waits for its owner's
// signature. Only userID, the owner, may cancel (trustbot.EForbidden otherwise); an
// expired request fails with trustbot.EExpired, a cancelled, finished or fully
// submitted one with trustbot.EConflict.
func (db *DB) CancelRequest(ctx context.Context, id, userID string) (trustbot.SigningRequest, error) {
	return inWrite1(ctx, db, "cancel request", func(tx *tx) (trustbot.SigningRequest, error) {
		r, err := cancelRequest(ctx, tx, id, userID)
		if err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, fmt.Errorf("store: cancel request: commit: %w", err)
		}
		return r, nil
	})
}

// MarkStale records that a request's remaining calls would now revert because the chain
// changed after its link was made: a request that still waits for its signer becomes stale, with
// reason (a sentence for the user) as its error. A stale request is returned unchanged; one that
// can no longer be signed for another reason fails with that reason (trustbot.EExpired,
// trustbot.EConflict).
func (db *DB) MarkStale(ctx context.Context, id, reason string) (trustbot.SigningRequest, error) {
	if strings.TrimSpace(reason) == "" {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EInvalid, "A stale request needs the reason it went stale.")
	}
	return inWrite1(ctx, db, "mark stale", func(tx *tx) (trustbot.SigningRequest, error) {
		r, err := findRequestByID(ctx, tx, id)
		if err != nil {
			return trustbot.SigningRequest{}, err
		}
		if r.Status == trustbot.StatusStale {
			return r, nil
		}
		if err := r.CheckAwaiting(tx.now); err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := setStatus(ctx, tx, &r, trustbot.StatusStale, reason); err != nil {
			return trustbot.SigningRequest{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, fmt.Errorf("store: mark stale: commit: %w", err)
		}
		return r, nil
	})
}

// ExpireRequests moves every request that still waits for its signer and
// is past its expiry to expired, and returns them. Requests whose calls
// were all sent keep waiting for the chain.
func (db *DB) ExpireRequests(ctx context.Context) ([]trustbot.SigningRequest, error) {
	return inWrite1(ctx, db, "expire requests", func(tx *tx) ([]trustbot.SigningRequest, error) {
		rs, err := expireRequests(ctx, tx)
		if err != nil {
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("store: expire requests: commit: %w", err)
		}
		return rs, nil
	})
}

// PendingRequests returns the user's requests that are not final (created,
// opened or submitted), newest first, leaving out those that wait for the
// signer past their expiry.
func (db *DB) PendingRequests(ctx context.Context, userID string) ([]trustbot.SigningRequest, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending requests: %w", err)
	}
	defer tx.Rollback()
	return findRequests(ctx, tx, pendingSQL, userID, formatTime(tx.now))
}

// LatestPendingRequest returns the newest of PendingRequests, or trustbot.ENotFound.
func (db *DB) LatestPendingRequest(ctx context.Context, userID string) (trustbot.SigningRequest, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.SigningRequest{}, fmt.Errorf("store: latest pending request: %w", err)
	}
	defer tx.Rollback()
	rs, err := findRequests(ctx, tx, pendingSQL+` LIMIT 1`, userID, formatTime(tx.now))
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	if len(rs) == 0 {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.ENotFound, "You have no pending signing requests.")
	}
	return rs[0], nil
}

const pendingSQL = `WHERE r.user_id = ? AND r.status IN ('created', 'opened', 'submitted')
	AND NOT (` + awaitingSQL + ` AND r.expires_at <= ?)
	ORDER BY r.created_at DESC, r.rowid DESC`

func createRequest(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	switch {
	case !isRequestID(r.ID):
		return trustbot.Errorf(trustbot.EInvalid, "A signing request id must be 16 to 128 base64url characters.")
	case r.UserID == "":
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs a Discord user.")
	case r.Signer == (common.Address{}):
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs the address expected to sign it.")
	case r.ChainID == 0 || !fitsInt64(r.ChainID):
		return trustbot.Errorf(trustbot.EInvalid, "Chain id %d is not valid.", r.ChainID)
	case r.Kind == "":
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs a kind.")
	case len(r.Calls) == 0:
		return trustbot.Errorf(trustbot.EInvalid, "A signing request needs at least one call.")
	}
	if err := checkNames(r); err != nil {
		return err
	}
	calls := make([]trustbot.Call, len(r.Calls))
	for i, c := range r.Calls {
		v := trustbot.OrZero(c.Value)
		if v.Sign() < 0 || v.Cmp(trustbot.MaxUint256()) > 0 {
			return trustbot.Errorf(trustbot.EInvalid, "Call %d: value %s is not a whole number of wei.", i, v)
		}
		calls[i] = trustbot.Call{To: c.To, Data: append([]byte{}, c.Data...), Value: new(big.Int).Set(v)}
	}
	r.Calls = calls
	r.Txs = nil
	r.Status = trustbot.StatusCreated
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
		r.ID, r.GuildID, r.ChannelID, r.UserID, r.InteractionToken, addrText(r.Signer),
		int64(r.ChainID), r.Kind, r.Summary, string(r.Status),
		formatTime(r.CreatedAt), formatTime(r.ExpiresAt), formatTime(r.UpdatedAt))
	if tx.isUniqueViolation(err) {
		return trustbot.Errorf(trustbot.EConflict, "A signing request with that id exists already.")
	} else if err != nil {
		return fmt.Errorf("store: create request %s: %w", trustbot.ShortID(r.ID), err)
	}
	stmt, err := tx.PrepareContext(ctx, `
		INSERT INTO signing_calls (request_id, idx, to_addr, data, value) VALUES (?, ?, ?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("store: create request %s: %w", trustbot.ShortID(r.ID), err)
	}
	defer stmt.Close()
	for i, c := range r.Calls {
		if _, err := stmt.ExecContext(ctx, r.ID, i, addrText(c.To), dataText(c.Data), bigText(c.Value)); err != nil {
			return fmt.Errorf("store: create request %s: call %d: %w", trustbot.ShortID(r.ID), i, err)
		}
	}
	if err := insertNames(ctx, tx, r); err != nil {
		return err
	}
	return insertLedgerNote(ctx, tx, r)
}

func markOpened(ctx context.Context, tx *tx, id string) (trustbot.SigningRequest, error) {
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	switch {
	case r.Status == trustbot.StatusCancelled:
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EConflict, "This signing request was cancelled.")
	case r.Expired(tx.now):
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EExpired, "This signing link expired. Run the command again.")
	case r.Status != trustbot.StatusCreated:
		return r, nil
	}
	if err := setStatus(ctx, tx, &r, trustbot.StatusOpened, ""); err != nil {
		return trustbot.SigningRequest{}, err
	}
	return r, nil
}

func recordTx(ctx context.Context, tx *tx, id string, idx int, hash common.Hash) (trustbot.SigningRequest, error) {
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	if again, err := r.CheckReport(idx, hash, tx.now); err != nil {
		return trustbot.SigningRequest{}, err
	} else if again {
		return r, nil // reported again: nothing to do
	}
	h := hashText(hash)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO signing_txs (request_id, idx, tx_hash, status) VALUES (?, ?, ?, 'pending')`,
		r.ID, idx, h)
	if tx.isUniqueViolation(err) {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EConflict, "Transaction %s was already reported for another call.", h)
	} else if err != nil {
		return trustbot.SigningRequest{}, fmt.Errorf("store: record tx %s: %w", trustbot.ShortID(r.ID), err)
	}
	// Events of the transaction indexed before it was reported had no request to name: their
	// notice goes into the outbox now.
	if err := enqueueNotice(ctx, tx, h); err != nil {
		return trustbot.SigningRequest{}, fmt.Errorf("store: record tx %s: %w", trustbot.ShortID(r.ID), err)
	}
	if r.Kind == "redeem" {
		if err := ledgerOfReport(ctx, tx, hash); err != nil {
			return trustbot.SigningRequest{}, err
		}
	}
	r.Txs = append(r.Txs, trustbot.RequestTx{Index: idx, Hash: hash, Status: trustbot.TxPending})
	if err := setStatus(ctx, tx, &r, trustbot.StatusSubmitted, r.Error); err != nil {
		return trustbot.SigningRequest{}, err
	}
	return r, nil
}

func (db *DB) settleTx(ctx context.Context, hash common.Hash, status trustbot.TxStatus, block uint64, reason string) (trustbot.SigningRequest, bool, error) {
	if !fitsInt64(block) {
		return trustbot.SigningRequest{}, false, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", block)
	}
	h := hashText(hash)
	return inWrite2(ctx, db, "settle tx", func(tx *tx) (trustbot.SigningRequest, bool, error) {
		r, changed, err := settleTx(ctx, tx, h, status, block, reason)
		if err != nil {
			return trustbot.SigningRequest{}, false, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SigningRequest{}, false, fmt.Errorf("store: settle tx: commit: %w", err)
		}
		return r, changed, nil
	})
}

func settleTx(ctx context.Context, tx *tx, hash string, status trustbot.TxStatus, block uint64, reason string) (trustbot.SigningRequest, bool, error) {
	id, _, err := findTx(ctx, tx, hash)
	if err != nil {
		return trustbot.SigningRequest{}, false, err
	}
	var blockArg any
	if status == trustbot.TxConfirmed {
		blockArg = int64(block)
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE signing_txs SET status = ?, block_number = coalesce(?, block_number) WHERE tx_hash = ?`,
		string(status), blockArg, hash); err != nil {
		return trustbot.SigningRequest{}, false, fmt.Errorf("store: settle tx %s: %w", hash, err)
	}
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return trustbot.SigningRequest{}, false, err
	}
	next := r.Settled()
	if next == r.Status {
		return r, false, nil // final already, or still waiting for a transaction
	}
	msg := ""
	if next == trustbot.StatusFailed {
		msg = reason
		if msg == "" {
			msg = "The transaction failed."
		}
	}
	if err := setStatus(ctx, tx, &r, next, msg); err != nil {
		return trustbot.SigningRequest{}, false, err
	}
	if next == trustbot.StatusConfirmed {
		if err := ledgerOfSettlement(ctx, tx, r); err != nil {
			return trustbot.SigningRequest{}, false, err
		}
	}
	return r, true, nil
}

func cancelRequest(ctx context.Context, tx *tx, id, userID string) (trustbot.SigningRequest, error) {
	r, err := findRequestByID(ctx, tx, id)
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	if r.UserID != userID {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.EForbidden, "Only the member who asked for this signature can cancel it.")
	}
	if err := r.CheckAwaiting(tx.now); err != nil {
		return trustbot.SigningRequest{}, err
	}
	if err := setStatus(ctx, tx, &r, trustbot.StatusCancelled, ""); err != nil {
		return trustbot.SigningRequest{}, err
	}
	return r, nil
}

func expireRequests(ctx context.Context, tx *tx) ([]trustbot.SigningRequest, error) {
	rs, err := findRequests(ctx, tx, `WHERE `+awaitingSQL+` AND r.expires_at <= ?
		ORDER BY r.expires_at, r.rowid`, formatTime(tx.now))
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := setStatus(ctx, tx, &rs[i], trustbot.StatusExpired, ""); err != nil {
			return nil, err
		}
	}
	return rs, nil
}

// setStatus moves r to status (the trigger refuses illegal moves) and
// updates r in place.
func setStatus(ctx context.Context, tx *tx, r *trustbot.SigningRequest, status trustbot.RequestStatus, errText string) error {
	res, err := tx.ExecContext(ctx, `
		UPDATE signing_requests SET status = ?, error = ?, updated_at = ? WHERE id = ? AND status = ?`,
		string(status), errText, formatTime(tx.now), r.ID, string(r.Status))
	if err != nil {
		return fmt.Errorf("store: request %s: %s → %s: %w", trustbot.ShortID(r.ID), r.Status, status, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: request %s: %w", trustbot.ShortID(r.ID), err)
	} else if n != 1 {
		return fmt.Errorf("store: request %s: %s → %s: updated %d rows, want 1", trustbot.ShortID(r.ID), r.Status, status, n)
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

func findRequestByID(ctx context.Context, tx *tx, id string) (trustbot.SigningRequest, error) {
	rs, err := findRequests(ctx, tx, `WHERE r.id = ?`, id)
	if err != nil {
		return trustbot.SigningRequest{}, err
	}
	if len(rs) == 0 {
		return trustbot.SigningRequest{}, trustbot.Errorf(trustbot.ENotFound, "This signing link does not exist.")
	}
	return rs[0], nil
}

// findRequests loads the requests selected by tail (WHERE/ORDER/LIMIT over
// signing_requests aliased r) with their calls and transactions.
func findRequests(ctx context.Context, tx *tx, tail string, args ...any) ([]trustbot.SigningRequest, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT r.id, r.guild_id, r.channel_id, r.user_id, r.interaction_token, r.signer, r.chain_id,
			r.kind, r.summary, r.status, r.error, r.created_at, r.expires_at, r.updated_at
		FROM signing_requests r `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find requests: %w", err)
	}
	defer rows.Close()
	var rs []trustbot.SigningRequest
	for rows.Next() {
		var (
			r                         trustbot.SigningRequest
			chainID                   int64
			status                    string
			created, expires, updated string
			signer                    string
		)
		if err := rows.Scan(&r.ID, &r.GuildID, &r.ChannelID, &r.UserID, &r.InteractionToken, &signer,
			&chainID, &r.Kind, &r.Summary, &status, &r.Error, &created, &expires, &updated); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		if r.Signer, err = parseAddr(signer); err != nil {
			return nil, fmt.Errorf("store: find requests: %w", err)
		}
		r.ChainID, r.Status = uint64(chainID), trustbot.RequestStatus(status)
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

func loadCallsAndTxs(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT to_addr, data, value FROM signing_calls WHERE request_id = ? ORDER BY idx`, r.ID)
	if err != nil {
		return fmt.Errorf("store: request %s: calls: %w", trustbot.ShortID(r.ID), err)
	}
	defer rows.Close()
	for rows.Next() {
		var to, data, value string
		if err := rows.Scan(&to, &data, &value); err != nil {
			return fmt.Errorf("store: request %s: calls: %w", trustbot.ShortID(r.ID), err)
		}
		c, err := parseCall(to, data, value)
		if err != nil {
			return fmt.Errorf("store: request %s: calls: %w", trustbot.ShortID(r.ID), err)
		}
		r.Calls = append(r.Calls, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: request %s: calls: %w", trustbot.ShortID(r.ID), err)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `
		SELECT idx, tx_hash, status, block_number FROM signing_txs WHERE request_id = ? ORDER BY idx`, r.ID)
	if err != nil {
		return fmt.Errorf("store: request %s: txs: %w", trustbot.ShortID(r.ID), err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			t      trustbot.RequestTx
			status string
			block  sql.NullInt64
			hash   string
		)
		if err := rows.Scan(&t.Index, &hash, &status, &block); err != nil {
			return fmt.Errorf("store: request %s: txs: %w", trustbot.ShortID(r.ID), err)
		}
		if t.Hash, err = parseHash(hash); err != nil {
			return fmt.Errorf("store: request %s: txs: %w", trustbot.ShortID(r.ID), err)
		}
		t.Status, t.BlockNumber = trustbot.TxStatus(status), uint64(block.Int64)
		r.Txs = append(r.Txs, t)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: request %s: txs: %w", trustbot.ShortID(r.ID), err)
	}
	rows.Close()
	if err := loadNames(ctx, tx, r); err != nil {
		return err
	}
	return loadLedgerNote(ctx, tx, r)
}

func parseCall(to, data, value string) (trustbot.Call, error) {
	var (
		c   trustbot.Call
		err error
	)
	if c.To, err = parseAddr(to); err != nil {
		return c, err
	}
	if c.Data, err = parseData(data); err != nil {
		return c, err
	}
	c.Value, err = parseBig(value)
	return c, err
}
