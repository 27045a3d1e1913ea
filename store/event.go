package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/trustbot/trustbot"
)

// Event is one contract log the chain watcher applied, identified by
// (BlockHash, LogIndex).
type Event struct {
	BlockNumber uint64
	BlockHash   string // lowercase 0x
	LogIndex    uint
	TxHash      string // lowercase 0x
	Address     string // emitter, lowercase 0x
	Name        string // "Trusted", "Redeemed", "ReserveCreated", …
	// Args holds the decoded arguments: uint256 values as decimal strings,
	// addresses as lowercase 0x hex. Stored as a JSON object; empty reads
	// back as nil.
	Args      map[string]string
	AppliedAt time.Time // set by the store
}

// Cursor is the last block whose logs are applied.
type Cursor struct {
	Number uint64
	Hash   string // lowercase 0x
}

// EventFilter selects events; zero fields select everything. ToBlock 0
// means no upper bound and Limit 0 no limit.
type EventFilter struct {
	Address   string
	Name      string
	TxHash    string
	FromBlock uint64
	ToBlock   uint64
	Limit     int
}

// ApplyEvents inserts events and moves the cursor in one transaction.
// Events already present (same block hash and log index) are skipped, so
// applying the same logs twice is a no-op; applied holds only the events
// inserted now, in input order, with AppliedAt set. Every event must be at
// or below cursor. The cursor may not move backwards, nor change hash at
// the same height: that is RollbackTo's job (trustbot.EConflict).
func (db *DB) ApplyEvents(ctx context.Context, cursor Cursor, events []Event) (applied []Event, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: apply events: %w", err)
	}
	defer tx.Rollback()
	applied, err = applyEvents(ctx, tx, cursor, events)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: apply events: commit: %w", err)
	}
	return applied, nil
}

// Cursor returns the watcher's cursor, or trustbot.ENotFound before the first
// ApplyEvents or RollbackTo.
func (db *DB) Cursor(ctx context.Context) (Cursor, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Cursor{}, fmt.Errorf("store: cursor: %w", err)
	}
	defer tx.Rollback()
	c, ok, err := findCursor(ctx, tx)
	if err != nil {
		return Cursor{}, err
	} else if !ok {
		return Cursor{}, trustbot.Errorf(trustbot.ENotFound, "The chain watcher has not started yet.")
	}
	return c, nil
}

// RollbackTo undoes a reorg: it deletes the events above block number and
// sets the cursor to (number, hash), the common ancestor, in one
// transaction. It returns the deleted events in chain order. number may not
// be above the current cursor (trustbot.EInvalid).
func (db *DB) RollbackTo(ctx context.Context, number uint64, hash string) (removed []Event, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: rollback: %w", err)
	}
	defer tx.Rollback()
	removed, err = rollbackTo(ctx, tx, number, hash)
	if err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store: rollback: commit: %w", err)
	}
	return removed, nil
}

