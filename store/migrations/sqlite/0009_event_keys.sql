-- 0009: cheaper event inserts. An event is applied once and then read by block range, by
-- reserve or by transaction; every index on it is paid for on every log the indexer applies.
--  * The key of a log is UNIQUE (block_number, log_index, block_hash): a new chunk's keys go to
--    the right-hand end of the index instead of all over it (a block hash is random), and the
--    key serves the block-range reads and the chain order, so events_block goes. A block hash
--    fixes its number, so the key is as unique as (block_hash, log_index) was.
--  * events_name goes: nothing reads events by name alone (the trip query narrows by reserve,
--    which events_address serves).
-- A UNIQUE constraint is part of its table in SQLite: the table is rebuilt with the rows as
-- they are, ids included.
CREATE TABLE events_rekeyed (
	id           INTEGER PRIMARY KEY,
	block_number INTEGER NOT NULL CHECK (block_number >= 0),
	block_hash   TEXT NOT NULL CHECK (length(block_hash) = 66),
	log_index    INTEGER NOT NULL CHECK (log_index >= 0),
	tx_hash      TEXT NOT NULL CHECK (length(tx_hash) = 66),
	address      TEXT NOT NULL CHECK (length(address) = 42),
	name         TEXT NOT NULL CHECK (name <> ''),
	args         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args)),
	applied_at   TEXT NOT NULL,
	UNIQUE (block_number, log_index, block_hash)
) STRICT;

INSERT INTO events_rekeyed (id, block_number, block_hash, log_index, tx_hash, address, name, args, applied_at)
	SELECT id, block_number, block_hash, log_index, tx_hash, address, name, args, applied_at FROM events;
DROP TABLE events;
ALTER TABLE events_rekeyed RENAME TO events;

CREATE INDEX events_address ON events (address, block_number);
CREATE INDEX events_tx_hash ON events (tx_hash);
