package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/ethereum/go-ethereum/common"

	"github.com/trustbot/trustbot"
	"github.com/trustbot/trustbot/ledger"
)

// StartTrip opens a trip in its channel with its members (the one who started it first). A
// channel with an open trip already is EConflict.
func (db *DB) StartTrip(ctx context.Context, t trustbot.Trip) (trustbot.Trip, error) {
	name := strings.TrimSpace(t.Name)
	switch {
	case name == "":
		return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "A trip needs a name, like /trip start name:Lisbon.")
	case len([]rune(name)) > 100:
		return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "A trip's name is at most 100 characters; that one has %d.", len([]rune(name)))
	case t.StartedBy == "":
		return trustbot.Trip{}, trustbot.Errorf(trustbot.EInvalid, "A trip needs the member who starts it.")
	}
	return inWrite1(ctx, db, "start trip", func(tx *tx) (trustbot.Trip, error) {
		if open, ok, err := findTrip(ctx, tx, `WHERE guild_id = ? AND channel_id = ? AND status = 'open'`, t.GuildID, t.ChannelID); err != nil {
			return trustbot.Trip{}, err
		} else if ok {
			return trustbot.Trip{}, trustbot.Errorf(trustbot.EConflict, "This channel already has an open trip, %q: end it with /trip end before starting another.", open.Name)
		}
		var id int64
		err := tx.QueryRowContext(ctx, `
		INSERT INTO trips (guild_id, channel_id, name, asset, asset_symbol, asset_decimals, started_by, started_at, start_block)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, coalesce((SELECT block_number FROM watcher_cursor), 0)) RETURNING id`,
			t.GuildID, t.ChannelID, name, addrText(t.Asset.Address), t.Asset.Symbol, int64(t.Asset.Decimals), t.StartedBy, formatTime(tx.now)).Scan(&id)
		if err != nil {
			return trustbot.Trip{}, fmt.Errorf("store: start trip: %w", err)
		}
		if err := joinTrip(ctx, tx, id, t.Members...); err != nil {
			return trustbot.Trip{}, err
		}
		out, _, err := findTrip(ctx, tx, `WHERE id = ?`, id)
		if err != nil {
			return trustbot.Trip{}, err
		}
		return out, tx.Commit()
	})
}

// OpenTrip is the channel's open trip; ENotFound when it has none.
func (db *DB) OpenTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error) {
	return db.readTrip(ctx, `WHERE guild_id = ? AND channel_id = ? AND status = 'open'`, guildID, channelID)
}

// TripByID is a trip by its id; ENotFound when there is none.
func (db *DB) TripByID(ctx context.Context, id int64) (trustbot.Trip, error) {
	return db.readTrip(ctx, `WHERE id = ?`, id)
}

// TrustedDuring lists, per reserve and holder, the budget extended since the trip started
// (Account.Budget: the sum of Trusted events after its start block), for reserves whose issuer
// and holders are both the trip's members' linked wallets.
func (db *DB) TrustedDuring(ctx context.Context, tripID int64) ([]trustbot.Account, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: trusted during trip: %w", err)
	}
	defer tx.Rollback()
	var start int64
	if err := tx.QueryRowContext(ctx, `SELECT start_block FROM trips WHERE id = ?`, tripID).Scan(&start); errors.Is(err, sql.ErrNoRows) {
		return nil, errNoTrip
	} else if err != nil {
		return nil, fmt.Errorf("store: trusted during trip: %w", err)
	}
	evs, err := findEvents(ctx, tx, `WHERE name = 'Trusted' AND block_number > ?
		AND address IN (SELECT r.address FROM reserves r JOIN wallet_links w ON w.address = r.issuer
			JOIN trip_members m ON m.user_id = w.user_id WHERE m.trip_id = ?)
		ORDER BY block_number, log_index`, start, tripID)
	if err != nil {
		return nil, err
	}
	var out []trustbot.Account
	at := map[[2]common.Address]int{}
	for _, e := range evs {
		d, ok := e.Data.(*trustbot.Trusted)
		if !ok {
			continue
		}
		member, err := userOf(ctx, tx, d.Holder)
		if err != nil {
			return nil, err
		}
		var in bool
		if member != "" {
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM trip_members WHERE trip_id = ? AND user_id = ?)`, tripID, member).Scan(&in); err != nil {
				return nil, fmt.Errorf("store: trusted during trip: %w", err)
			}
		}
		if !in {
			continue
		}
		k := [2]common.Address{e.Address, d.Holder}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, trustbot.Account{Reserve: e.Address, Holder: d.Holder, Balance: new(big.Int), Budget: new(big.Int)})
		}
		out[i].Budget.Add(out[i].Budget, d.Amount)
	}
	return out, nil
}

// LatestTrip is the channel's open trip, else the one started last; ENotFound when the channel
// never had one.
func (db *DB) LatestTrip(ctx context.Context, guildID, channelID string) (trustbot.Trip, error) {
	return db.readTrip(ctx, `WHERE guild_id = ? AND channel_id = ? ORDER BY status = 'open' DESC, id DESC LIMIT 1`, guildID, channelID)
}

func (db *DB) readTrip(ctx context.Context, where string, args ...any) (trustbot.Trip, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.Trip{}, fmt.Errorf("store: trip: %w", err)
	}
	defer tx.Rollback()
	t, ok, err := findTrip(ctx, tx, where, args...)
	if err != nil {
		return trustbot.Trip{}, err
	} else if !ok {
		return trustbot.Trip{}, errNoTrip
	}
	return t, nil
}

var errNoTrip = trustbot.Errorf(trustbot.ENotFound, "There is no open trip in this channel; start one with /trip start name:….")

// JoinTrip adds a member to a trip; a member already in it is EConflict.
func (db *DB) JoinTrip(ctx context.Context, tripID int64, m trustbot.Member) (trustbot.Trip, error) {
	return db.writeTrip(ctx, tripID, func(tx *tx, t trustbot.Trip) error {
		if t.HasMember(m.ID) {
			return trustbot.Errorf(trustbot.EConflict, "You are already in the trip %q.", t.Name)
		}
		return joinTrip(ctx, tx, t.ID, m)
	})
}

// LeaveTrip takes a member out of a trip, only with a zero net in every asset.
func (db *DB) LeaveTrip(ctx context.Context, tripID int64, userID string) (trustbot.Trip, error) {
	return db.writeTrip(ctx, tripID, func(tx *tx, t trustbot.Trip) error {
		if !t.HasMember(userID) {
			return trustbot.Errorf(trustbot.EInvalid, "You are not in the trip %q.", t.Name)
		}
		bs, err := findBalances(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if b.UserID != userID || b.Net.Sign() == 0 {
				continue
			}
			way := "up"
			if b.Net.Sign() < 0 {
				way = "down"
			}
			return trustbot.Errorf(trustbot.EInvalid, "You are %s %s in the trip %q; you can leave once your net is zero (/settle).",
				way, trustbot.Money(new(big.Int).Abs(b.Net), b.Asset.Decimals, b.Asset.Symbol), t.Name)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM trip_members WHERE trip_id = ? AND user_id = ?`, t.ID, userID)
		if err != nil {
			return fmt.Errorf("store: leave trip: %w", err)
		}
		return nil
	})
}

