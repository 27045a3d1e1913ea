package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// AddReserve stores a reserve and returns it as stored. Adding a reserve that is known already
// updates what the chain said of it (the indexer sees ReserveCreated again after a reorg,
// possibly in another block) and keeps its projection. It fails with EConflict when another
// reserve is known for the same issuer and asset.
func (db *DB) AddReserve(ctx context.Context, r trustbot.Reserve) (trustbot.Reserve, error) {
	return inWrite1(ctx, db, "add reserve", func(tx *tx) (trustbot.Reserve, error) {
		out, err := addReserve(ctx, tx, r)
		if err != nil {
			return trustbot.Reserve{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.Reserve{}, fmt.Errorf("store: add reserve: commit: %w", err)
		}
		return out, nil
	})
}

// SetAssetToken records the symbol and decimals of a known reserve's asset (for reserves found
// before the store kept them).
func (db *DB) SetAssetToken(ctx context.Context, reserve common.Address, t trustbot.Token) error {
	return inWrite(ctx, db, "set asset token", func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE reserves SET asset_symbol = ?, asset_decimals = ? WHERE address = ?`,
			t.Symbol, int64(t.Decimals), addrText(reserve)); err != nil {
			return fmt.Errorf("store: set asset token: %w", err)
		}
		return tx.Commit()
	})
}

// Reserve returns the reserve at address, or ENotFound.
func (db *DB) Reserve(ctx context.Context, address common.Address) (trustbot.Reserve, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.Reserve{}, fmt.Errorf("store: reserve: %w", err)
	}
	defer tx.Rollback()
	rs, err := findReserves(ctx, tx, `WHERE address = ?`, addrText(address))
	if err != nil {
		return trustbot.Reserve{}, err
	}
	if len(rs) == 0 {
		return trustbot.Reserve{}, trustbot.Errorf(trustbot.ENotFound, "%s is not a known reserve.", address.Hex())
	}
	return rs[0], nil
}

// Reserves returns every known reserve in creation order.
func (db *DB) Reserves(ctx context.Context) ([]trustbot.Reserve, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: reserves: %w", err)
	}
	defer tx.Rollback()
	return findReserves(ctx, tx, ``)
}

func addReserve(ctx context.Context, tx *tx, r trustbot.Reserve) (trustbot.Reserve, error) {
	switch {
	case r.Address == (common.Address{}) || r.Issuer == (common.Address{}):
		return trustbot.Reserve{}, trustbot.Errorf(trustbot.EInvalid, "A reserve needs its own and its issuer's addresses.")
	case r.ChainID == 0 || !fitsInt64(r.ChainID):
		return trustbot.Reserve{}, trustbot.Errorf(trustbot.EInvalid, "Chain id %d is not valid.", r.ChainID)
	case !fitsInt64(r.CreatedBlock):
		return trustbot.Reserve{}, trustbot.Errorf(trustbot.EInvalid, "Block number %d is out of range.", r.CreatedBlock)
	}
	addr, issuer, asset := addrText(r.Address), addrText(r.Issuer), addrText(r.Asset.Address)
	var other string
	err := tx.QueryRowContext(ctx, `SELECT address FROM reserves WHERE issuer = ? AND asset = ?`, issuer, asset).Scan(&other)
	if err == nil && other != addr {
		return trustbot.Reserve{}, trustbot.Errorf(trustbot.EConflict, "That member already has a reserve of that asset (%s).", other)
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return trustbot.Reserve{}, fmt.Errorf("store: add reserve %s: %w", addr, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO reserves (address, issuer, asset, chain_id, created_block, name, symbol, decimals, asset_symbol, asset_decimals)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (address) DO UPDATE SET
			issuer = excluded.issuer,
			asset = excluded.asset,
			chain_id = excluded.chain_id,
			created_block = excluded.created_block,
			name = excluded.name,
			symbol = excluded.symbol,
			decimals = excluded.decimals,
			asset_symbol = excluded.asset_symbol,
			asset_decimals = excluded.asset_decimals`,
		addr, issuer, asset, int64(r.ChainID), int64(r.CreatedBlock), r.Name, r.Symbol, int64(r.Decimals),
		r.Asset.Symbol, int64(r.Asset.Decimals))
	if err != nil {
		return trustbot.Reserve{}, fmt.Errorf("store: add reserve %s: %w", addr, err)
	}
	r.Outstanding, r.Backing = trustbot.OrZero(r.Outstanding), trustbot.OrZero(r.Backing)
	return r, nil
}

func findReserves(ctx context.Context, tx *tx, where string, args ...any) ([]trustbot.Reserve, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT address, issuer, asset, chain_id, created_block, name, symbol, decimals,
			asset_symbol, asset_decimals, outstanding, backing
		FROM reserves `+where+` ORDER BY created_block, address`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: find reserves: %w", err)
	}
	defer rows.Close()
	var rs []trustbot.Reserve
	for rows.Next() {
		var (
			r                                 trustbot.Reserve
			chainID, block, decimals, assetD  int64
			addr, issuer, asset, out, backing string
		)
		if err := rows.Scan(&addr, &issuer, &asset, &chainID, &block, &r.Name, &r.Symbol, &decimals,
			&r.Asset.Symbol, &assetD, &out, &backing); err != nil {
			return nil, fmt.Errorf("store: find reserves: %w", err)
		}
		var errs [5]error
		r.Address, errs[0] = parseAddr(addr)
		r.Issuer, errs[1] = parseAddr(issuer)
		r.Asset.Address, errs[2] = parseAddr(asset)
		r.Outstanding, errs[3] = parseBig(out)
		r.Backing, errs[4] = parseBig(backing)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("store: find reserves: %w", err)
		}
		if r.Backing.Sign() < 0 {
			r.Backing = new(big.Int) // more was withdrawn than deposits account for (donations)
		}
		r.ChainID, r.CreatedBlock, r.Decimals, r.Asset.Decimals = uint64(chainID), uint64(block), uint8(decimals), uint8(assetD)
		rs = append(rs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: find reserves: %w", err)
	}
	return rs, nil
}
