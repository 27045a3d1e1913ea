package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// Chunk is what the indexer applies in one transaction: the logs of a range of blocks, decoded,
// the reserves the factory created in it, and the cursor at its last block.
type Chunk struct {
	Cursor   trustbot.Block
	Events   []trustbot.Event   // in chain order
	Reserves []trustbot.Reserve // created in the range, with their tokens' names
}

// EventFilter selects events; zero fields select everything. ToBlock 0 means no upper bound and
// Limit 0 no limit.
type EventFilter struct {
	Address   common.Address
	TxHash    common.Hash
	FromBlock uint64
	ToBlock   uint64
	Limit     int
}

// ApplyChunk writes a chunk in one transaction: the reserves it found, its events (those already
// present, by block hash and log index, are skipped), the projection they imply, the outbox
// rows of the transactions the bot asked for, and the cursor. It returns how many events were
// new. Every event must be at or below the cursor, which may not move backwards nor change
// hash at the same height: that is RollbackTo's job (EConflict).
func (db *DB) ApplyChunk(ctx context.Context, c Chunk) (applied int, err error) {
	return inWrite1(ctx, db, "apply chunk", func(tx *tx) (int, error) {
		prev, err := checkCursorMove(ctx, tx, c.Cursor)
		if err != nil {
			return 0, err
		}
		for _, r := range c.Reserves {
			if _, err := addReserve(ctx, tx, r); err != nil {
				return 0, err
			}
		}
		fresh, err := insertEvents(ctx, tx, c.Cursor, c.Events)
		if err != nil {
			return 0, err
		}
		p := newProjector(tx)
		if err := p.apply(ctx, fresh); err != nil {
			return 0, err
		}
		if err := p.flush(ctx); err != nil {
			return 0, err
		}
		if err := indexLedger(ctx, tx, fresh); err != nil {
			return 0, err
		}
		seen := map[common.Hash]bool{}
		var hashes []string
		for _, e := range fresh {
			if !seen[e.TxHash] {
				seen[e.TxHash] = true
				hashes = append(hashes, hashText(e.TxHash))
			}
		}
		if err := enqueueNotices(ctx, tx, hashes); err != nil {
			return 0, fmt.Errorf("store: apply chunk: %w", err)
		}
		if err := setCursor(ctx, tx, c.Cursor, prev); err != nil {
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, fmt.Errorf("store: apply chunk: commit: %w", err)
		}
		return len(fresh), nil
	})
}

// Cursor returns the indexer's cursor, or ENotFound before the first chunk or rollback.
func (db *DB) Cursor(ctx context.Context) (trustbot.Block, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.Block{}, fmt.Errorf("store: cursor: %w", err)
	}
	defer tx.Rollback()
	c, ok, err := findCursor(ctx, tx)
	if err != nil {
		return trustbot.Block{}, err
	} else if !ok {
		return trustbot.Block{}, trustbot.Errorf(trustbot.ENotFound, "The indexer has not started yet.")
	}
	return c, nil
}

// RollbackTo undoes a reorg in one transaction: it deletes the events above block number and
// the reserves created there, rebuilds the projection of every reserve that lost events, and
// sets the cursor to the common ancestor. It returns the deleted events in chain order. The
// ancestor may not be above the current cursor (EInvalid).
func (db *DB) RollbackTo(ctx context.Context, ancestor trustbot.Block) (removed []trustbot.Event, err error) {
	return inWrite1(ctx, db, "rollback", func(tx *tx) ([]trustbot.Event, error) {
		if !fitsInt64(ancestor.Number) {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", ancestor.Number)
		}
		cur, found, err := findCursor(ctx, tx)
		if err != nil {
			return nil, err
		}
		if found && ancestor.Number > cur.Number {
			return nil, trustbot.Errorf(trustbot.EInvalid, "Cannot roll back to block %d: the cursor is at block %d.", ancestor.Number, cur.Number)
		}
		n := int64(ancestor.Number)
		removed, err = findEvents(ctx, tx, `WHERE block_number > ? ORDER BY block_number, log_index`, n)
		if err != nil {
			return nil, err
		}
		if err := rollbackLedger(ctx, tx, n); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE block_number > ?`, n); err != nil {
			return nil, fmt.Errorf("store: rollback to %d: %w", n, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM reserves WHERE created_block > ?`, n); err != nil {
			return nil, fmt.Errorf("store: rollback to %d: reserves: %w", n, err)
		}
		touched := map[common.Address]bool{}
		for _, e := range removed {
			touched[e.Address] = true
		}
		if err := rebuildProjection(ctx, tx, touched); err != nil {
			return nil, err
		}
		if err := setCursor(ctx, tx, ancestor, prevCursor(cur, found)); err != nil {
			return nil, err
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("store: rollback: commit: %w", err)
		}
		return removed, nil
	})
}

