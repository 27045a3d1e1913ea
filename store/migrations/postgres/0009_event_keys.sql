-- 0009: cheaper event inserts. An event is applied once and then read by block range, by
-- reserve or by transaction; every index on it is paid for on every log the indexer applies.
--  * The primary key leads with the block number, (block_number, log_index, block_hash): a new
--    chunk's keys go to the right-hand end of the index instead of all over it (a block hash is
--    random), and the key serves the block-range reads and the chain order, so events_block goes.
--    A block hash fixes its number, so the key is as unique as (block_hash, log_index) was.
--  * events_name goes: nothing reads events by name alone (the trip query narrows by reserve,
--    which events_address serves).
--  * Hashes and addresses are lowercase ASCII hex, compared byte by byte (COLLATE "C", as SQLite
--    compares text): the database's locale, whatever it is, changes neither their order nor
--    makes every comparison go through it.
ALTER TABLE events DROP CONSTRAINT events_pkey;
DROP INDEX events_block;
DROP INDEX events_name;
ALTER TABLE events
	ALTER COLUMN block_hash TYPE TEXT COLLATE "C",
	ALTER COLUMN tx_hash TYPE TEXT COLLATE "C",
	ALTER COLUMN address TYPE TEXT COLLATE "C";
ALTER TABLE events ADD PRIMARY KEY (block_number, log_index, block_hash);
