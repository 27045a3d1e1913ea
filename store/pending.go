package store

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// PendingTx is a reported transaction whose outcome is not known yet.
type PendingTx struct {
	RequestID string
	Index     int
	Hash      common.Hash
}

// PendingTxs lists every reported transaction still pending, oldest request first, so the chain
// watcher can look up their receipts and settle them with ConfirmTx or FailTx.
func (db *DB) PendingTxs(ctx context.Context) ([]PendingTx, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: pending txs: %w", err)
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT t.request_id, t.idx, t.tx_hash FROM signing_txs t
		JOIN signing_requests r ON r.id = t.request_id
		WHERE t.status = 'pending' ORDER BY r.created_at, t.request_id, t.idx`)
	if err != nil {
		return nil, fmt.Errorf("store: pending txs: %w", err)
	}
	defer rows.Close()
	var out []PendingTx
	for rows.Next() {
		var (
			p    PendingTx
			hash string
		)
		if err := rows.Scan(&p.RequestID, &p.Index, &hash); err != nil {
			return nil, fmt.Errorf("store: pending txs: %w", err)
		}
		if p.Hash, err = parseHash(hash); err != nil {
			return nil, fmt.Errorf("store: pending txs: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}
