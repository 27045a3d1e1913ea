package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
)

// LinkWallet binds link.UserID to link.Address, replacing any address the
// user linked before. A zero ProvenAt means now. It fails with trustbot.EConflict
// when the address is linked to another user.
func (db *DB) LinkWallet(ctx context.Context, link trustbot.WalletLink) (trustbot.WalletLink, error) {
	return inWrite1(ctx, db, "link wallet", func(tx *tx) (trustbot.WalletLink, error) {
		out, err := linkWallet(ctx, tx, link)
		if err != nil {
			return trustbot.WalletLink{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.WalletLink{}, fmt.Errorf("store: link wallet: commit: %w", err)
		}
		return out, nil
	})
}

// WalletByUser returns the user's link, or trustbot.ENotFound.
func (db *DB) WalletByUser(ctx context.Context, userID string) (trustbot.WalletLink, error) {
	tx := db.readOne()
	link, err := findWalletLink(ctx, tx, "user_id = ?", userID)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.ENotFound, "No wallet is linked to that member.")
	} else if err != nil {
		return trustbot.WalletLink{}, db.unreachable(fmt.Errorf("store: wallet by user %s: %w", userID, err))
	}
	return link, nil
}

// UserByAddress returns the link that owns addr, or trustbot.ENotFound.
func (db *DB) UserByAddress(ctx context.Context, addr common.Address) (trustbot.WalletLink, error) {
	a := addrText(addr)
	tx := db.readOne()
	link, err := findWalletLink(ctx, tx, "address = ?", a)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.ENotFound, "No member has linked %s.", addr.Hex())
	} else if err != nil {
		return trustbot.WalletLink{}, db.unreachable(fmt.Errorf("store: user by address %s: %w", a, err))
	}
	return link, nil
}

