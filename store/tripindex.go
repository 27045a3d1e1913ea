package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// The ledger entries of on-chain redemptions are written by the indexer's chunk transaction
// (and by the report of a transaction indexed before it was reported), so a reorg takes them
// back with the events they came from.

// anyOpenTrip reports whether some trip takes entries: a chunk with no open trip anywhere costs
// one query.
func anyOpenTrip(ctx context.Context, tx *tx) (bool, error) {
	var ok bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM trips WHERE status = 'open')`).Scan(&ok); err != nil {
		return false, fmt.Errorf("store: open trips: %w", err)
	}
	return ok, nil
}

// indexLedger writes the entries the redemptions among a chunk's new events imply.
func indexLedger(ctx context.Context, tx *tx, events []trustbot.Event) error {
	var order []common.Hash
	byTx := map[common.Hash][]trustbot.Event{}
	for _, e := range events {
		if d, ok := e.Data.(*trustbot.Transfer); ok && d.Burn() && d.From != (common.Address{}) {
			if _, seen := byTx[e.TxHash]; !seen {
				order = append(order, e.TxHash)
				byTx[e.TxHash] = nil
			}
		}
	}
	if len(order) == 0 {
		return nil
	}
	if ok, err := anyOpenTrip(ctx, tx); err != nil || !ok {
		return err
	}
	for _, e := range events {
		if evs, ok := byTx[e.TxHash]; ok {
			byTx[e.TxHash] = append(evs, e)
		}
	}
	c := newChainCache()
	for _, h := range order {
		if err := ledgerOfTx(ctx, tx, c, h, byTx[h]); err != nil {
			return err
		}
	}
	return nil
}

// ledgerOfReport writes the entries of a transaction's redemptions when the transaction is
// reported after its events were indexed: it may now have a memo and split to give them.
func ledgerOfReport(ctx context.Context, tx *tx, hash common.Hash) error {
	if ok, err := anyOpenTrip(ctx, tx); err != nil || !ok {
		return err
	}
	evs, err := findEvents(ctx, tx, `WHERE tx_hash = ? ORDER BY block_number, log_index`, hashText(hash))
	if err != nil || len(evs) == 0 {
		return err
	}
	return ledgerOfTx(ctx, tx, newChainCache(), hash, evs)
}

// chainCache keeps the reserves and wallet owners one transaction's indexing looked up, for
// the rest of its chunk: a chunk's redemptions come from few reserves and members.
type chainCache struct {
	reserves map[common.Address]*trustbot.Reserve // nil: not a known reserve
	users    map[common.Address]string            // "": nobody linked it
	// trips is a redeemer's only open trip (0: none), for redemptions no request asked for,
	// until an entry is written: entries make members.
	trips map[string]int64
}

func newChainCache() *chainCache {
	return &chainCache{reserves: map[common.Address]*trustbot.Reserve{}, users: map[common.Address]string{}, trips: map[string]int64{}}
}

func (c *chainCache) reserve(ctx context.Context, tx *tx, a common.Address) (*trustbot.Reserve, error) {
	if r, ok := c.reserves[a]; ok {
		return r, nil
	}
	rs, err := findReserves(ctx, tx, `WHERE address = ?`, addrText(a))
	if err != nil {
		return nil, err
	}
	var r *trustbot.Reserve
	if len(rs) == 1 {
		r = &rs[0]
	}
	c.reserves[a] = r
	return r, nil
}

func (c *chainCache) user(ctx context.Context, tx *tx, a common.Address) (string, error) {
	if id, ok := c.users[a]; ok {
		return id, nil
	}
	id, err := userOf(ctx, tx, a)
	if err != nil {
		return "", err
	}
	c.users[a] = id
	return id, nil
}

// ledgerOfTx writes the entries of one transaction's redemptions (its events in log order): for
// each redemption, one entry paid by the issuer of the reserve redeemed from and, for a deep
// one, one per lower layer, paid by that layer's issuer for the layer above. The trip is the
// one the signing request names, else the open trip of the request's channel, else the only
// open trip the redeemer is in. An entry already there is kept, and given the request's memo and
// split when it was untagged. A redemption by or from an address no member linked is left out.
func ledgerOfTx(ctx context.Context, tx *tx, c *chainCache, hash common.Hash, evs []trustbot.Event) error {
	reserve := func(a common.Address) (*trustbot.Reserve, error) { return c.reserve(ctx, tx, a) }
	var req *trustbot.SigningRequest
	if id, _, err := findTx(ctx, tx, hashText(hash)); err == nil {
		r, err := findRequestByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Kind == "redeem" {
			req = &r
		}
	} else if trustbot.ErrorCode(err) != trustbot.ENotFound {
		return err
	}
	for i, e := range evs {
		d, ok := e.Data.(*trustbot.Transfer)
		if !ok || !d.Burn() || d.From == (common.Address{}) {
			continue
		}
		if i+1 < len(evs) && evs[i+1].Address == e.Address {
			if _, revoke := evs[i+1].Data.(*trustbot.Revoked); revoke {
				continue
			}
		}
		top, err := reserve(e.Address)
		if err != nil {
			return err
		} else if top == nil {
			continue
		}
		// A layer burning its backing inside a deep redemption is walked from the top burn.
		if layer, err := reserve(d.From); err != nil {
			return err
		} else if layer != nil && layer.Asset.Address == e.Address {
			continue
		}
		type step struct {
			log    trustbot.Event
			amount *trustbot.Transfer
			paying *trustbot.Reserve
		}
		steps := []step{{log: e, amount: d, paying: top}}
		cur := top
		for j := i + 1; j < len(evs); j++ {
			b, ok := evs[j].Data.(*trustbot.Transfer)
			if !ok || !b.Burn() || evs[j].Address != cur.Asset.Address || b.From != cur.Address {
				continue
			}
			below, err := reserve(cur.Asset.Address)
			if err != nil {
				return err
			} else if below == nil {
				break
			}
			steps = append(steps, step{log: evs[j], amount: b, paying: below})
			cur = below
		}
		paid := cur.Asset
		redeemer, err := c.user(ctx, tx, d.From)
		if err != nil {
			return err
		}
		users := make([]string, len(steps))
		linked := redeemer != ""
		for k, s := range steps {
			if users[k], err = c.user(ctx, tx, s.paying.Issuer); err != nil {
				return err
			}
			linked = linked && users[k] != ""
		}
		if !linked {
			continue
		}
		trip, cached := c.trips[redeemer]
		if req != nil || !cached {
			if trip, err = tripOfRedemption(ctx, tx, req, redeemer); err != nil {
				return err
			}
			if req == nil {
				c.trips[redeemer] = trip
			}
		}
		if trip == 0 {
			continue
		}
		var note *trustbot.LedgerNote
		if req != nil && req.Ledger != nil && req.Ledger.TripID == trip && req.Ledger.Memo != "" {
			note = req.Ledger
		}
		for k, s := range steps {
			entry := trustbot.Entry{
				TripID: trip, Kind: trustbot.EntryRedeem, Payer: users[k], Redeemer: redeemer, Asset: paid,
				Amount: s.amount.Amount, TxHash: hash, LogIndex: s.log.LogIndex, BlockNumber: s.log.Block.Number,
			}
			if req != nil {
				entry.RequestID = req.ID
			}
			if k == 0 {
				if note != nil {
					entry.Memo, entry.Parts = note.Memo, note.Parts
				} else {
					entry.Shares = []trustbot.Share{{UserID: redeemer, Amount: s.amount.Amount}}
				}
			} else {
				consumer := users[k-1]
				entry.Kind, entry.Redeemer = trustbot.EntryLayer, consumer
				entry.Shares = []trustbot.Share{{UserID: consumer, Amount: s.amount.Amount}}
				if note != nil {
					entry.Memo = note.Memo
				}
			}
			if err := putChainEntry(ctx, tx, entry); err != nil {
				return err
			}
		}
		clear(c.trips) // the entries may have made members of their payers and consumers

	}
	return nil
}

// putChainEntry writes an on-chain entry unless its log has one already; an untagged one is
// tagged when entry carries a memo.
func putChainEntry(ctx context.Context, tx *tx, entry trustbot.Entry) error {
	have, err := findEntries(ctx, tx, `WHERE e.tx_hash = ? AND e.log_index = ?`, hashText(entry.TxHash), int64(entry.LogIndex))
	if err != nil {
		return err
	}
	if len(have) == 0 {
		return insertEntry(ctx, tx, &entry)
	}
	old := have[0]
	// Only the trip the entry is in takes its memo and split: a note naming another trip (one
	// opened since) leaves it as it is.
	if entry.Memo == "" || old.Memo != "" || old.TripID != entry.TripID {
		return nil
	}
	if old.Kind == trustbot.EntryLayer {
		_, err := tx.ExecContext(ctx, `UPDATE ledger_entries SET memo = ? WHERE trip_id = ? AND n = ?`, entry.Memo, old.TripID, old.N)
		if err != nil {
			return fmt.Errorf("store: ledger entry %d: %w", old.N, err)
		}
		return nil
	}
	if old.RequestID == "" {
		old.RequestID = entry.RequestID
	}
	_, err = retag(ctx, tx, old, entry.Memo, entry.Parts)
	return err
}

// tripOfRedemption picks the open trip a redemption belongs to (0: none).
func tripOfRedemption(ctx context.Context, tx *tx, req *trustbot.SigningRequest, redeemer string) (int64, error) {
	var id int64
	if req != nil {
		if req.Ledger != nil {
			err := tx.QueryRowContext(ctx, `SELECT id FROM trips WHERE id = ? AND status = 'open'`, req.Ledger.TripID).Scan(&id)
			if err == nil {
				return id, nil
			} else if !errors.Is(err, sql.ErrNoRows) {
				return 0, fmt.Errorf("store: trip of redemption: %w", err)
			}
		}
		err := tx.QueryRowContext(ctx, `SELECT id FROM trips WHERE guild_id = ? AND channel_id = ? AND status = 'open'`,
			req.GuildID, req.ChannelID).Scan(&id)
		if err == nil {
			return id, nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: trip of redemption: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT t.id FROM trips t JOIN trip_members m ON m.trip_id = t.id
		WHERE t.status = 'open' AND m.user_id = ? LIMIT 2`, redeemer)
	if err != nil {
		return 0, fmt.Errorf("store: trip of redemption: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return 0, fmt.Errorf("store: trip of redemption: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("store: trip of redemption: %w", err)
	}
	if len(ids) == 1 {
		return ids[0], nil
	}
	return 0, nil
}

