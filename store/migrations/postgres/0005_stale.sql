-- 0005: a signing request goes 'stale' when the chain changed after its link was made so that
-- its calls would now revert (a revoke spent the budget a redemption needed, say); the reason is
-- in its error. Where SQLite rebuilds the table, PostgreSQL replaces the named CHECK in place
-- (rows, rowid, indexes and the foreign keys to the table stay as they are) and the trigger's
-- function.
ALTER TABLE signing_requests DROP CONSTRAINT signing_requests_status_check;
ALTER TABLE signing_requests ADD CONSTRAINT signing_requests_status_check
	CHECK (status IN ('created', 'opened', 'submitted', 'confirmed', 'failed', 'expired', 'cancelled', 'stale'));

-- The state machine, enforced by the database as well as by the Go code:
--   created   -> opened | submitted | expired | cancelled | stale
--   opened    -> submitted | expired | cancelled | stale
--   submitted -> confirmed | failed | expired | cancelled | stale
--   confirmed, failed, expired, cancelled, stale are final.
CREATE OR REPLACE FUNCTION signing_requests_status_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT (
		(OLD.status = 'created'   AND NEW.status IN ('opened', 'submitted', 'expired', 'cancelled', 'stale')) OR
		(OLD.status = 'opened'    AND NEW.status IN ('submitted', 'expired', 'cancelled', 'stale')) OR
		(OLD.status = 'submitted' AND NEW.status IN ('confirmed', 'failed', 'expired', 'cancelled', 'stale'))
	) THEN
		RAISE EXCEPTION 'illegal signing request status transition';
	END IF;
	RETURN NEW;
END
$$;
