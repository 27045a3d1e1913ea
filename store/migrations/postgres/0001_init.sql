-- 0001: initial schema, PostgreSQL's form of migrations/sqlite/0001_init.sql.
--
-- Conventions: times are UTC TEXT in the fixed-width form
-- 2006-01-02T15:04:05.000Z (so they sort and compare as text); money and
-- uint256 amounts are decimal TEXT; addresses are lowercase 0x hex TEXT
-- (42 characters); hashes are lowercase 0x hex TEXT (66 characters).
-- SQLite's INTEGER is BIGINT here; its GLOB patterns are LIKE or regular
-- expressions; its json_valid is trustbot_json_type below.

-- The JSON type of doc ('object', 'array', 'string', 'number', 'boolean' or
-- 'null'): the CHECKs that SQLite writes with json_valid and json_type. Text
-- that is not JSON fails the cast, so the row is refused with that error. A
-- plain SQL function: no exception block (a subtransaction per row, which
-- would cost every insert of an event far more than the insert itself).
CREATE FUNCTION trustbot_json_type(doc text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN json_typeof(doc::json);

-- A Discord user proved control of an address (SIWE, or a dev key in the
-- playground). One address per user, one user per address.
CREATE TABLE wallet_links (
	user_id   TEXT PRIMARY KEY,
	address   TEXT NOT NULL UNIQUE CHECK (length(address) = 42 AND address = lower(address) AND address LIKE '0x%'),
	chain_id  BIGINT NOT NULL CHECK (chain_id > 0),
	method    TEXT NOT NULL CHECK (method <> ''),
	proven_at TEXT NOT NULL
);

-- Single-use EIP-4361 nonces. rowid is SQLite's implicit one made a column: it
-- numbers the rows in the order they were inserted, and the store orders by it
-- under the same name in both databases.
CREATE TABLE siwe_nonces (
	nonce      TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL,
	address    TEXT CHECK (address IS NULL OR (length(address) = 42 AND address = lower(address))),
	issued_at  TEXT NOT NULL,
	expires_at TEXT NOT NULL CHECK (expires_at > issued_at),
	used_at    TEXT,
	rowid      BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE INDEX siwe_nonces_expires_at ON siwe_nonces (expires_at);

-- Signing links: an ordered list of calls one Discord user's wallet signs.
-- rowid is SQLite's implicit one made a column, which orders requests made in
-- the same millisecond by insertion. The status CHECK is named because 0005
-- replaces it.
CREATE TABLE signing_requests (
	id                TEXT PRIMARY KEY,
	guild_id          TEXT NOT NULL DEFAULT '',
	channel_id        TEXT NOT NULL DEFAULT '',
	user_id           TEXT NOT NULL,
	interaction_token TEXT NOT NULL DEFAULT '',
	signer            TEXT NOT NULL CHECK (length(signer) = 42 AND signer = lower(signer)),
	chain_id          BIGINT NOT NULL CHECK (chain_id > 0),
	kind              TEXT NOT NULL CHECK (kind <> ''),
	summary           TEXT NOT NULL,
	status            TEXT NOT NULL DEFAULT 'created'
	                  CONSTRAINT signing_requests_status_check
	                  CHECK (status IN ('created', 'opened', 'submitted', 'confirmed', 'failed', 'expired', 'cancelled')),
	error             TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	expires_at        TEXT NOT NULL CHECK (expires_at > created_at),
	updated_at        TEXT NOT NULL,
	rowid             BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
);

CREATE INDEX signing_requests_user ON signing_requests (user_id, status, created_at);
CREATE INDEX signing_requests_status_expires_at ON signing_requests (status, expires_at);

-- The state machine, enforced by the database as well as by the Go code:
--   created   -> opened | submitted | expired | cancelled
--   opened    -> submitted | expired | cancelled
--   submitted -> confirmed | failed | expired | cancelled
--   confirmed, failed, expired, cancelled are final.
-- The function holds the allowed moves, so that 0005 replaces only it.
CREATE FUNCTION signing_requests_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT (
		(OLD.status = 'created'   AND NEW.status IN ('opened', 'submitted', 'expired', 'cancelled')) OR
		(OLD.status = 'opened'    AND NEW.status IN ('submitted', 'expired', 'cancelled')) OR
		(OLD.status = 'submitted' AND NEW.status IN ('confirmed', 'failed', 'expired', 'cancelled'))
	) THEN
		RAISE EXCEPTION 'illegal signing request status transition';
	END IF;
	RETURN NEW;
END
$$;

CREATE TRIGGER signing_requests_status_transition
BEFORE UPDATE OF status ON signing_requests
FOR EACH ROW WHEN (NEW.status <> OLD.status)
EXECUTE FUNCTION signing_requests_status_transition();

CREATE TABLE signing_calls (
	request_id TEXT NOT NULL REFERENCES signing_requests (id) ON DELETE CASCADE,
	idx        BIGINT NOT NULL CHECK (idx >= 0),
	to_addr    TEXT NOT NULL CHECK (length(to_addr) = 42 AND to_addr = lower(to_addr)),
	data       TEXT NOT NULL CHECK (data LIKE '0x%'),
	value      TEXT NOT NULL CHECK (value <> '' AND value ~ '^[0-9]*$'),
	PRIMARY KEY (request_id, idx)
);

-- One transaction per call, reported by the signing page in call order.
CREATE TABLE signing_txs (
	request_id   TEXT NOT NULL,
	idx          BIGINT NOT NULL,
	tx_hash      TEXT NOT NULL UNIQUE CHECK (length(tx_hash) = 66 AND tx_hash = lower(tx_hash)),
	status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'failed')),
	block_number BIGINT CHECK (block_number IS NULL OR block_number >= 0),
	PRIMARY KEY (request_id, idx),
	FOREIGN KEY (request_id, idx) REFERENCES signing_calls (request_id, idx) ON DELETE CASCADE
);

