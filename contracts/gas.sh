#!/usr/bin/env bash
# Measures the trust token's gas against a plain Solady ERC-20 in one isolated forge run
# (every measured call is its own transaction: full-transaction gas, refunds subtracted)
# and prints one line per figure: NAME GAS.
#   ./gas.sh            the figures
#   ./gas.sh --floors   the figures, then each floor with its verdict on stderr; exits 1 if any is missed
set -euo pipefail
cd "$(dirname "$0")"
[ -x node_modules/.bin/forge ] || ../scripts/setup.sh
node_modules/.bin/forge test --isolate --match-contract '^GasTest$' >/dev/null
node - "${1:-}" <<'JS'
const g = JSON.parse(require('fs').readFileSync('snapshots/gas.json', 'utf8'));
const names = ['baseline_transfer_existing', 'baseline_mint_new', 'baseline_mint_existing', 'baseline_burn_all',
  'trust_new_holder', 'reup_existing', 'revoke_all', 'redeem_native_partial', 'redeem_erc20_partial',
  'redeem_deep_1', 'redeem_deep_2', 'redeem_deep_3', 'create_reserve', 'deposit_native', 'deposit_erc20'];
for (const n of names) {
  if (!(n in g)) { console.error('missing figure ' + n); process.exit(2); }
  console.log(n + ' ' + g[n]);
}
if (process.argv[2] !== '--floors') process.exit(0);
const v = (n) => Number(g[n]);
const floors = [
  ['trust_new_holder', v('trust_new_holder'), 1.10 * v('baseline_mint_new'), '1.10 x baseline_mint_new'],
  ['reup_existing', v('reup_existing'), 1.10 * v('baseline_mint_existing'), '1.10 x baseline_mint_existing'],
  ['revoke_all', v('revoke_all'), 1.10 * v('baseline_burn_all'), '1.10 x baseline_burn_all'],
  ['redeem_native_partial', v('redeem_native_partial'), 1.25 * v('baseline_transfer_existing'), '1.25 x baseline_transfer_existing'],
  ['redeem_erc20_partial', v('redeem_erc20_partial'), 50000, '50,000'],
  ['layer 1 (redeem_deep_1 - redeemDeep on the base reserve)', v('redeem_deep_1') - v('redeem_deep_0'), 23000, '23,000'],
  ['layer 2 (redeem_deep_2 - redeem_deep_1)', v('redeem_deep_2') - v('redeem_deep_1'), 23000, '23,000'],
  ['layer 3 (redeem_deep_3 - redeem_deep_2)', v('redeem_deep_3') - v('redeem_deep_2'), 23000, '23,000'],
  ['create_reserve', v('create_reserve'), 150000, '150,000'],
];
let missed = 0;
for (const [what, got, max, rule] of floors) {
  const ok = got <= max;
  if (!ok) missed++;
  console.error(`${ok ? 'ok  ' : 'OVER'} ${what}: ${got} <= ${Math.floor(max)} (${rule})`);
}
process.exit(missed ? 1 : 0);
JS