// userOf is the user who linked an address, "" when nobody did.
func userOf(ctx context.Context, tx *tx, a common.Address) (string, error) {
	var id string
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM wallet_links WHERE address = ?`, addrText(a)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: user of %s: %w", addrText(a), err)
	}
	return id, nil
}

// rollbackLedger takes out the on-chain redemption entries above a block (a reorg).
func rollbackLedger(ctx context.Context, tx *tx, block int64) error {
	es, err := findEntries(ctx, tx, `WHERE e.log_index IS NOT NULL AND e.block_number > ?`, block)
	if err != nil {
		return err
	}
	for _, e := range es {
		if err := deleteEntry(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// ledgerOfSettlement records a confirmed settlement request as a settlement entry of its trip
// (open or ended: a trip is often settled after it ends).
func ledgerOfSettlement(ctx context.Context, tx *tx, r trustbot.SigningRequest) error {
	n := r.Ledger
	if r.Kind != "settle" || n == nil || n.Creditor == "" || n.Amount == nil || len(r.Txs) == 0 {
		return nil
	}
	last := r.Txs[len(r.Txs)-1]
	e := trustbot.Entry{
		TripID: n.TripID, Kind: trustbot.EntrySettle, Payer: r.UserID, To: n.Creditor, Asset: n.Asset, Amount: n.Amount,
		Memo: n.Memo, TxHash: last.Hash, BlockNumber: last.BlockNumber, RequestID: r.ID,
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ledger_entries WHERE kind = 'settle' AND request_id = ?)`, r.ID).Scan(&exists); err != nil {
		return fmt.Errorf("store: settlement: %w", err)
	} else if exists {
		return nil
	}
	if err := insertEntry(ctx, tx, &e); err != nil {
		return err
	}
	// A payment to a wallet makes no reserve event: its notice is queued here.
	_, err := tx.ExecContext(ctx, `
		INSERT INTO outbox (tx_hash, next_attempt_at, created_at) VALUES (?, ?, ?) ON CONFLICT (tx_hash) DO NOTHING`,
		hashText(last.Hash), formatTime(tx.now), formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("store: settlement notice: %w", err)
	}
	return nil
}
