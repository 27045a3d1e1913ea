-- 0008: many processes over one database. One process at a time is the leader: it runs the
-- indexer, request expiry and notice delivery while it holds the 'leader' lease, which it renews
-- before expires_at (the database's clock, so the processes' clocks need not agree). epoch counts
-- the holders: it grows by one each time the lease changes hands.
CREATE TABLE leases (
	name        TEXT PRIMARY KEY CHECK (name <> ''),
	holder      TEXT NOT NULL CHECK (holder <> ''),
	epoch       INTEGER NOT NULL CHECK (epoch > 0),
	acquired_at TEXT NOT NULL,
	expires_at  TEXT NOT NULL CHECK (expires_at >= acquired_at)
) STRICT, WITHOUT ROWID;