// Events returns the events matching f in chain order (block number, then log index).
func (db *DB) Events(ctx context.Context, f EventFilter) ([]trustbot.Event, error) {
	var (
		where []string
		args  []any
	)
	if f.Address != (common.Address{}) {
		where, args = append(where, "address = ?"), append(args, addrText(f.Address))
	}
	if f.TxHash != (common.Hash{}) {
		where, args = append(where, "tx_hash = ?"), append(args, hashText(f.TxHash))
	}
	if !fitsInt64(f.FromBlock) || !fitsInt64(f.ToBlock) {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Block numbers are out of range.")
	}
	if f.FromBlock > 0 {
		where, args = append(where, "block_number >= ?"), append(args, int64(f.FromBlock))
	}
	if f.ToBlock > 0 {
		where, args = append(where, "block_number <= ?"), append(args, int64(f.ToBlock))
	}
	if f.Limit < 0 {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The limit cannot be negative.")
	}
	q := ""
	if len(where) > 0 {
		q = "WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY block_number, log_index"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer tx.Rollback()
	return findEvents(ctx, tx, q, args...)
}

// checkCursorMove refuses a cursor that would move backwards or change hash at its height. It
// returns the cursor it read (nil before the first), for setCursor's compare-and-swap.
func checkCursorMove(ctx context.Context, tx *tx, next trustbot.Block) (*trustbot.Block, error) {
	if !fitsInt64(next.Number) {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", next.Number)
	}
	if next.Hash == (common.Hash{}) {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The cursor needs a block hash.")
	}
	cur, found, err := findCursor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if found && (next.Number < cur.Number || next.Number == cur.Number && next.Hash != cur.Hash) {
		return nil, trustbot.Errorf(trustbot.EConflict, "The cursor is at block %d (%s); moving it to block %d (%s) needs a rollback first.",
			cur.Number, cur.Hash.Hex(), next.Number, next.Hash.Hex())
	}
	return prevCursor(cur, found), nil
}

// eventKey identifies a log.
type eventKey struct {
	blockHash string
	logIndex  uint
}

// insertRows is how many events one INSERT statement carries: a multi-row INSERT costs one
// statement execution instead of insertRows.
const insertRows = 100

// eventRow is an event ready for the events table.
type eventRow struct {
	e          trustbot.Event
	name, args string
}

// insertEvents inserts the events, skipping those already present, and returns the inserted
// ones in input order.
func insertEvents(ctx context.Context, tx *tx, cursor trustbot.Block, events []trustbot.Event) ([]trustbot.Event, error) {
	rows := make([]eventRow, len(events))
	for i, e := range events {
		switch {
		case e.Block.Hash == (common.Hash{}) || e.TxHash == (common.Hash{}):
			return nil, trustbot.Errorf(trustbot.EInvalid, "An event needs a block hash and a transaction hash.")
		case e.Data == nil:
			return nil, trustbot.Errorf(trustbot.EInvalid, "An event needs a payload.")
		case !validAmount(e.Data):
			return nil, trustbot.Errorf(trustbot.EInvalid, "Block %d log %d: a %s needs an amount from 0 to 2^256 − 1.", e.Block.Number, e.LogIndex, e.Name())
		case e.Block.Number > cursor.Number:
			return nil, trustbot.Errorf(trustbot.EInvalid, "Event in block %d is past the cursor (block %d).", e.Block.Number, cursor.Number)
		case !fitsInt64(uint64(e.LogIndex)) || !fitsInt64(e.Block.Number):
			return nil, trustbot.Errorf(trustbot.EInvalid, "Block %d log %d is out of range.", e.Block.Number, e.LogIndex)
		}
		name, args, err := encodeEvent(e.Data)
		if err != nil {
			return nil, err
		}
		rows[i] = eventRow{e, name, args}
	}
	inserted := make(map[eventKey]bool, len(events))
	insert := insertEventRows
	if tx.d == postgresDialect {
		insert = insertEventArrays
	}
	if err := insert(ctx, tx, rows, inserted); err != nil {
		return nil, err
	}
	var fresh []trustbot.Event
	for _, r := range rows {
		k := eventKey{hashText(r.e.Block.Hash), r.e.LogIndex}
		if inserted[k] {
			delete(inserted, k) // a key repeated within the batch is applied once
			fresh = append(fresh, r.e)
		}
	}
	return fresh, nil
}

// insertEventRows inserts rows with multi-row INSERTs of insertRows events (SQLite), adding the
// keys of the rows inserted to inserted.
func insertEventRows(ctx context.Context, tx *tx, rows []eventRow, inserted map[eventKey]bool) error {
	var (
		stmt     *sql.Stmt
		stmtRows int
	)
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	now := formatTime(tx.now)
	params := make([]any, 0, 8*insertRows)
	for lo := 0; lo < len(rows); lo += insertRows {
		hi := min(lo+insertRows, len(rows))
		if hi-lo != stmtRows {
			if stmt != nil {
				stmt.Close()
			}
			var err error
			if stmt, err = tx.PrepareContext(ctx, insertEventsSQL(hi-lo)); err != nil {
				return fmt.Errorf("store: apply events: %w", err)
			}
			stmtRows = hi - lo
		}
		params = params[:0]
		for _, r := range rows[lo:hi] {
			params = append(params, int64(r.e.Block.Number), hashText(r.e.Block.Hash), int64(r.e.LogIndex),
				hashText(r.e.TxHash), addrText(r.e.Address), r.name, r.args, now)
		}
		res, err := stmt.QueryContext(ctx, params...)
		if err != nil {
			return fmt.Errorf("store: apply events: blocks %d to %d: %w", rows[lo].e.Block.Number, rows[hi-1].e.Block.Number, err)
		}
		if err := scanEventKeys(res, inserted); err != nil {
			return err
		}
	}
	return nil
}

// pgInsertRows is how many events one PostgreSQL INSERT carries, as arrays.
const pgInsertRows = 5000

// insertEventArrays inserts rows on PostgreSQL with one INSERT … SELECT FROM unnest(arrays) per
// pgInsertRows events: one statement to plan and eight parameters to bind, however many rows. The
// keys already stored are read first (a range of the block index), so the INSERT needs no ON
// CONFLICT, whose speculative insertion costs a quarter of every row; a concurrent insert of the
// same key fails the SERIALIZABLE transaction, which inWrite runs again.
func insertEventArrays(ctx context.Context, tx *tx, rows []eventRow, inserted map[eventKey]bool) error {
	now := formatTime(tx.now)
	for lo := 0; lo < len(rows); lo += pgInsertRows {
		part := rows[lo:min(lo+pgInsertRows, len(rows))]
		first, last := part[0].e.Block.Number, part[0].e.Block.Number
		for _, r := range part {
			first, last = min(first, r.e.Block.Number), max(last, r.e.Block.Number)
		}
		stored := map[eventKey]bool{}
		res, err := tx.QueryContext(ctx, `SELECT block_hash, log_index FROM events WHERE block_number BETWEEN ? AND ?`,
			int64(first), int64(last))
		if err != nil {
			return fmt.Errorf("store: apply events: blocks %d to %d: %w", first, last, err)
		}
		if err := scanEventKeys(res, stored); err != nil {
			return err
		}
		var (
			numbers, indexes                []int64
			blocks, txs, addrs, names, args []string
		)
		for _, r := range part {
			k := eventKey{hashText(r.e.Block.Hash), r.e.LogIndex}
			if stored[k] || inserted[k] {
				continue
			}
			inserted[k] = true
			numbers, blocks, indexes = append(numbers, int64(r.e.Block.Number)), append(blocks, k.blockHash), append(indexes, int64(r.e.LogIndex))
			txs, addrs, names, args = append(txs, hashText(r.e.TxHash)), append(addrs, addrText(r.e.Address)), append(names, r.name), append(args, r.args)
		}
		if len(numbers) == 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO events (block_number, block_hash, log_index, tx_hash, address, name, args, applied_at)
			SELECT u.*, ? FROM unnest(CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]),
				CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[])) AS u`,
			now, numbers, blocks, indexes, txs, addrs, names, args); err != nil {
			return fmt.Errorf("store: apply events: blocks %d to %d: %w", first, last, err)
		}
	}
	return nil
}

// scanEventKeys adds the (block_hash, log_index) rows of res to inserted and closes res.
func scanEventKeys(res *sql.Rows, inserted map[eventKey]bool) error {
	defer res.Close()
	for res.Next() {
		var (
			k     eventKey
			index int64
		)
		if err := res.Scan(&k.blockHash, &index); err != nil {
			return fmt.Errorf("store: apply events: %w", err)
		}
		k.logIndex = uint(index)
		inserted[k] = true
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("store: apply events: %w", err)
	}
	return res.Close()
}

// validAmount reports whether a payload's amount, if it has one, is a uint256: the projection
// adds it up (a nil amount would stop it, a negative one would corrupt it).
func validAmount(d trustbot.EventData) bool {
	var v *big.Int
	switch e := d.(type) {
	case *trustbot.Transfer:
		if e == nil {
			return false
		}
		v = e.Amount
	case *trustbot.Trusted:
		if e == nil {
			return false
		}
		v = e.Amount
	case *trustbot.Revoked:
		if e == nil {
			return false
		}
		v = e.Amount
	case *trustbot.Deposited:
		if e == nil {
			return false
		}
		v = e.Amount
	case *trustbot.Withdrawn:
		if e == nil {
			return false
		}
		v = e.Amount
	case *trustbot.ReserveCreated:
		return e != nil
	default:
		return true // encodeEvent refuses it
	}
	return v != nil && v.Sign() >= 0 && v.Cmp(trustbot.MaxUint256()) <= 0
}

// insertEventsSQL is an INSERT of n events that skips existing ones and returns the keys of the
// inserted rows.
func insertEventsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events (block_number, block_hash, log_index, tx_hash, address, name, args, applied_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(` ON CONFLICT (block_number, log_index, block_hash) DO NOTHING RETURNING block_hash, log_index`)
	return b.String()
}

func setCursor(ctx context.Context, tx *tx, c trustbot.Block, prev *trustbot.Block) error {
	// A compare-and-swap on the cursor read at the start of the transaction: even two indexers
	// (a leader whose lease ran out while a chunk was in flight, and its successor) cannot
	// interleave their chunks.
	var (
		res sql.Result
		err error
	)
	if prev == nil {
		res, err = tx.ExecContext(ctx, `
			INSERT INTO watcher_cursor (id, block_number, block_hash, updated_at) VALUES (1, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			int64(c.Number), hashText(c.Hash), formatTime(tx.now))
	} else {
		res, err = tx.ExecContext(ctx, `
			UPDATE watcher_cursor SET block_number = ?, block_hash = ?, updated_at = ?
			WHERE id = 1 AND block_number = ? AND block_hash = ?`,
			int64(c.Number), hashText(c.Hash), formatTime(tx.now), int64(prev.Number), hashText(prev.Hash))
	}
	if err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	} else if n != 1 {
		return trustbot.Errorf(trustbot.EConflict, "Another indexer moved the cursor while block %d was applied.", c.Number)
	}
	return nil
}