// UnlinkWallet removes the user's link, or fails with trustbot.ENotFound.
func (db *DB) UnlinkWallet(ctx context.Context, userID string) error {
	return inWrite(ctx, db, "unlink wallet", func(tx *tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM wallet_links WHERE user_id = ?`, userID)
		if err != nil {
			return fmt.Errorf("store: unlink wallet %s: %w", userID, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("store: unlink wallet %s: %w", userID, err)
		} else if n == 0 {
			return trustbot.Errorf(trustbot.ENotFound, "You have no linked wallet.")
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: unlink wallet: commit: %w", err)
		}
		return nil
	})
}

func linkWallet(ctx context.Context, tx *tx, link trustbot.WalletLink) (trustbot.WalletLink, error) {
	addr := addrText(link.Address)
	switch {
	case link.UserID == "":
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.EInvalid, "A wallet link needs a Discord user.")
	case link.Address == (common.Address{}):
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.EInvalid, "A wallet link needs an address.")
	case link.ChainID == 0 || !fitsInt64(link.ChainID):
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.EInvalid, "Chain id %d is not valid.", link.ChainID)
	case link.Method == "":
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.EInvalid, "A wallet link needs a proof method.")
	}
	if link.ProvenAt.IsZero() {
		link.ProvenAt = tx.now
	}
	link.ProvenAt = link.ProvenAt.UTC().Truncate(time.Millisecond)

	var owner string
	err := tx.QueryRowContext(ctx, `SELECT user_id FROM wallet_links WHERE address = ?`, addr).Scan(&owner)
	if err == nil && owner != link.UserID {
		return trustbot.WalletLink{}, trustbot.Errorf(trustbot.EConflict, "%s is already linked to another member.", link.Address.Hex())
	} else if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return trustbot.WalletLink{}, fmt.Errorf("store: link wallet: %w", err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO wallet_links (user_id, address, chain_id, method, proven_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			address = excluded.address,
			chain_id = excluded.chain_id,
			method = excluded.method,
			proven_at = excluded.proven_at`,
		link.UserID, addr, int64(link.ChainID), link.Method, formatTime(link.ProvenAt))
	if err != nil {
		return trustbot.WalletLink{}, fmt.Errorf("store: link wallet %s: %w", link.UserID, err)
	}
	return link, nil
}

func findWalletLink(ctx context.Context, tx *tx, where string, arg any) (trustbot.WalletLink, error) {
	var (
		link    trustbot.WalletLink
		chainID int64
		proven  string
		addr    string
	)
	err := tx.QueryRowContext(ctx, `
		SELECT user_id, address, chain_id, method, proven_at
		FROM wallet_links WHERE `+where, arg).
		Scan(&link.UserID, &addr, &chainID, &link.Method, &proven)
	if err != nil {
		return trustbot.WalletLink{}, err
	}
	if link.Address, err = parseAddr(addr); err != nil {
		return trustbot.WalletLink{}, err
	}
	link.ChainID = uint64(chainID)
	if link.ProvenAt, err = parseTime(proven); err != nil {
		return trustbot.WalletLink{}, err
	}
	return link, nil
}

// CreateNonce stores a fresh nonce. A zero IssuedAt means now; ExpiresAt is
// required and must be after IssuedAt. A nonce that exists already fails
// with trustbot.EConflict.
func (db *DB) CreateNonce(ctx context.Context, n trustbot.SignInNonce) (trustbot.SignInNonce, error) {
	return inWrite1(ctx, db, "create nonce", func(tx *tx) (trustbot.SignInNonce, error) {
		out, err := createNonce(ctx, tx, n)
		if err != nil {
			return trustbot.SignInNonce{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SignInNonce{}, fmt.Errorf("store: create nonce: commit: %w", err)
		}
		return out, nil
	})
}

// UseNonce consumes the nonce for userID and returns it with UsedAt set. It
// fails with trustbot.ENotFound for an unknown nonce, trustbot.EForbidden when the nonce was
// issued to someone else, trustbot.EConflict when it was used already and trustbot.EExpired
// when it is past its expiry.
func (db *DB) UseNonce(ctx context.Context, nonce, userID string) (trustbot.SignInNonce, error) {
	return inWrite1(ctx, db, "use nonce", func(tx *tx) (trustbot.SignInNonce, error) {
		n, err := useNonce(ctx, tx, nonce, userID)
		if err != nil {
			return trustbot.SignInNonce{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: commit: %w", err)
		}
		return n, nil
	})
}

func createNonce(ctx context.Context, tx *tx, n trustbot.SignInNonce) (trustbot.SignInNonce, error) {
	if !isSIWENonce(n.Nonce) {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EInvalid, "A sign-in nonce must be at least 8 letters or digits.")
	}
	if n.UserID == "" {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EInvalid, "A sign-in nonce needs a Discord user.")
	}
	var addr any
	if n.Address != (common.Address{}) {
		addr = addrText(n.Address)
	}
	if n.IssuedAt.IsZero() {
		n.IssuedAt = tx.now
	}
	n.IssuedAt = n.IssuedAt.UTC().Truncate(time.Millisecond)
	n.ExpiresAt = n.ExpiresAt.UTC().Truncate(time.Millisecond)
	if !n.ExpiresAt.After(n.IssuedAt) {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EInvalid, "A sign-in nonce must expire after it is issued.")
	}
	n.UsedAt = time.Time{}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO siwe_nonces (nonce, user_id, user_name, address, issued_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		n.Nonce, n.UserID, n.UserName, addr, formatTime(n.IssuedAt), formatTime(n.ExpiresAt))
	if tx.isUniqueViolation(err) {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EConflict, "That sign-in nonce exists already.")
	} else if err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: create nonce: %w", err)
	}
	return n, nil
}

func useNonce(ctx context.Context, tx *tx, nonce, userID string) (trustbot.SignInNonce, error) {
	var (
		n               trustbot.SignInNonce
		addr, used      sql.NullString
		issued, expires string
	)
	err := tx.QueryRowContext(ctx, `
		SELECT nonce, user_id, address, issued_at, expires_at, used_at
		FROM siwe_nonces WHERE nonce = ?`, nonce).
		Scan(&n.Nonce, &n.UserID, &addr, &issued, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.ENotFound, "This sign-in link is not valid. Run /wallet link again.")
	} else if err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
	}
	if addr.Valid {
		if n.Address, err = parseAddr(addr.String); err != nil {
			return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
		}
	}
	if n.IssuedAt, err = parseTime(issued); err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
	}
	if n.ExpiresAt, err = parseTime(expires); err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
	}
	switch {
	case n.UserID != userID:
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EForbidden, "This sign-in link was made for someone else.")
	case used.Valid:
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EConflict, "This sign-in link was already used. Run /wallet link again.")
	case !tx.now.Before(n.ExpiresAt):
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.EExpired, "This sign-in link expired. Run /wallet link again.")
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE siwe_nonces SET used_at = ?
		WHERE nonce = ? AND user_id = ? AND used_at IS NULL AND expires_at > ?`,
		formatTime(tx.now), nonce, userID, formatTime(tx.now))
	if err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: %w", err)
	} else if k != 1 {
		return trustbot.SignInNonce{}, fmt.Errorf("store: use nonce: marked %d rows, want 1", k)
	}
	n.UsedAt = tx.now
	return n, nil
}
