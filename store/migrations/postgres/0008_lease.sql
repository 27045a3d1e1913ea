-- 0008: many processes over one database. One process at a time is the leader: it runs the
-- indexer, request expiry and notice delivery while it holds the 'leader' lease, which it renews
-- before expires_at (the database's clock, so the processes' clocks need not agree). epoch counts
-- the holders: it grows by one each time the lease changes hands. The times are timestamptz, as
-- the lease is taken and renewed with the database's now().
CREATE TABLE leases (
	name        TEXT PRIMARY KEY CHECK (name <> ''),
	holder      TEXT NOT NULL CHECK (holder <> ''),
	epoch       BIGINT NOT NULL CHECK (epoch > 0),
	acquired_at TIMESTAMPTZ NOT NULL,
	expires_at  TIMESTAMPTZ NOT NULL CHECK (expires_at >= acquired_at)
);