// EndTrip freezes an open trip's ledger: expenses are refused until it is reopened (settlements
// confirmed later are still recorded).
func (db *DB) EndTrip(ctx context.Context, tripID int64) (trustbot.Trip, error) {
	return db.writeTrip(ctx, tripID, func(tx *tx, t trustbot.Trip) error {
		if t.Status != trustbot.TripOpen {
			return trustbot.Errorf(trustbot.EConflict, "The trip %q has already ended; /trip reopen takes late entries.", t.Name)
		}
		_, err := tx.ExecContext(ctx, `UPDATE trips SET status = 'ended', ended_at = ? WHERE id = ?`, formatTime(tx.now), t.ID)
		if err != nil {
			return fmt.Errorf("store: end trip: %w", err)
		}
		return nil
	})
}

// ReopenTrip opens an ended trip again, unless its channel has opened another meanwhile.
func (db *DB) ReopenTrip(ctx context.Context, tripID int64) (trustbot.Trip, error) {
	return db.writeTrip(ctx, tripID, func(tx *tx, t trustbot.Trip) error {
		if t.Status == trustbot.TripOpen {
			return trustbot.Errorf(trustbot.EConflict, "The trip %q is open already.", t.Name)
		}
		_, err := tx.ExecContext(ctx, `UPDATE trips SET status = 'open', ended_at = NULL WHERE id = ?`, t.ID)
		if tx.isUniqueViolation(err) {
			return trustbot.Errorf(trustbot.EConflict, "Another trip is open in this channel; end it before reopening %q.", t.Name)
		} else if err != nil {
			return fmt.Errorf("store: reopen trip: %w", err)
		}
		return nil
	})
}

