-- 0001: initial schema.
--
-- Conventions: times are UTC TEXT in the fixed-width form
-- 2006-01-02T15:04:05.000Z (so they sort and compare as text); money and
-- uint256 amounts are decimal TEXT; addresses are lowercase 0x hex TEXT
-- (42 characters); hashes are lowercase 0x hex TEXT (66 characters).

-- A Discord user proved control of an address (SIWE, or a dev key in the
-- playground). One address per user, one user per address.
CREATE TABLE wallet_links (
	user_id   TEXT PRIMARY KEY,
	address   TEXT NOT NULL UNIQUE CHECK (length(address) = 42 AND address = lower(address) AND address GLOB '0x*'),
	chain_id  INTEGER NOT NULL CHECK (chain_id > 0),
	method    TEXT NOT NULL CHECK (method <> ''),
	proven_at TEXT NOT NULL
) STRICT;

-- Single-use EIP-4361 nonces.
CREATE TABLE siwe_nonces (
	nonce      TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	address    TEXT CHECK (address IS NULL OR (length(address) = 42 AND address = lower(address))),
	issued_at  TEXT NOT NULL,
	expires_at TEXT NOT NULL CHECK (expires_at > issued_at),
	used_at    TEXT
) STRICT;

CREATE INDEX siwe_nonces_expires_at ON siwe_nonces (expires_at);

-- Signing links: an ordered list of calls one Discord user's wallet signs.
CREATE TABLE signing_requests (
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
	                  CHECK (status IN ('created', 'opened', 'submitted', 'confirmed', 'failed', 'expired', 'cancelled')),
	error             TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	expires_at        TEXT NOT NULL CHECK (expires_at > created_at),
	updated_at        TEXT NOT NULL
) STRICT;

CREATE INDEX signing_requests_user ON signing_requests (user_id, status, created_at);
CREATE INDEX signing_requests_status_expires_at ON signing_requests (status, expires_at);

-- The state machine, enforced by the database as well as by the Go code:
--   created   -> opened | submitted | expired | cancelled
--   opened    -> submitted | expired | cancelled
--   submitted -> confirmed | failed | expired | cancelled
--   confirmed, failed, expired, cancelled are final.
CREATE TRIGGER signing_requests_status_transition
BEFORE UPDATE OF status ON signing_requests
WHEN NEW.status <> OLD.status AND NOT (
	(OLD.status = 'created'   AND NEW.status IN ('opened', 'submitted', 'expired', 'cancelled')) OR
	(OLD.status = 'opened'    AND NEW.status IN ('submitted', 'expired', 'cancelled')) OR
	(OLD.status = 'submitted' AND NEW.status IN ('confirmed', 'failed', 'expired', 'cancelled'))
)
BEGIN
	SELECT RAISE(ABORT, 'illegal signing request status transition');
END;

CREATE TABLE signing_calls (
	request_id TEXT NOT NULL REFERENCES signing_requests (id) ON DELETE CASCADE,
	idx        INTEGER NOT NULL CHECK (idx >= 0),
	to_addr    TEXT NOT NULL CHECK (length(to_addr) = 42 AND to_addr = lower(to_addr)),
	data       TEXT NOT NULL CHECK (data GLOB '0x*'),
	value      TEXT NOT NULL CHECK (value <> '' AND value NOT GLOB '*[^0-9]*'),
	PRIMARY KEY (request_id, idx)
) STRICT, WITHOUT ROWID;

-- One transaction per call, reported by the signing page in call order.
CREATE TABLE signing_txs (
	request_id   TEXT NOT NULL,
	idx          INTEGER NOT NULL,
	tx_hash      TEXT NOT NULL UNIQUE CHECK (length(tx_hash) = 66 AND tx_hash = lower(tx_hash)),
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'failed')),
	block_number INTEGER CHECK (block_number IS NULL OR block_number >= 0),
	PRIMARY KEY (request_id, idx),
	FOREIGN KEY (request_id, idx) REFERENCES signing_calls (request_id, idx) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Reserves made by the factory (one per issuer and asset).
CREATE TABLE reserves (
	address       TEXT PRIMARY KEY CHECK (length(address) = 42 AND address = lower(address)),
	issuer        TEXT NOT NULL CHECK (length(issuer) = 42 AND issuer = lower(issuer)),
	asset         TEXT NOT NULL CHECK (length(asset) = 42 AND asset = lower(asset)),
	chain_id      INTEGER NOT NULL CHECK (chain_id > 0),
	created_block INTEGER NOT NULL CHECK (created_block >= 0),
	name          TEXT NOT NULL,
	symbol        TEXT NOT NULL,
	decimals      INTEGER NOT NULL CHECK (decimals BETWEEN 0 AND 255),
	UNIQUE (issuer, asset)
) STRICT;

-- Index of contract events, keyed by (block_hash, log_index) so that
-- applying the same logs twice is a no-op.
CREATE TABLE events (
	id           INTEGER PRIMARY KEY,
	block_number INTEGER NOT NULL CHECK (block_number >= 0),
	block_hash   TEXT NOT NULL CHECK (length(block_hash) = 66),
	log_index    INTEGER NOT NULL CHECK (log_index >= 0),
	tx_hash      TEXT NOT NULL CHECK (length(tx_hash) = 66),
	address      TEXT NOT NULL CHECK (length(address) = 42),
	name         TEXT NOT NULL CHECK (name <> ''),
	args         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args)),
	applied_at   TEXT NOT NULL,
	UNIQUE (block_hash, log_index)
) STRICT;

CREATE INDEX events_block ON events (block_number, log_index);
CREATE INDEX events_address ON events (address, block_number);
CREATE INDEX events_name ON events (name, block_number);
CREATE INDEX events_tx_hash ON events (tx_hash);

-- The chain watcher's position: the last block whose logs are applied.
CREATE TABLE watcher_cursor (
	id           INTEGER PRIMARY KEY CHECK (id = 1),
	block_number INTEGER NOT NULL CHECK (block_number >= 0),
	block_hash   TEXT NOT NULL CHECK (length(block_hash) = 66),
	updated_at   TEXT NOT NULL
) STRICT;

CREATE TABLE guild_settings (
	guild_id          TEXT PRIMARY KEY,
	notice_channel_id TEXT NOT NULL CHECK (notice_channel_id <> ''),
	updated_at        TEXT NOT NULL
) STRICT;

-- Discord interactions already handled, so a redelivered command acts once.
CREATE TABLE processed_interactions (
	id      TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
