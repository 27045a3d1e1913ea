-- Notices already sent, by transaction and log index rather than block hash: a transaction
-- re-applied in another block after a reorg is not announced twice. Not rolled back with events.
CREATE TABLE notified (
	tx_hash     TEXT NOT NULL CHECK (length(tx_hash) = 66),
	log_index   BIGINT NOT NULL CHECK (log_index >= 0),
	notified_at TEXT NOT NULL,
	PRIMARY KEY (tx_hash, log_index)
);
