-- 0006: the names a signing page shows, made by the command with the request: labels of the
-- addresses its calls touch ({"0x…": "@bob"}) and, per call, the token its amounts count
-- ([{"address": "0x…", "symbol": "tUSD", "decimals": 6}]). A request made before has no row and
-- is shown with raw addresses and amounts.
CREATE TABLE signing_request_names (
	request_id TEXT PRIMARY KEY REFERENCES signing_requests (id) ON DELETE CASCADE,
	labels     TEXT NOT NULL DEFAULT '{}' CHECK (trustbot_json_type(labels) = 'object'),
	units      TEXT NOT NULL DEFAULT '[]' CHECK (trustbot_json_type(units) = 'array')
);
