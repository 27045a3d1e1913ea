package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trustbot/trustbot"
)

// SetNoticeChannel sets the channel where the bot posts on-chain notices
// for the guild, replacing any earlier choice.
func (db *DB) SetNoticeChannel(ctx context.Context, guildID, channelID string) error {
	if guildID == "" || channelID == "" {
		return trustbot.Errorf(trustbot.EInvalid, "A notice channel needs a server and a channel.")
	}
	return inWrite(ctx, db, "set notice channel", func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, `
		INSERT INTO guild_settings (guild_id, notice_channel_id, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (guild_id) DO UPDATE SET
			notice_channel_id = excluded.notice_channel_id,
			updated_at = excluded.updated_at`,
			guildID, channelID, formatTime(tx.now)); err != nil {
			return fmt.Errorf("store: set notice channel for %s: %w", guildID, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: set notice channel: commit: %w", err)
		}
		return nil
	})
}

// NoticeChannel returns the guild's notice channel, or trustbot.ENotFound when none
// was set.
func (db *DB) NoticeChannel(ctx context.Context, guildID string) (string, error) {
	var channelID string
	err := db.readOne().QueryRowContext(ctx, `SELECT notice_channel_id FROM guild_settings WHERE guild_id = ?`, guildID).
		Scan(&channelID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", trustbot.Errorf(trustbot.ENotFound, "No notice channel is set. Run /setup channel.")
	} else if err != nil {
		return "", db.unreachable(fmt.Errorf("store: notice channel for %s: %w", guildID, err))
	}
	return channelID, nil
}

// MarkInteraction records a Discord interaction id and reports whether it
// is the first time it is seen, so a command delivered twice acts once.
func (db *DB) MarkInteraction(ctx context.Context, id string) (first bool, err error) {
	if id == "" {
		return false, trustbot.Errorf(trustbot.EInvalid, "An interaction needs an id.")
	}
	res, err := db.execOne(ctx, `INSERT INTO processed_interactions (id, seen_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
		id, formatTime(db.now().UTC().Truncate(time.Millisecond)))
	if err != nil {
		return false, db.unreachable(fmt.Errorf("store: mark interaction %s: %w", id, err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: mark interaction %s: %w", id, err)
	}
	return n == 1, nil
}
