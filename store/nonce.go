package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/trustbot/trustbot"
)

// Nonce returns a sign-in nonce as issued, used or not, expired or not: the sign-in page shows
// its message, and says "used" or "expired" rather than "not valid". trustbot.ENotFound when unknown.
func (db *DB) Nonce(ctx context.Context, nonce string) (trustbot.SignInNonce, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
	}
	defer tx.Rollback()
	var (
		n               trustbot.SignInNonce
		addr, used      sql.NullString
		issued, expires string
	)
	err = tx.QueryRowContext(ctx, `SELECT nonce, user_id, user_name, address, issued_at, expires_at, used_at
		FROM siwe_nonces WHERE nonce = ?`, nonce).Scan(&n.Nonce, &n.UserID, &n.UserName, &addr, &issued, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.SignInNonce{}, trustbot.Errorf(trustbot.ENotFound, "This sign-in link is not valid. Run /wallet link again.")
	} else if err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
	}
	if addr.Valid {
		if n.Address, err = parseAddr(addr.String); err != nil {
			return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
		}
	}
	if n.IssuedAt, err = parseTime(issued); err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
	}
	if n.ExpiresAt, err = parseTime(expires); err != nil {
		return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
	}
	if used.Valid {
		if n.UsedAt, err = parseTime(used.String); err != nil {
			return trustbot.SignInNonce{}, fmt.Errorf("store: nonce: %w", err)
		}
	}
	return n, nil
}
