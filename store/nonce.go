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

// UserName is the name a user's latest used sign-in link gave them ("" when they never signed
// in): how pages, which cannot show a chat mention, name a member.
func (db *DB) UserName(ctx context.Context, userID string) (string, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return "", fmt.Errorf("store: user name: %w", err)
	}
	defer tx.Rollback()
	var name string
	err = tx.QueryRowContext(ctx, `SELECT user_name FROM siwe_nonces WHERE user_id = ? AND used_at IS NOT NULL AND user_name <> ''
		ORDER BY used_at DESC LIMIT 1`, userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: user name: %w", err)
	}
	return name, nil
}