// writeTrip runs fn on a trip in a write transaction and returns the trip after it.
func (db *DB) writeTrip(ctx context.Context, tripID int64, fn func(*tx, trustbot.Trip) error) (trustbot.Trip, error) {
	return inWrite1(ctx, db, "trip", func(tx *tx) (trustbot.Trip, error) {
		t, ok, err := findTrip(ctx, tx, `WHERE id = ?`, tripID)
		if err != nil {
			return trustbot.Trip{}, err
		} else if !ok {
			return trustbot.Trip{}, errNoTrip
		}
		if err := fn(tx, t); err != nil {
			return trustbot.Trip{}, err
		}
		t, _, err = findTrip(ctx, tx, `WHERE id = ?`, tripID)
		if err != nil {
			return trustbot.Trip{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.Trip{}, fmt.Errorf("store: trip: commit: %w", err)
		}
		return t, nil
	})
}

// joinTrip adds members to a trip, in order, unless they are in it; a member known by id alone
// is named by their latest sign-in. It is one statement however many join: an entry joins
// several, and preparing a statement is most of its cost.
func joinTrip(ctx context.Context, tx *tx, tripID int64, ms ...trustbot.Member) error {
	type joiner struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	var list []joiner
	seen := map[string]bool{}
	for _, m := range ms {
		if m.ID == "" {
			return trustbot.Errorf(trustbot.EInvalid, "A trip member needs a user id.")
		}
		if !seen[m.ID] {
			seen[m.ID] = true
			list = append(list, joiner{m.ID, m.Name})
		}
	}
	if len(list) == 0 {
		return nil
	}
	b, err := json.Marshal(list)
	if err != nil {
		return fmt.Errorf("store: join trip: %w", err)
	}
	// Most entries name members only: a plain look-up spares the insert.
	var in int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM trip_members
		WHERE trip_id = ? AND user_id IN (SELECT id FROM `+tx.d.jsonMembers("?")+`)`, tripID, string(b)).Scan(&in); err != nil {
		return fmt.Errorf("store: join trip: %w", err)
	} else if in == len(list) {
		return nil
	}
	_, err = tx.ExecContext(ctx, `
		WITH j (k, id, name) AS (SELECT k, id, name FROM `+tx.d.jsonMembers("?2")+`)
		INSERT INTO trip_members (trip_id, user_id, name, seq)
		SELECT ?1, j.id,
			CASE WHEN j.name <> '' THEN j.name ELSE coalesce((SELECT n.user_name FROM siwe_nonces n
				WHERE n.user_id = j.id AND n.used_at IS NOT NULL AND n.user_name <> '' ORDER BY n.used_at DESC LIMIT 1), '') END,
			(SELECT coalesce(max(seq), 0) FROM trip_members WHERE trip_id = ?1) + row_number() OVER (ORDER BY j.k)
		FROM j WHERE NOT EXISTS (SELECT 1 FROM trip_members m WHERE m.trip_id = ?1 AND m.user_id = j.id)
		ON CONFLICT (trip_id, user_id) DO NOTHING`, tripID, string(b))
	if err != nil {
		return fmt.Errorf("store: join trip: %w", err)
	}
	return nil
}

func findTrip(ctx context.Context, tx *tx, where string, args ...any) (trustbot.Trip, bool, error) {
	var (
		t                      trustbot.Trip
		asset, status, started string
		decimals               int64
		ended                  sql.NullString
	)
	err := tx.QueryRowContext(ctx, `
		SELECT id, guild_id, channel_id, name, asset, asset_symbol, asset_decimals, status, started_by, started_at, ended_at
		FROM trips `+where, args...).Scan(&t.ID, &t.GuildID, &t.ChannelID, &t.Name, &asset, &t.Asset.Symbol, &decimals,
		&status, &t.StartedBy, &started, &ended)
	if errors.Is(err, sql.ErrNoRows) {
		return trustbot.Trip{}, false, nil
	} else if err != nil {
		return trustbot.Trip{}, false, fmt.Errorf("store: find trip: %w", err)
	}
	t.Asset.Decimals, t.Status = uint8(decimals), trustbot.TripStatus(status)
	if t.Asset.Address, err = parseAddr(asset); err != nil {
		return trustbot.Trip{}, false, fmt.Errorf("store: find trip: %w", err)
	}
	if t.StartedAt, err = parseTime(started); err != nil {
		return trustbot.Trip{}, false, fmt.Errorf("store: find trip: %w", err)
	}
	if ended.Valid {
		if t.EndedAt, err = parseTime(ended.String); err != nil {
			return trustbot.Trip{}, false, fmt.Errorf("store: find trip: %w", err)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, name FROM trip_members WHERE trip_id = ? ORDER BY seq`, t.ID)
	if err != nil {
		return trustbot.Trip{}, false, fmt.Errorf("store: trip members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m trustbot.Member
		if err := rows.Scan(&m.ID, &m.Name); err != nil {
			return trustbot.Trip{}, false, fmt.Errorf("store: trip members: %w", err)
		}
		t.Members = append(t.Members, m)
	}
	if err := rows.Err(); err != nil {
		return trustbot.Trip{}, false, fmt.Errorf("store: trip members: %w", err)
	}
	return t, true, nil
}

// AddExpense records an out-of-pocket expense in an open trip: paid by e.Payer, consumed as
// e.Parts say. Everyone named joins the trip. It returns the entry with its number and shares.
func (db *DB) AddExpense(ctx context.Context, e trustbot.Entry) (trustbot.Entry, error) {
	return inWrite1(ctx, db, "add expense", func(tx *tx) (trustbot.Entry, error) {
		if e.Payer == "" {
			return trustbot.Entry{}, trustbot.Errorf(trustbot.EInvalid, "An expense needs the member who paid it.")
		}
		t, ok, err := findTrip(ctx, tx, `WHERE id = ?`, e.TripID)
		if err != nil {
			return trustbot.Entry{}, err
		} else if !ok || t.Status != trustbot.TripOpen {
			return trustbot.Entry{}, errNoTrip
		}
		e.Kind, e.CreatedBy, e.Shares = trustbot.EntrySpent, e.Payer, nil
		e.TxHash, e.LogIndex, e.BlockNumber, e.RequestID = common.Hash{}, 0, 0, ""
		if err := insertEntry(ctx, tx, &e); err != nil {
			return trustbot.Entry{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.Entry{}, fmt.Errorf("store: add expense: commit: %w", err)
		}
		return e, nil
	})
}

// RemoveExpense takes back an expense its payer recorded; on-chain entries and someone else's
// expenses are refused.
func (db *DB) RemoveExpense(ctx context.Context, tripID int64, n int, userID string) (trustbot.Entry, error) {
	return db.changeEntry(ctx, tripID, n, func(tx *tx, e trustbot.Entry) (trustbot.Entry, error) {
		switch {
		case e.Kind == trustbot.EntryRedeem:
			return e, trustbot.Errorf(trustbot.EInvalid, "Entry %d is a redemption made on chain, so it stays in the ledger; to change what it paid for or who shared it, use /trip tag %d for:… split:….", n, n)
		case e.Kind.OnChain():
			return e, trustbot.Errorf(trustbot.EInvalid, "Entry %d is %s made on chain, so it stays in the ledger.", n, kindWords(e.Kind))
		case e.Payer != userID:
			return e, trustbot.Errorf(trustbot.EInvalid, "Entry %d is %s's expense; only they can remove it.", n, trustbot.Mention(e.Payer))
		}
		if err := deleteEntry(ctx, tx, e); err != nil {
			return e, err
		}
		return e, nil
	})
}

// TagEntry gives a redemption its memo and split (none: the redeemer alone). The redeemer or the
// issuer who paid may tag it; a split that does not fit its amount is refused.
func (db *DB) TagEntry(ctx context.Context, tripID int64, n int, userID, memo string, parts []trustbot.SplitPart) (trustbot.Entry, error) {
	return db.changeEntry(ctx, tripID, n, func(tx *tx, e trustbot.Entry) (trustbot.Entry, error) {
		switch {
		case e.Kind != trustbot.EntryRedeem:
			return e, trustbot.Errorf(trustbot.EInvalid, "Entry %d is %s; only a redemption is tagged (an expense is removed and recorded again).", n, kindWords(e.Kind))
		case userID != e.Redeemer && userID != e.Payer:
			return e, trustbot.Errorf(trustbot.EInvalid, "Entry %d is %s's redemption; %s or %s can tag it.", n, trustbot.Mention(e.Redeemer), trustbot.Mention(e.Redeemer), trustbot.Mention(e.Payer))
		}
		if len(parts) == 0 {
			parts = []trustbot.SplitPart{{Member: trustbot.Member{ID: e.Redeemer}, Weight: 1}}
		}
		if _, err := ledger.Shares(e.Amount, parts, n, e.Asset); err != nil {
			return e, err
		}
		return retag(ctx, tx, e, memo, parts)
	})
}

func (db *DB) changeEntry(ctx context.Context, tripID int64, n int, fn func(*tx, trustbot.Entry) (trustbot.Entry, error)) (trustbot.Entry, error) {
	return inWrite1(ctx, db, "change entry", func(tx *tx) (trustbot.Entry, error) {
		t, ok, err := findTrip(ctx, tx, `WHERE id = ?`, tripID)
		if err != nil {
			return trustbot.Entry{}, err
		} else if !ok || t.Status != trustbot.TripOpen {
			return trustbot.Entry{}, errNoTrip
		}
		es, err := findEntries(ctx, tx, `WHERE e.trip_id = ? AND e.n = ?`, tripID, n)
		if err != nil {
			return trustbot.Entry{}, err
		} else if len(es) == 0 {
			return trustbot.Entry{}, trustbot.Errorf(trustbot.ENotFound, "The trip %q has no entry %d; /trip balance lists them.", t.Name, n)
		}
		e, err := fn(tx, es[0])
		if err != nil {
			return trustbot.Entry{}, err
		}
		if err := tx.Commit(); err != nil {
			return trustbot.Entry{}, fmt.Errorf("store: change entry: commit: %w", err)
		}
		return e, nil
	})
}

// retag replaces a redemption's memo and split.
func retag(ctx context.Context, tx *tx, e trustbot.Entry, memo string, parts []trustbot.SplitPart) (trustbot.Entry, error) {
	if err := deleteEntry(ctx, tx, e); err != nil {
		return e, err
	}
	e.Memo, e.Parts, e.Shares = memo, parts, nil
	if err := insertEntryAt(ctx, tx, &e, e.N); err != nil {
		return e, err
	}
	return e, nil
}

func kindWords(k trustbot.EntryKind) string {
	switch k {
	case trustbot.EntryRedeem:
		return "a redemption"
	case trustbot.EntryLayer:
		return "a layer of a redemption"
	case trustbot.EntrySettle:
		return "a settlement"
	}
	return "an expense"
}

// TripEntries lists a trip's entries in order, with their shares.
func (db *DB) TripEntries(ctx context.Context, tripID int64) ([]trustbot.Entry, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: trip entries: %w", err)
	}
	defer tx.Rollback()
	return findEntries(ctx, tx, `WHERE e.trip_id = ?`, tripID)
}

// EntriesByTx lists the entries a transaction made, in every trip.
func (db *DB) EntriesByTx(ctx context.Context, hash common.Hash) ([]trustbot.Entry, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: entries by tx: %w", err)
	}
	defer tx.Rollback()
	// Spelt out for the partial indexes, so that a notice does not scan every trip's entries: a
	// redemption's are found by their logs, a settlement's by its request.
	h := hashText(hash)
	return findEntries(ctx, tx, `WHERE (e.tx_hash = ? AND e.log_index >= 0)
		OR (e.kind = 'settle' AND e.request_id IN (SELECT request_id FROM signing_txs WHERE tx_hash = ?) AND e.tx_hash = ?)`, h, h, h)
}

