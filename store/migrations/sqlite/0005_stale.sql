-- 0005: a signing request goes 'stale' when the chain changed after its link was made so that
-- its calls would now revert (a revoke spent the budget a redemption needed, say); the reason is
-- in its error. SQLite cannot change a CHECK in place, so the table is rebuilt (with foreign keys
-- off, as migrate runs every migration) and its indexes and trigger made again.
CREATE TABLE signing_requests_new (
	id                TEXT PRIMARY KEY,
	guild_id          TEXT NOT NULL DEFAULT '',
	channel_id        TEXT NOT NULL DEFAULT '',
	user_id           TEXT NOT NULL,
	interaction_token TEXT NOT NULL DEFAULT '',
	signer            TEXT NOT NULL CHECK (length(signer) = 42 AND signer = lower(signer)),
	chain_id          INTEGER NOT NULL CHECK (chain_id > 0),
	kind              TEXT NOT NULL CHECK (kind <> ''),
	summary           TEXT NOT NULL,
	status            TEXT NOT NULL DEFAULT 'created'
	                  CHECK (status IN ('created', 'opened', 'submitted', 'confirmed', 'failed', 'expired', 'cancelled', 'stale')),
	error             TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	expires_at        TEXT NOT NULL CHECK (expires_at > created_at),
	updated_at        TEXT NOT NULL
) STRICT;

INSERT INTO signing_requests_new (rowid, id, guild_id, channel_id, user_id, interaction_token, signer, chain_id, kind, summary,
	status, error, created_at, expires_at, updated_at)
SELECT rowid, id, guild_id, channel_id, user_id, interaction_token, signer, chain_id, kind, summary,
	status, error, created_at, expires_at, updated_at
FROM signing_requests;

DROP TABLE signing_requests;
ALTER TABLE signing_requests_new RENAME TO signing_requests;

CREATE INDEX signing_requests_user ON signing_requests (user_id, status, created_at);
CREATE INDEX signing_requests_status_expires_at ON signing_requests (status, expires_at);

-- The state machine, enforced by the database as well as by the Go code:
--   created   -> opened | submitted | expired | cancelled | stale
--   opened    -> submitted | expired | cancelled | stale
--   submitted -> confirmed | failed | expired | cancelled | stale
--   confirmed, failed, expired, cancelled, stale are final.
CREATE TRIGGER signing_requests_status_transition
BEFORE UPDATE OF status ON signing_requests
WHEN NEW.status <> OLD.status AND NOT (
	(OLD.status = 'created'   AND NEW.status IN ('opened', 'submitted', 'expired', 'cancelled', 'stale')) OR
	(OLD.status = 'opened'    AND NEW.status IN ('submitted', 'expired', 'cancelled', 'stale')) OR
	(OLD.status = 'submitted' AND NEW.status IN ('confirmed', 'failed', 'expired', 'cancelled', 'stale'))
)
BEGIN
	SELECT RAISE(ABORT, 'illegal signing request status transition');
END;
