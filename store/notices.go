package store

import (
	"context"
	"fmt"

	"github.com/trustbot/trustbot"
)

// UnnotifiedEvents returns the applied events whose notice was not sent yet, in chain order:
// the outbox of on-chain notices. Events whose transaction and log index were announced before
// (in a block a reorg abandoned) are left out.
func (db *DB) UnnotifiedEvents(ctx context.Context) ([]Event, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: unnotified events: %w", err)
	}
	defer tx.Rollback()
	return findEvents(ctx, tx, `WHERE NOT EXISTS (SELECT 1 FROM notified n
		WHERE n.tx_hash = events.tx_hash AND n.log_index = events.log_index)
		ORDER BY block_number, log_index`)
}

// MarkNotified records that the events' notices were sent.
func (db *DB) MarkNotified(ctx context.Context, events []Event) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("store: mark notified: %w", err)
	}
	defer tx.Rollback()
	for _, e := range events {
		h, ok := normHash(e.TxHash)
		if !ok {
			return trustbot.Errorf(trustbot.EInvalid, "%q is not a transaction hash.", e.TxHash)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notified (tx_hash, log_index, notified_at)
			VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, h, int64(e.LogIndex), formatTime(tx.now)); err != nil {
			return fmt.Errorf("store: mark notified: %w", err)
		}
	}
	return tx.Commit()
}
