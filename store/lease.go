package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/trustbot/trustbot"
)

// LeaderLease is the lease whose holder runs the indexer, request expiry and notice delivery.
const LeaderLease = "leader"

// Lease takes the named lease for holder, or renews it if holder has it, until ttl from now by the
// database's clock; it changes nothing while another holder's lease runs. It reports whether
// holder has the lease and, if so, its epoch: a number that grows by one each time the lease
// changes hands.
func (db *DB) Lease(ctx context.Context, name, holder string, ttl time.Duration) (held bool, epoch int64, err error) {
	if name == "" || holder == "" || ttl <= 0 {
		return false, 0, trustbot.Errorf(trustbot.EInvalid, "A lease needs a name, a holder and a positive duration.")
	}
	q := `
		INSERT INTO leases (name, holder, epoch, acquired_at, expires_at)
		VALUES (?1, ?2, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3))
		ON CONFLICT (name) DO UPDATE SET` + leaseUpdate
	var arg any = fmt.Sprintf("+%.3f seconds", ttl.Seconds())
	if db.d == postgresDialect {
		q = `
		INSERT INTO leases (name, holder, epoch, acquired_at, expires_at)
		VALUES (?1, ?2, 1, now(), now() + CAST(?3 AS BIGINT) * interval '1 millisecond')
		ON CONFLICT (name) DO UPDATE SET` + leaseUpdate
		arg = ttl.Milliseconds()
	}
	return inWrite2(ctx, db, "lease "+name, func(tx *tx) (bool, int64, error) {
		var epoch int64
		err := tx.QueryRowContext(ctx, q, name, holder, arg).Scan(&epoch)
		if errors.Is(err, sql.ErrNoRows) {
			return false, 0, nil
		} else if err != nil {
			return false, 0, fmt.Errorf("store: lease %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return false, 0, fmt.Errorf("store: lease %s: commit: %w", name, err)
		}
		return true, epoch, nil
	})
}

// leaseUpdate renews a lease its holder asks for, or hands over one that has run out. The
// right-hand sides read the row as it was.
const leaseUpdate = `
			epoch = CASE WHEN leases.holder = excluded.holder THEN leases.epoch ELSE leases.epoch + 1 END,
			acquired_at = CASE WHEN leases.holder = excluded.holder THEN leases.acquired_at ELSE excluded.acquired_at END,
			holder = excluded.holder,
			expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < excluded.acquired_at
		RETURNING epoch`

// ReleaseLease gives the named lease up if holder has it, so another process can take it at once.
func (db *DB) ReleaseLease(ctx context.Context, name, holder string) error {
	q := `UPDATE leases SET expires_at = acquired_at WHERE name = ? AND holder = ?`
	return inWrite(ctx, db, "release lease "+name, func(tx *tx) error {
		if _, err := tx.ExecContext(ctx, q, name, holder); err != nil {
			return fmt.Errorf("store: release lease %s: %w", name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: release lease %s: commit: %w", name, err)
		}
		return nil
	})
}

// LeaseHolder returns who holds the named lease now, by the database's clock, and its epoch; ""
// when nobody does.
func (db *DB) LeaseHolder(ctx context.Context, name string) (holder string, epoch int64, err error) {
	q := `SELECT holder, epoch FROM leases WHERE name = ? AND expires_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`
	if db.d == postgresDialect {
		q = `SELECT holder, epoch FROM leases WHERE name = ? AND expires_at >= now()`
	}
	t, err := db.beginRead(ctx)
	if err != nil {
		return "", 0, fmt.Errorf("store: lease holder: %w", err)
	}
	defer t.Rollback()
	err = t.QueryRowContext(ctx, q, name).Scan(&holder, &epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil
	} else if err != nil {
		return "", 0, db.unreachable(fmt.Errorf("store: lease holder: %w", err))
	}
	return holder, epoch, nil
}