// Events returns the events matching f in chain order (block number, then
// log index).
func (db *DB) Events(ctx context.Context, f EventFilter) ([]Event, error) {
	var (
		where []string
		args  []any
	)
	if f.Address != "" {
		a, ok := normAddress(f.Address)
		if !ok {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", f.Address)
		}
		where, args = append(where, "address = ?"), append(args, a)
	}
	if f.Name != "" {
		where, args = append(where, "name = ?"), append(args, f.Name)
	}
	if f.TxHash != "" {
		h, ok := normHash(f.TxHash)
		if !ok {
			return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not a transaction hash.", f.TxHash)
		}
		where, args = append(where, "tx_hash = ?"), append(args, h)
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

func normEvent(e Event, cursor Cursor) (Event, error) {
	var ok [3]bool
	e.BlockHash, ok[0] = normHash(e.BlockHash)
	e.TxHash, ok[1] = normHash(e.TxHash)
	e.Address, ok[2] = normAddress(e.Address)
	e.AppliedAt = time.Time{}
	if len(e.Args) == 0 {
		e.Args = nil
	}
	switch {
	case !ok[0] || !ok[1] || !ok[2]:
		return Event{}, trustbot.Errorf(trustbot.EInvalid, "An event needs a block hash, a transaction hash and an emitter address.")
	case e.Name == "":
		return Event{}, trustbot.Errorf(trustbot.EInvalid, "An event needs a name.")
	case e.BlockNumber > cursor.Number:
		return Event{}, trustbot.Errorf(trustbot.EInvalid, "Event in block %d is past the cursor (block %d).", e.BlockNumber, cursor.Number)
	case !fitsInt64(uint64(e.LogIndex)):
		return Event{}, trustbot.Errorf(trustbot.EInvalid, "Log index %d is out of range.", e.LogIndex)
	}
	return e, nil
}

func applyEvents(ctx context.Context, tx *tx, cursor Cursor, events []Event) ([]Event, error) {
	h, ok := normHash(cursor.Hash)
	if !ok {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The cursor needs a block hash.")
	}
	if !fitsInt64(cursor.Number) {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", cursor.Number)
	}
	cursor.Hash = h
	cur, found, err := findCursor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if found && (cursor.Number < cur.Number || cursor.Number == cur.Number && cursor.Hash != cur.Hash) {
		return nil, trustbot.Errorf(trustbot.EConflict, "The cursor is at block %d (%s); moving it to block %d (%s) needs a rollback first.",
			cur.Number, cur.Hash, cursor.Number, cursor.Hash)
	}

	norm := make([]Event, len(events))
	args := make([]string, len(events))
	for i, e := range events {
		if norm[i], err = normEvent(e, cursor); err != nil {
			return nil, err
		}
		if args[i], err = encodeArgs(e.Args); err != nil {
			return nil, fmt.Errorf("store: apply events: block %d log %d: %w", e.BlockNumber, e.LogIndex, err)
		}
	}
	inserted, err := insertEvents(ctx, tx, norm, args)
	if err != nil {
		return nil, err
	}
	var applied []Event
	for _, e := range norm {
		k := eventKey{e.BlockHash, e.LogIndex}
		if inserted[k] {
			delete(inserted, k) // a key repeated within the batch is applied once
			e.AppliedAt = tx.now
			applied = append(applied, e)
		}
	}
	if err := setCursor(ctx, tx, cursor); err != nil {
		return nil, err
	}
	return applied, nil
}

// eventKey identifies a log.
type eventKey struct {
	blockHash string
	logIndex  uint
}

// insertRows is how many events one INSERT statement carries: a multi-row
// INSERT costs one statement execution instead of insertRows.
const insertRows = 100

// insertEvents inserts the events, skipping those already present, and
// returns the keys of the rows it inserted.
func insertEvents(ctx context.Context, tx *tx, events []Event, args []string) (map[eventKey]bool, error) {
	inserted := make(map[eventKey]bool, len(events))
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
	for lo := 0; lo < len(events); lo += insertRows {
		hi := min(lo+insertRows, len(events))
		if hi-lo != stmtRows {
			if stmt != nil {
				stmt.Close()
			}
			var err error
			if stmt, err = tx.PrepareContext(ctx, insertEventsSQL(hi-lo)); err != nil {
				return nil, fmt.Errorf("store: apply events: %w", err)
			}
			stmtRows = hi - lo
		}
		params = params[:0]
		for i := lo; i < hi; i++ {
			e := events[i]
			params = append(params, int64(e.BlockNumber), e.BlockHash, int64(e.LogIndex),
				e.TxHash, e.Address, e.Name, args[i], now)
		}
		rows, err := stmt.QueryContext(ctx, params...)
		if err != nil {
			return nil, fmt.Errorf("store: apply events: blocks %d to %d: %w", events[lo].BlockNumber, events[hi-1].BlockNumber, err)
		}
		for rows.Next() {
			var (
				k     eventKey
				index int64
			)
			if err := rows.Scan(&k.blockHash, &index); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: apply events: %w", err)
			}
			k.logIndex = uint(index)
			inserted[k] = true
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: apply events: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: apply events: %w", err)
		}
	}
	return inserted, nil
}

// insertEventsSQL is an INSERT of n events that skips existing ones and
// returns the keys of the inserted rows.
func insertEventsSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO events (block_number, block_hash, log_index, tx_hash, address, name, args, applied_at) VALUES `)
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(` ON CONFLICT (block_hash, log_index) DO NOTHING RETURNING block_hash, log_index`)
	return b.String()
}

// encodeArgs renders event arguments as a JSON object with sorted keys.
func encodeArgs(args map[string]string) (string, error) {
	if len(args) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(args)
	return string(b), err
}

func rollbackTo(ctx context.Context, tx *tx, number uint64, hash string) ([]Event, error) {
	h, ok := normHash(hash)
	if !ok {
		return nil, trustbot.Errorf(trustbot.EInvalid, "The cursor needs a block hash.")
	}
	if !fitsInt64(number) {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", number)
	}
	cur, found, err := findCursor(ctx, tx)
	if err != nil {
		return nil, err
	}
	if found && number > cur.Number {
		return nil, trustbot.Errorf(trustbot.EInvalid, "Cannot roll back to block %d: the cursor is at block %d.", number, cur.Number)
	}
	removed, err := findEvents(ctx, tx, `WHERE block_number > ? ORDER BY block_number, log_index`, int64(number))
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE block_number > ?`, int64(number)); err != nil {
		return nil, fmt.Errorf("store: rollback to %d: %w", number, err)
	}
	if err := setCursor(ctx, tx, Cursor{Number: number, Hash: h}); err != nil {
		return nil, err
	}
	return removed, nil
}

