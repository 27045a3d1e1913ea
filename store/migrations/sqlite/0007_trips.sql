-- 0007: trip ledgers. A trip lives in one channel (at most one open there at a time); its
-- entries record what the money was for: on-chain redemptions (and each lower layer of a deep
-- one), out-of-pocket expenses and confirmed settlements. Amounts are in the asset's smallest
-- units, decimal TEXT. ledger_totals keeps, per trip, asset and member, the sums the entries
-- imply (paid, consumed, settled), so a balance is read without summing every entry. start_block
-- is the indexer's cursor when the trip started: budgets extended after it were extended during
-- the trip.
CREATE TABLE trips (
	id             INTEGER PRIMARY KEY,
	guild_id       TEXT NOT NULL,
	channel_id     TEXT NOT NULL,
	name           TEXT NOT NULL CHECK (name <> '' AND length(name) <= 100),
	asset          TEXT NOT NULL CHECK (length(asset) = 42 AND asset = lower(asset)),
	asset_symbol   TEXT NOT NULL,
	asset_decimals INTEGER NOT NULL CHECK (asset_decimals BETWEEN 0 AND 77),
	status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'ended')),
	started_by     TEXT NOT NULL,
	started_at     TEXT NOT NULL,
	ended_at       TEXT,
	start_block    INTEGER NOT NULL DEFAULT 0 CHECK (start_block >= 0),
	next_entry     INTEGER NOT NULL DEFAULT 1 CHECK (next_entry > 0)
) STRICT;

CREATE UNIQUE INDEX trips_open_channel ON trips (guild_id, channel_id) WHERE status = 'open';
CREATE INDEX trips_channel ON trips (guild_id, channel_id, id);

CREATE TABLE trip_members (
	trip_id INTEGER NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
	user_id TEXT NOT NULL CHECK (user_id <> ''),
	name    TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	PRIMARY KEY (trip_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX trip_members_user ON trip_members (user_id);

CREATE TABLE ledger_entries (
	trip_id        INTEGER NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
	n              INTEGER NOT NULL CHECK (n > 0),
	kind           TEXT NOT NULL CHECK (kind IN ('redeem', 'layer', 'spent', 'settle')),
	memo           TEXT NOT NULL DEFAULT '' CHECK (length(memo) <= 200),
	payer          TEXT NOT NULL CHECK (payer <> ''),
	redeemer       TEXT NOT NULL DEFAULT '',
	to_user        TEXT NOT NULL DEFAULT '',
	asset          TEXT NOT NULL CHECK (length(asset) = 42 AND asset = lower(asset)),
	asset_symbol   TEXT NOT NULL,
	asset_decimals INTEGER NOT NULL CHECK (asset_decimals BETWEEN 0 AND 77),
	amount         TEXT NOT NULL CHECK (amount GLOB '[1-9]*' AND amount NOT GLOB '*[^0-9]*'),
	split          TEXT NOT NULL CHECK (split IN ('none', 'equal', 'weighted', 'exact', 'mixed')),
	parts          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(parts) AND json_type(parts) = 'array'),
	tx_hash        TEXT CHECK (tx_hash IS NULL OR length(tx_hash) = 66),
	log_index      INTEGER CHECK (log_index IS NULL OR log_index >= 0),
	block_number   INTEGER CHECK (block_number IS NULL OR block_number >= 0),
	request_id     TEXT,
	created_by     TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	PRIMARY KEY (trip_id, n),
	CHECK ((kind IN ('redeem', 'layer')) = (log_index IS NOT NULL)),
	CHECK ((kind = 'spent') = (tx_hash IS NULL))
) STRICT, WITHOUT ROWID;

-- An on-chain log is one entry at most; a settlement request one settlement.
CREATE UNIQUE INDEX ledger_entries_log ON ledger_entries (tx_hash, log_index) WHERE log_index IS NOT NULL;
CREATE UNIQUE INDEX ledger_entries_settlement ON ledger_entries (request_id) WHERE kind = 'settle';
CREATE INDEX ledger_entries_block ON ledger_entries (block_number) WHERE log_index IS NOT NULL;

CREATE TABLE ledger_shares (
	trip_id INTEGER NOT NULL,
	n       INTEGER NOT NULL,
	user_id TEXT NOT NULL CHECK (user_id <> ''),
	idx     INTEGER NOT NULL CHECK (idx >= 0),
	amount  TEXT NOT NULL CHECK (amount <> '' AND amount NOT GLOB '*[^0-9]*'),
	PRIMARY KEY (trip_id, n, user_id),
	FOREIGN KEY (trip_id, n) REFERENCES ledger_entries (trip_id, n) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX ledger_shares_user ON ledger_shares (trip_id, user_id, n);

CREATE TABLE ledger_totals (
	trip_id        INTEGER NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
	asset          TEXT NOT NULL,
	user_id        TEXT NOT NULL,
	asset_symbol   TEXT NOT NULL,
	asset_decimals INTEGER NOT NULL,
	paid           TEXT NOT NULL CHECK (paid <> '' AND paid NOT GLOB '*[^0-9]*'),
	consumed       TEXT NOT NULL CHECK (consumed <> '' AND consumed NOT GLOB '*[^0-9]*'),
	settled        TEXT NOT NULL CHECK (settled <> '' AND settled NOT GLOB '*[^0-9-]*'),
	PRIMARY KEY (trip_id, asset, user_id)
) STRICT, WITHOUT ROWID;

-- A trip member known by id alone is named by their latest sign-in.
CREATE INDEX siwe_nonces_user ON siwe_nonces (user_id, used_at);

-- What a signing request adds to a trip once confirmed: a redemption's memo and split (parts,
-- resolved when the link was made), or a settlement's creditor and amount.
CREATE TABLE request_ledger (
	request_id     TEXT PRIMARY KEY REFERENCES signing_requests (id) ON DELETE CASCADE,
	trip_id        INTEGER NOT NULL REFERENCES trips (id),
	memo           TEXT NOT NULL DEFAULT '' CHECK (length(memo) <= 200),
	parts          TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(parts) AND json_type(parts) = 'array'),
	creditor       TEXT NOT NULL DEFAULT '',
	asset          TEXT NOT NULL DEFAULT '',
	asset_symbol   TEXT NOT NULL DEFAULT '',
	asset_decimals INTEGER NOT NULL DEFAULT 0,
	amount         TEXT NOT NULL DEFAULT ''
) STRICT, WITHOUT ROWID;