// TripBalances is every member's position in a trip, per asset, from the kept totals.
func (db *DB) TripBalances(ctx context.Context, tripID int64) ([]trustbot.Balance, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: trip balances: %w", err)
	}
	defer tx.Rollback()
	return findBalances(ctx, tx, tripID)
}

func findBalances(ctx context.Context, tx *tx, tripID int64) ([]trustbot.Balance, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT asset, asset_symbol, asset_decimals, user_id, paid, consumed, settled
		FROM ledger_totals WHERE trip_id = ? ORDER BY asset_symbol, asset, user_id`, tripID)
	if err != nil {
		return nil, fmt.Errorf("store: trip balances: %w", err)
	}
	defer rows.Close()
	var out []trustbot.Balance
	for rows.Next() {
		var (
			b                              trustbot.Balance
			asset, paid, consumed, settled string
			decimals                       int64
		)
		if err := rows.Scan(&asset, &b.Asset.Symbol, &decimals, &b.UserID, &paid, &consumed, &settled); err != nil {
			return nil, fmt.Errorf("store: trip balances: %w", err)
		}
		b.Asset.Decimals = uint8(decimals)
		var errs [4]error
		b.Asset.Address, errs[0] = parseAddr(asset)
		b.Paid, errs[1] = parseBig(paid)
		b.Consumed, errs[2] = parseBig(consumed)
		b.Settled, errs[3] = parseBig(settled)
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("store: trip balances: %w", err)
		}
		b.Net = new(big.Int).Sub(b.Paid, b.Consumed)
		b.Net.Add(b.Net, b.Settled)
		out = append(out, b)
	}
	return out, rows.Err()
}

// partJSON is a split part as stored.
type partJSON struct {
	User   string `json:"user"`
	Name   string `json:"name,omitempty"`
	Weight int64  `json:"weight,omitempty"`
	Exact  string `json:"exact,omitempty"`
}

func encodeParts(ps []trustbot.SplitPart) (string, error) {
	out := make([]partJSON, 0, len(ps))
	for _, p := range ps {
		j := partJSON{User: p.Member.ID, Name: p.Member.Name, Weight: p.Weight}
		if p.Exact != nil {
			j.Exact, j.Weight = p.Exact.String(), 0
		}
		out = append(out, j)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

func decodeParts(s string) ([]trustbot.SplitPart, error) {
	var in []partJSON
	if err := json.Unmarshal([]byte(s), &in); err != nil {
		return nil, err
	}
	var out []trustbot.SplitPart
	for _, j := range in {
		p := trustbot.SplitPart{Member: trustbot.Member{ID: j.User, Name: j.Name}, Weight: j.Weight}
		if j.Exact != "" {
			v, err := parseBig(j.Exact)
			if err != nil {
				return nil, err
			}
			p.Exact = v
		}
		out = append(out, p)
	}
	return out, nil
}

// insertEntry gives e the trip's next number and writes it.
func insertEntry(ctx context.Context, tx *tx, e *trustbot.Entry) error {
	var n int
	if err := tx.QueryRowContext(ctx, `UPDATE trips SET next_entry = next_entry + 1 WHERE id = ? RETURNING next_entry - 1`, e.TripID).Scan(&n); err != nil {
		return fmt.Errorf("store: ledger entry: %w", err)
	}
	return insertEntryAt(ctx, tx, e, n)
}

// insertEntryAt writes e as entry n of its trip: its shares (apportioned from its parts when it
// has parts and no shares; a redemption with neither is the redeemer's alone, an expense with
// neither is refused), its members into the trip, and its sums into the totals.
func insertEntryAt(ctx context.Context, tx *tx, e *trustbot.Entry, n int) error {
	e.N = n
	if e.CreatedAt.IsZero() {
		e.CreatedAt = tx.now
	}
	if len([]rune(e.Memo)) > trustbot.MaxMemo {
		return trustbot.Errorf(trustbot.EInvalid, "A memo is at most %d characters; that one has %d.", trustbot.MaxMemo, len([]rune(e.Memo)))
	}
	if e.Amount == nil || e.Amount.Sign() <= 0 {
		return trustbot.Errorf(trustbot.EInvalid, "An entry's amount must be more than 0.")
	}
	switch {
	case e.Kind == trustbot.EntrySettle:
		e.Split, e.Parts, e.Shares = trustbot.SplitNone, nil, nil
	case len(e.Parts) > 0:
		e.Split = ledger.Mode(e.Parts)
		if e.Shares == nil {
			shares, err := ledger.Shares(e.Amount, e.Parts, n, e.Asset)
			switch {
			case err == nil:
				e.Shares = shares
			case e.Kind.OnChain():
				// The chain did it whatever the split says: a split that no longer fits the amount
				// leaves the redemption untagged, for /trip tag, instead of stopping the indexer.
				e.Split, e.Parts, e.Shares = trustbot.SplitNone, nil, []trustbot.Share{{UserID: e.Redeemer, Amount: e.Amount}}
			default:
				return err
			}
		}
	default:
		e.Split = trustbot.SplitNone
		switch {
		case e.Kind == trustbot.EntrySpent:
			return trustbot.Errorf(trustbot.EInvalid, "An expense needs who it was for: a split, like split:\"@alice @bob\".")
		case e.Shares == nil:
			e.Shares = []trustbot.Share{{UserID: e.Redeemer, Amount: e.Amount}}
		}
	}
	parts, err := encodeParts(e.Parts)
	if err != nil {
		return fmt.Errorf("store: ledger entry: %w", err)
	}
	var txHash, logIndex, block, request any
	if e.Kind != trustbot.EntrySpent {
		txHash, block = hashText(e.TxHash), int64(e.BlockNumber)
	}
	if e.Kind == trustbot.EntryRedeem || e.Kind == trustbot.EntryLayer {
		logIndex = int64(e.LogIndex)
	}
	if e.RequestID != "" {
		request = e.RequestID
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO ledger_entries (trip_id, n, kind, memo, payer, redeemer, to_user, asset, asset_symbol, asset_decimals,
			amount, split, parts, tx_hash, log_index, block_number, request_id, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.TripID, n, string(e.Kind), e.Memo, e.Payer, e.Redeemer, e.To, addrText(e.Asset.Address), e.Asset.Symbol, int64(e.Asset.Decimals),
		e.Amount.String(), string(e.Split), parts, txHash, logIndex, block, request, e.CreatedBy, formatTime(e.CreatedAt))
	if err != nil {
		return fmt.Errorf("store: ledger entry %d: %w", n, err)
	}
	for i, s := range e.Shares {
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger_shares (trip_id, n, user_id, idx, amount) VALUES (?, ?, ?, ?, ?)`,
			e.TripID, n, s.UserID, i, s.Amount.String()); err != nil {
			return fmt.Errorf("store: ledger entry %d: share of %s: %w", n, s.UserID, err)
		}
	}
	joining := []trustbot.Member{{ID: e.Payer}}
	for _, id := range []string{e.Redeemer, e.To} {
		if id != "" {
			joining = append(joining, trustbot.Member{ID: id})
		}
	}
	for _, p := range e.Parts {
		joining = append(joining, p.Member)
	}
	for _, s := range e.Shares {
		joining = append(joining, trustbot.Member{ID: s.UserID})
	}
	if err := joinTrip(ctx, tx, e.TripID, joining...); err != nil {
		return err
	}
	return addTotals(ctx, tx, *e, 1)
}

