-- The Discord name a sign-in link's statement names, so an issued link survives a restart.
ALTER TABLE siwe_nonces ADD COLUMN user_name TEXT NOT NULL DEFAULT '';
