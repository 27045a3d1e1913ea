package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trustbot/trustbot"
)

// Reserve is a TrustReserve clone made by the factory: one per issuer and
// asset. A database serves one chain.
type Reserve struct {
	Address      string // lowercase 0x
	Issuer       string // lowercase 0x
	Asset        string // lowercase 0x; 0x000…0 is the native coin
	ChainID      uint64
	CreatedBlock uint64
	Name         string
	Symbol       string
	Decimals     uint8
}

// AddReserve stores a reserve and returns it as stored. Adding a reserve
// that is known already updates it (the watcher sees ReserveCreated again
// after a reorg, possibly in another block). It fails with trustbot.EConflict when
// another reserve is known for the same issuer and asset.
func (db *DB) AddReserve(ctx context.Context, r Reserve) (Reserve, error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return Reserve{}, fmt.Errorf("store: add reserve: %w", err)
	}
	defer tx.Rollback()
	r, err = addReserve(ctx, tx, r)
	if err != nil {
		return Reserve{}, err
	}
	if err := tx.Commit(); err != nil {
		return Reserve{}, fmt.Errorf("store: add reserve: commit: %w", err)
	}
	return r, nil
}

// Reserve returns the reserve at address, or trustbot.ENotFound.
func (db *DB) Reserve(ctx context.Context, address string) (Reserve, error) {
	a, ok := normAddress(address)
	if !ok {
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", address)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Reserve{}, fmt.Errorf("store: reserve: %w", err)
	}
	defer tx.Rollback()
	rs, err := findReserves(ctx, tx, `WHERE address = ?`, a)
	if err != nil {
		return Reserve{}, err
	}
	if len(rs) == 0 {
		return Reserve{}, trustbot.Errorf(trustbot.ENotFound, "%s is not a known reserve.", a)
	}
	return rs[0], nil
}

// Reserves returns every known reserve in creation order.
func (db *DB) Reserves(ctx context.Context) ([]Reserve, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reserves: %w", err)
	}
	defer tx.Rollback()
	return findReserves(ctx, tx, ``)
}

// ReserveByIssuer returns the issuer's reserve of asset, or trustbot.ENotFound.
func (db *DB) ReserveByIssuer(ctx context.Context, issuer, asset string) (Reserve, error) {
	i, ok := normAddress(issuer)
	if !ok {
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", issuer)
	}
	a, ok := normAddress(asset)
	if !ok {
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", asset)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return Reserve{}, fmt.Errorf("store: reserve by issuer: %w", err)
	}
	defer tx.Rollback()
	rs, err := findReserves(ctx, tx, `WHERE issuer = ? AND asset = ?`, i, a)
	if err != nil {
		return Reserve{}, err
	}
	if len(rs) == 0 {
		return Reserve{}, trustbot.Errorf(trustbot.ENotFound, "There is no reserve of that asset for that member yet.")
	}
	return rs[0], nil
}

// ReservesByIssuer returns the issuer's reserves (one per asset) in creation
// order.
func (db *DB) ReservesByIssuer(ctx context.Context, issuer string) ([]Reserve, error) {
	i, ok := normAddress(issuer)
	if !ok {
		return nil, trustbot.Errorf(trustbot.EInvalid, "%q is not an address.", issuer)
	}
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reserves by issuer: %w", err)
	}
	defer tx.Rollback()
	return findReserves(ctx, tx, `WHERE issuer = ?`, i)
}

func addReserve(ctx context.Context, tx *tx, r Reserve) (Reserve, error) {
	var ok [3]bool
	r.Address, ok[0] = normAddress(r.Address)
	r.Issuer, ok[1] = normAddress(r.Issuer)
	r.Asset, ok[2] = normAddress(r.Asset)
	switch {
	case !ok[0] || !ok[1] || !ok[2]:
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "A reserve needs its own, its issuer's and its asset's addresses.")
	case r.ChainID == 0 || !fitsInt64(r.ChainID):
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "Chain id %d is not valid.", r.ChainID)
	case !fitsInt64(r.CreatedBlock):
		return Reserve{}, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", r.CreatedBlock)
	}
	var other string
	err := tx.QueryRowContext(ctx, `SELECT address FROM reserves WHERE issuer = ? AND asset = ?`,
		r.Issuer, r.Asset).Scan(&other)
	if err == nil && other != r.Address {
		return Reserve{}, trustbot.Errorf(trustbot.EConflict, "That member already has a reserve of that asset (%s).", other)
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Reserve{}, fmt.Errorf("store: add reserve %s: %w", r.Address, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO reserves (address, issuer, asset, chain_id, created_block, name, symbol, decimals)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (address) DO UPDATE SET
			issuer = excluded.issuer,
			asset = excluded.asset,
			chain_id = excluded.chain_id,
			created_block = excluded.created_block,
			name = excluded.name,
			symbol = excluded.symbol,
			decimals = excluded.decimals`,
		r.Address, r.Issuer, r.Asset, int64(r.ChainID), int64(r.CreatedBlock), r.Name, r.Symbol, int64(r.Decimals))
	if err != nil {
		return Reserve{}, fmt.Errorf("store: add reserve %s: %w", r.Address, err)
	}
	return r, nil
}

func findReserves(ctx context.Context, tx *tx, where string, args ...any) ([]Reserve, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT address, issuer, asset, chain_id, created_block, name, symbol, decimals
		FROM reserves `+where+` ORDER BY created_block, address`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find reserves: %w", err)
	}
	defer rows.Close()
	var rs []Reserve
	for rows.Next() {
		var (
			r                       Reserve
			chainID, block, decimal int64
		)
		if err := rows.Scan(&r.Address, &r.Issuer, &r.Asset, &chainID, &block, &r.Name, &r.Symbol, &decimal); err != nil {
			return nil, fmt.Errorf("store: find reserves: %w", err)
		}
		r.ChainID, r.CreatedBlock, r.Decimals = uint64(chainID), uint64(block), uint8(decimal)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find reserves: %w", err)
	}
	return rs, nil
}