// prevCursor is the cursor read, or nil when there was none.
func prevCursor(cur trustbot.Block, found bool) *trustbot.Block {
	if !found {
		return nil
	}
	return &cur
}

func findCursor(ctx context.Context, tx *tx) (trustbot.Block, bool, error) {
	var (
		number int64
		hash   string
	)
	err := tx.QueryRowContext(ctx, `SELECT block_number, block_hash FROM watcher_cursor WHERE id = 1`).Scan(&number, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.Block{}, false, nil
	} else if err != nil {
		return trustbot.Block{}, false, fmt.Errorf("store: cursor: %w", err)
	}
	h, err := parseHash(hash)
	if err != nil {
		return trustbot.Block{}, false, fmt.Errorf("store: cursor: %w", err)
	}
	return trustbot.Block{Number: uint64(number), Hash: h}, true, nil
}

// indexedNames are the events the store has a payload for (decodeEvent's), as an SQL list. The
// indexer before version 4 stored every log of a reserve, an ERC-20 Approval too: such rows
// stay in the table, but they are no event of the bot's and are never read.
const indexedNames = `('Transfer', 'Trusted', 'Revoked', 'Deposited', 'Withdrawn', 'ReserveCreated')`

// findEvents reads the events selected by tail (WHERE/ORDER/LIMIT over the events table), of
// indexedNames only. (The unary + keeps the planner off the name index: the query plans are
// those of tail alone.)
func findEvents(ctx context.Context, tx *tx, tail string, args ...any) ([]trustbot.Event, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT block_number, block_hash, log_index, tx_hash, address, name, args
		FROM (SELECT * FROM events WHERE (name || '') IN `+indexedNames+`) AS events `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find events: %w", err)
	}
	defer rows.Close()
	var es []trustbot.Event
	for rows.Next() {
		var (
			e                               trustbot.Event
			number, index                   int64
			block, txHash, addr, name, argJ string
		)
		if err := rows.Scan(&number, &block, &index, &txHash, &addr, &name, &argJ); err != nil {
			return nil, fmt.Errorf("store: find events: %w", err)
		}
		e.Block.Number, e.LogIndex = uint64(number), uint(index)
		var errs [4]error
		e.Block.Hash, errs[0] = parseHash(block)
		e.TxHash, errs[1] = parseHash(txHash)
		e.Address, errs[2] = parseAddr(addr)
		e.Data, errs[3] = decodeEvent(name, argJ)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("store: find events: block %d log %d: %w", number, index, err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find events: %w", err)
	}
	return es, nil
}