// deleteEntry removes an entry and takes its sums out of the totals.
func deleteEntry(ctx context.Context, tx *tx, e trustbot.Entry) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM ledger_entries WHERE trip_id = ? AND n = ?`, e.TripID, e.N); err != nil {
		return fmt.Errorf("store: delete ledger entry %d: %w", e.N, err)
	}
	return addTotals(ctx, tx, e, -1)
}

// addTotals adds sign × an entry's sums into the trip's totals.
func addTotals(ctx context.Context, tx *tx, e trustbot.Entry, sign int64) error {
	type sums struct{ paid, consumed, settled *big.Int }
	delta := map[string]*sums{}
	var order []string
	get := func(id string) *sums {
		s, ok := delta[id]
		if !ok {
			s = &sums{new(big.Int), new(big.Int), new(big.Int)}
			delta[id] = s
			order = append(order, id)
		}
		return s
	}
	k := big.NewInt(sign)
	amount := new(big.Int).Mul(e.Amount, k)
	if e.Kind == trustbot.EntrySettle {
		get(e.Payer).settled.Add(get(e.Payer).settled, amount)
		get(e.To).settled.Sub(get(e.To).settled, amount)
	} else {
		get(e.Payer).paid.Add(get(e.Payer).paid, amount)
		for _, s := range e.Shares {
			c := get(s.UserID)
			c.consumed.Add(c.consumed, new(big.Int).Mul(s.Amount, k))
		}
	}
	asset := addrText(e.Asset.Address)
	ids, err := json.Marshal(order)
	if err != nil {
		return fmt.Errorf("store: ledger totals: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT user_id, paid, consumed, settled FROM ledger_totals
		WHERE trip_id = ? AND asset = ? AND user_id IN (SELECT value FROM `+tx.d.jsonText("?")+`)`, e.TripID, asset, string(ids))
	if err != nil {
		return fmt.Errorf("store: ledger totals: %w", err)
	}
	have := map[string]sums{}
	for rows.Next() {
		var id, paid, consumed, settled string
		if err := rows.Scan(&id, &paid, &consumed, &settled); err != nil {
			rows.Close()
			return fmt.Errorf("store: ledger totals: %w", err)
		}
		var (
			cur  sums
			errs [3]error
		)
		cur.paid, errs[0] = parseBig(paid)
		cur.consumed, errs[1] = parseBig(consumed)
		cur.settled, errs[2] = parseBig(settled)
		if err := errors.Join(errs[:]...); err != nil {
			rows.Close()
			return fmt.Errorf("store: ledger totals: %w", err)
		}
		have[id] = cur
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: ledger totals: %w", err)
	}
	for _, id := range order {
		d := delta[id]
		cur, ok := have[id]
		if !ok {
			cur = sums{new(big.Int), new(big.Int), new(big.Int)}
		}
		cur.paid.Add(cur.paid, d.paid)
		cur.consumed.Add(cur.consumed, d.consumed)
		cur.settled.Add(cur.settled, d.settled)
		if cur.paid.Sign() < 0 || cur.consumed.Sign() < 0 {
			return fmt.Errorf("store: ledger totals of %s in trip %d would go below zero", id, e.TripID)
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO ledger_totals (trip_id, asset, user_id, asset_symbol, asset_decimals, paid, consumed, settled)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (trip_id, asset, user_id) DO UPDATE SET paid = excluded.paid, consumed = excluded.consumed, settled = excluded.settled`,
			e.TripID, asset, id, e.Asset.Symbol, int64(e.Asset.Decimals), cur.paid.String(), cur.consumed.String(), cur.settled.String())
		if err != nil {
			return fmt.Errorf("store: ledger totals: %w", err)
		}
	}
	return nil
}

// findEntries reads the entries selected by where (over ledger_entries aliased e) in trip and
// number order (tail may reorder and limit them), with their shares, in two queries.
func findEntries(ctx context.Context, tx *tx, where string, args ...any) ([]trustbot.Entry, error) {
	return findEntriesOrdered(ctx, tx, where+` ORDER BY e.trip_id, e.n`, args...)
}

func findEntriesOrdered(ctx context.Context, tx *tx, tail string, args ...any) ([]trustbot.Entry, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT e.trip_id, e.n, e.kind, e.memo, e.payer, e.redeemer, e.to_user, e.asset, e.asset_symbol, e.asset_decimals,
			e.amount, e.split, e.parts, coalesce(e.tx_hash, ''), coalesce(e.log_index, 0), coalesce(e.block_number, 0),
			coalesce(e.request_id, ''), e.created_by, e.created_at
		FROM ledger_entries e `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("store: ledger entries: %w", err)
	}
	defer rows.Close()
	var out []trustbot.Entry
	type key struct {
		trip int64
		n    int
	}
	at := map[key]int{}
	for rows.Next() {
		var (
			e                                                trustbot.Entry
			kind, asset, amount, split, parts, hash, created string
			decimals, logIndex, block                        int64
		)
		if err := rows.Scan(&e.TripID, &e.N, &kind, &e.Memo, &e.Payer, &e.Redeemer, &e.To, &asset, &e.Asset.Symbol, &decimals,
			&amount, &split, &parts, &hash, &logIndex, &block, &e.RequestID, &e.CreatedBy, &created); err != nil {
			return nil, fmt.Errorf("store: ledger entries: %w", err)
		}
		e.Kind, e.Split, e.Asset.Decimals = trustbot.EntryKind(kind), trustbot.SplitMode(split), uint8(decimals)
		e.LogIndex, e.BlockNumber = uint(logIndex), uint64(block)
		var errs [5]error
		e.Asset.Address, errs[0] = parseAddr(asset)
		e.Amount, errs[1] = parseBig(amount)
		e.Parts, errs[2] = decodeParts(parts)
		e.CreatedAt, errs[3] = parseTime(created)
		if hash != "" {
			e.TxHash, errs[4] = parseHash(hash)
		}
		if err := errors.Join(errs[:]...); err != nil {
			return nil, fmt.Errorf("store: ledger entry %d: %w", e.N, err)
		}
		at[key{e.TripID, e.N}] = len(out)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: ledger entries: %w", err)
	}
	rows.Close()
	if len(out) == 0 {
		return nil, nil
	}
	// The shares of the entries read, per trip.
	trips := map[int64][]int{}
	for _, e := range out {
		trips[e.TripID] = append(trips[e.TripID], e.N)
	}
	for trip, ns := range trips {
		list, err := json.Marshal(ns)
		if err != nil {
			return nil, fmt.Errorf("store: ledger shares: %w", err)
		}
		srows, err := tx.QueryContext(ctx, `SELECT n, user_id, amount FROM ledger_shares
			WHERE trip_id = ? AND n IN (SELECT CAST(value AS INTEGER) FROM `+tx.d.jsonText("?")+`) ORDER BY n, idx`, trip, string(list))
		if err != nil {
			return nil, fmt.Errorf("store: ledger shares: %w", err)
		}
		for srows.Next() {
			var (
				n            int
				user, amount string
			)
			if err := srows.Scan(&n, &user, &amount); err != nil {
				srows.Close()
				return nil, fmt.Errorf("store: ledger shares: %w", err)
			}
			i, ok := at[key{trip, n}]
			if !ok {
				continue
			}
			v, err := parseBig(amount)
			if err != nil {
				srows.Close()
				return nil, fmt.Errorf("store: ledger entry %d: shares: %w", n, err)
			}
			out[i].Shares = append(out[i].Shares, trustbot.Share{UserID: user, Amount: v})
		}
		err = srows.Err()
		srows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: ledger shares: %w", err)
		}
	}
	return out, nil
}

