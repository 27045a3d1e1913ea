-- 0004: the projection the indexer keeps beside the events, and a notice outbox keyed by
-- transaction.
--
-- A reserve's asset token (symbol and decimals, read once when the reserve is found), its
-- outstanding supply and the backing its events account for (deposits less withdrawals and
-- redemptions); per reserve and holder, the trust token balance and budget. Every figure is
-- implied by the events table alone and rebuilt from it after a reorg.
ALTER TABLE reserves ADD COLUMN asset_symbol TEXT NOT NULL DEFAULT '';
ALTER TABLE reserves ADD COLUMN asset_decimals BIGINT NOT NULL DEFAULT 0 CHECK (asset_decimals BETWEEN 0 AND 255);
ALTER TABLE reserves ADD COLUMN outstanding TEXT NOT NULL DEFAULT '0' CHECK (outstanding <> '' AND outstanding ~ '^[0-9]*$');
ALTER TABLE reserves ADD COLUMN backing TEXT NOT NULL DEFAULT '0' CHECK (backing <> '' AND backing ~ '^[0-9-]*$');

CREATE TABLE accounts (
	reserve TEXT NOT NULL REFERENCES reserves (address) ON DELETE CASCADE,
	holder  TEXT NOT NULL CHECK (length(holder) = 42 AND holder = lower(holder)),
	balance TEXT NOT NULL CHECK (balance <> '' AND balance ~ '^[0-9]*$'),
	budget  TEXT NOT NULL CHECK (budget <> '' AND budget ~ '^[0-9]*$'),
	PRIMARY KEY (reserve, holder)
);

CREATE INDEX accounts_holder ON accounts (holder);

-- One notice per transaction the bot made a signing request for. A row is added when both the
-- transaction's events are indexed and the transaction is reported (whichever comes second),
-- and leaves 'pending' only when an adapter said it delivered the notice ('delivered') or that it
-- can never be delivered ('dropped': the channel is gone, say). Not rolled back with the events:
-- a transaction a reorg re-applies is not announced again.
CREATE TABLE outbox (
	tx_hash         TEXT PRIMARY KEY CHECK (length(tx_hash) = 66 AND tx_hash = lower(tx_hash)),
	state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dropped')),
	attempts        BIGINT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	next_attempt_at TEXT NOT NULL,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	delivered_at    TEXT
);

CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

-- Every reported transaction with indexed events gets its notice; those notified already are
-- delivered. The times are fixed-width text, so min is the earliest.
INSERT INTO outbox (tx_hash, state, next_attempt_at, created_at, delivered_at)
	SELECT t.tx_hash,
		CASE WHEN EXISTS (SELECT 1 FROM notified n WHERE n.tx_hash = t.tx_hash) THEN 'delivered' ELSE 'pending' END,
		min(e.applied_at), min(e.applied_at),
		CASE WHEN EXISTS (SELECT 1 FROM notified n WHERE n.tx_hash = t.tx_hash) THEN min(e.applied_at) END
	FROM signing_txs t JOIN events e ON e.tx_hash = t.tx_hash
	GROUP BY t.tx_hash;

DROP TABLE notified;