func setCursor(ctx context.Context, tx *tx, c Cursor) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO watcher_cursor (id, block_number, block_hash, updated_at) VALUES (1, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			block_number = excluded.block_number,
			block_hash = excluded.block_hash,
			updated_at = excluded.updated_at`,
		int64(c.Number), c.Hash, formatTime(tx.now))
	if err != nil {
		return fmt.Errorf("store: set cursor: %w", err)
	}
	return nil
}

func findCursor(ctx context.Context, tx *tx) (Cursor, bool, error) {
	var (
		c      Cursor
		number int64
	)
	err := tx.QueryRowContext(ctx, `SELECT block_number, block_hash FROM watcher_cursor WHERE id = 1`).
		Scan(&number, &c.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Cursor{}, false, nil
	} else if err != nil {
		return Cursor{}, false, fmt.Errorf("store: cursor: %w", err)
	}
	c.Number = uint64(number)
	return c, true, nil
}

func findEvents(ctx context.Context, tx *tx, tail string, args ...any) ([]Event, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT block_number, block_hash, log_index, tx_hash, address, name, args, applied_at
		FROM events `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find events: %w", err)
	}
	defer rows.Close()
	var es []Event
	for rows.Next() {
		var (
			e                  Event
			number, index      int64
			argJSON, appliedAt string
		)
		if err := rows.Scan(&number, &e.BlockHash, &index, &e.TxHash, &e.Address, &e.Name, &argJSON, &appliedAt); err != nil {
			return nil, fmt.Errorf("store: find events: %w", err)
		}
		e.BlockNumber, e.LogIndex = uint64(number), uint(index)
		if argJSON != "{}" {
			if err := json.Unmarshal([]byte(argJSON), &e.Args); err != nil {
				return nil, fmt.Errorf("store: find events: args of block %d log %d: %w", number, index, err)
			}
		}
		if e.AppliedAt, err = parseTime(appliedAt); err != nil {
			return nil, fmt.Errorf("store: find events: %w", err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find events: %w", err)
	}
	return es, nil
}
