package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// OutboxNotice is a notice the outbox still has to deliver: a transaction the bot asked for,
// with its indexed events and its signing request.
type OutboxNotice struct {
	TxHash      common.Hash
	Attempts    int       // deliveries tried so far
	NextAttempt time.Time // not before
	LastError   string
	Events      []trustbot.Event // in chain order
	Request     trustbot.SigningRequest
	// Channel is where the notice goes: the guild's notice channel (/setup), else the channel
	// the command was run in.
	Channel string
}

// enqueueNotice adds the outbox row of a transaction once both its events are indexed and a
// signing request reported it; it does nothing before that, or when the row exists (a
// transaction a reorg re-applied is not announced again).
func enqueueNotice(ctx context.Context, tx *tx, hash string) error {
	now := formatTime(tx.now)
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (tx_hash, next_attempt_at, created_at)
		SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM signing_txs WHERE tx_hash = ?)
			AND EXISTS (SELECT 1 FROM events WHERE tx_hash = ? AND (name || '') IN `+indexedNames+`)
		ON CONFLICT (tx_hash) DO NOTHING`, hash, now, now, hash, hash)
	if err != nil {
		return fmt.Errorf("notice outbox: %w", err)
	}
	return nil
}

// enqueueNotices is enqueueNotice for the transactions of a chunk, in one statement: a chunk
// holds thousands of transactions, and few are the bot's.
func enqueueNotices(ctx context.Context, tx *tx, hashes []string) error {
	if len(hashes) == 0 {
		return nil
	}
	list, err := json.Marshal(hashes)
	if err != nil {
		return fmt.Errorf("notice outbox: %w", err)
	}
	now := formatTime(tx.now)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO outbox (tx_hash, next_attempt_at, created_at)
		SELECT t.tx_hash, ?, ? FROM signing_txs t
		WHERE t.tx_hash IN (SELECT value FROM `+tx.d.jsonText("?")+`)
			AND EXISTS (SELECT 1 FROM events e WHERE e.tx_hash = t.tx_hash AND (e.name || '') IN `+indexedNames+`)
		ON CONFLICT (tx_hash) DO NOTHING`, now, now, string(list))
	if err != nil {
		return fmt.Errorf("notice outbox: %w", err)
	}
	return nil
}

// PendingNotices returns up to limit undelivered notices, in chain order of their first event
// (a settlement that moved no reserve's tokens has none: its block orders it), due or not: a notice still waiting for its retry keeps the ones
// after it in its channel waiting too.
func (db *DB) PendingNotices(ctx context.Context, limit int) ([]OutboxNotice, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending notices: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `
		SELECT o.tx_hash, o.attempts, o.next_attempt_at, o.last_error
		FROM outbox o LEFT JOIN events e ON e.tx_hash = o.tx_hash AND (e.name || '') IN `+indexedNames+`
			LEFT JOIN signing_txs t ON t.tx_hash = o.tx_hash
		WHERE o.state = 'pending'
		GROUP BY o.tx_hash
		-- A row whose events a reorg took away waits for them to come back; only a confirmed
		-- settlement has none to wait for.
		HAVING count(e.tx_hash) > 0 OR max(CASE WHEN t.status = 'confirmed' AND EXISTS (
			SELECT 1 FROM signing_requests r WHERE r.id = t.request_id AND r.kind = 'settle') THEN 1 ELSE 0 END) = 1
		ORDER BY coalesce(min(e.block_number), min(t.block_number)), coalesce(min(e.log_index), 0)
		LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending notices: %w", err)
	}
	var out []OutboxNotice
	for rows.Next() {
		var (
			n          OutboxNotice
			hash, next string
		)
		if err := rows.Scan(&hash, &n.Attempts, &next, &n.LastError); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: pending notices: %w", err)
		}
		if n.TxHash, err = parseHash(hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: pending notices: %w", err)
		}
		if n.NextAttempt, err = parseTime(next); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: pending notices: %w", err)
		}
		out = append(out, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: pending notices: %w", err)
	}
	for i := range out {
		n := &out[i]
		h := hashText(n.TxHash)
		if n.Events, err = findEvents(ctx, tx, `WHERE tx_hash = ? ORDER BY block_number, log_index`, h); err != nil {
			return nil, err
		}
		id, _, err := findTx(ctx, tx, h)
		if err != nil {
			return nil, err
		}
		if n.Request, err = findRequestByID(ctx, tx, id); err != nil {
			return nil, err
		}
		n.Channel = n.Request.ChannelID
		var ch string
		err = tx.QueryRowContext(ctx, `SELECT notice_channel_id FROM guild_settings WHERE guild_id = ?`, n.Request.GuildID).Scan(&ch)
		if err == nil && ch != "" {
			n.Channel = ch
		}
	}
	return out, nil
}

// NoticeDelivered records that an adapter delivered the transaction's notice: it is not sent
// again.
func (db *DB) NoticeDelivered(ctx context.Context, hash common.Hash) error {
	return inWrite(ctx, db, "notice delivered", func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'delivered', delivered_at = ?, last_error = ''
		WHERE tx_hash = ? AND state = 'pending'`, formatTime(tx.now), hashText(hash)); err != nil {
			return fmt.Errorf("store: notice delivered: %w", err)
		}
		return tx.Commit()
	})
}

// NoticeDropped records that the transaction's notice can never be delivered (the platform
// refused it for good): it leaves the outbox with the reason.
func (db *DB) NoticeDropped(ctx context.Context, hash common.Hash, reason string) error {
	return inWrite(ctx, db, "notice dropped", func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'dropped', attempts = attempts + 1, last_error = ?
		WHERE tx_hash = ? AND state = 'pending'`, reason, hashText(hash)); err != nil {
			return fmt.Errorf("store: notice dropped: %w", err)
		}
		return tx.Commit()
	})
}

// NoticeFailed records a failed attempt to compose or deliver the transaction's notice; it is
// tried again from retryAt.
func (db *DB) NoticeFailed(ctx context.Context, hash common.Hash, reason string, retryAt time.Time) error {
	return inWrite(ctx, db, "notice failed", func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?
		WHERE tx_hash = ? AND state = 'pending'`, reason, formatTime(retryAt), hashText(hash)); err != nil {
			return fmt.Errorf("store: notice failed: %w", err)
		}
		return tx.Commit()
	})
}