// MemberEntries lists the latest limit entries of a trip that concern a member (they paid, had a
// share, or settled), oldest first, and how many there are in all.
func (db *DB) MemberEntries(ctx context.Context, tripID int64, userID string, limit int) ([]trustbot.Entry, int, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("store: member entries: %w", err)
	}
	defer tx.Rollback()
	const concern = `WHERE e.trip_id = ? AND (e.payer = ? OR e.to_user = ? OR e.n IN (SELECT n FROM ledger_shares WHERE trip_id = ? AND user_id = ?))`
	var total int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM ledger_entries e `+concern, tripID, userID, userID, tripID, userID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: member entries: %w", err)
	}
	es, err := findEntriesOrdered(ctx, tx, concern+` ORDER BY e.n DESC LIMIT ?`, tripID, userID, userID, tripID, userID, limit)
	if err != nil {
		return nil, 0, err
	}
	slices.Reverse(es)
	return es, total, nil
}

// insertLedgerNote stores what a request adds to a trip's ledger, if anything.
func insertLedgerNote(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	n := r.Ledger
	if n == nil {
		return nil
	}
	if len([]rune(n.Memo)) > trustbot.MaxMemo {
		return trustbot.Errorf(trustbot.EInvalid, "A memo is at most %d characters; that one has %d.", trustbot.MaxMemo, len([]rune(n.Memo)))
	}
	parts, err := encodeParts(n.Parts)
	if err != nil {
		return fmt.Errorf("store: create request %s: ledger: %w", trustbot.ShortID(r.ID), err)
	}
	amount, asset := "", ""
	if n.Amount != nil {
		amount, asset = n.Amount.String(), addrText(n.Asset.Address)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO request_ledger (request_id, trip_id, memo, parts, creditor, asset, asset_symbol, asset_decimals, amount)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, n.TripID, n.Memo, parts, n.Creditor, asset, n.Asset.Symbol, int64(n.Asset.Decimals), amount)
	if err != nil {
		return fmt.Errorf("store: create request %s: ledger: %w", trustbot.ShortID(r.ID), err)
	}
	return nil
}

// loadLedgerNote reads what a request adds to a trip's ledger; none leaves r.Ledger nil.
func loadLedgerNote(ctx context.Context, tx *tx, r *trustbot.SigningRequest) error {
	var (
		n                    trustbot.LedgerNote
		parts, asset, amount string
		decimals             int64
	)
	err := tx.QueryRowContext(ctx, `
		SELECT trip_id, memo, parts, creditor, asset, asset_symbol, asset_decimals, amount
		FROM request_ledger WHERE request_id = ?`, r.ID).Scan(&n.TripID, &n.Memo, &parts, &n.Creditor, &asset, &n.Asset.Symbol, &decimals, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("store: request %s: ledger: %w", trustbot.ShortID(r.ID), err)
	}
	n.Asset.Decimals = uint8(decimals)
	if n.Parts, err = decodeParts(parts); err != nil {
		return fmt.Errorf("store: request %s: ledger: %w", trustbot.ShortID(r.ID), err)
	}
	if amount != "" {
		var errs [2]error
		n.Asset.Address, errs[0] = parseAddr(asset)
		n.Amount, errs[1] = parseBig(amount)
		if err := errors.Join(errs[:]...); err != nil {
			return fmt.Errorf("store: request %s: ledger: %w", trustbot.ShortID(r.ID), err)
		}
	}
	r.Ledger = &n
	return nil
}

// TripEntry is entry n of a trip; ENotFound when it has none.
func (db *DB) TripEntry(ctx context.Context, tripID int64, n int) (trustbot.Entry, error) {
	tx, err := db.beginRead(ctx)
	if err != nil {
		return trustbot.Entry{}, fmt.Errorf("store: trip entry: %w", err)
	}
	defer tx.Rollback()
	es, err := findEntries(ctx, tx, `WHERE e.trip_id = ? AND e.n = ?`, tripID, n)
	if err != nil {
		return trustbot.Entry{}, err
	} else if len(es) == 0 {
		return trustbot.Entry{}, trustbot.Errorf(trustbot.ENotFound, "This trip has no entry %d; /trip balance member:@… lists them.", n)
	}
	return es[0], nil
}