-- Reserves made by the factory (one per issuer and asset).
CREATE TABLE reserves (
	address       TEXT PRIMARY KEY CHECK (length(address) = 42 AND address = lower(address)),
	issuer        TEXT NOT NULL CHECK (length(issuer) = 42 AND issuer = lower(issuer)),
	asset         TEXT NOT NULL CHECK (length(asset) = 42 AND asset = lower(asset)),
	chain_id      BIGINT NOT NULL CHECK (chain_id > 0),
	created_block BIGINT NOT NULL CHECK (created_block >= 0),
	name          TEXT NOT NULL,
	symbol        TEXT NOT NULL,
	decimals      BIGINT NOT NULL CHECK (decimals BETWEEN 0 AND 255),
	UNIQUE (issuer, asset)
);

-- Index of contract events, keyed by (block_hash, log_index) so that
-- applying the same logs twice is a no-op. id is SQLite's INTEGER PRIMARY
-- KEY: given by the database when the insert leaves it out.
CREATE TABLE events (
	id           BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	block_number BIGINT NOT NULL CHECK (block_number >= 0),
	block_hash   TEXT NOT NULL CHECK (length(block_hash) = 66),
	log_index    BIGINT NOT NULL CHECK (log_index >= 0),
	tx_hash      TEXT NOT NULL CHECK (length(tx_hash) = 66),
	address      TEXT NOT NULL CHECK (length(address) = 42),
	name         TEXT NOT NULL CHECK (name <> ''),
	args         TEXT NOT NULL DEFAULT '{}' CHECK (trustbot_json_type(args) IS NOT NULL),
	applied_at   TEXT NOT NULL,
	UNIQUE (block_hash, log_index)
);

CREATE INDEX events_block ON events (block_number, log_index);
CREATE INDEX events_address ON events (address, block_number);
CREATE INDEX events_name ON events (name, block_number);
CREATE INDEX events_tx_hash ON events (tx_hash);

-- The chain watcher's position: the last block whose logs are applied.
CREATE TABLE watcher_cursor (
	id           BIGINT PRIMARY KEY CHECK (id = 1),
	block_number BIGINT NOT NULL CHECK (block_number >= 0),
	block_hash   TEXT NOT NULL CHECK (length(block_hash) = 66),
	updated_at   TEXT NOT NULL
);

CREATE TABLE guild_settings (
	guild_id          TEXT PRIMARY KEY,
	notice_channel_id TEXT NOT NULL CHECK (notice_channel_id <> ''),
	updated_at        TEXT NOT NULL
);

-- Discord interactions already handled, so a redelivered command acts once.
CREATE TABLE processed_interactions (
	id      TEXT PRIMARY KEY,
	seen_at TEXT NOT NULL
);
