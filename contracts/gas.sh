#!/usr/bin/env bash
# Measures the trust token's gas against a plain Solady ERC-20, deployed plainly and as an EIP-1167
# clone (baseline_clone_*), in one isolated forge run with a non-zero coinbase
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
  'baseline_clone_transfer_existing', 'baseline_clone_mint_new', 'baseline_clone_mint_existing', 'baseline_clone_burn_all',
  'baseline_clone_redeem_native_partial', 'baseline_clone_redeem_erc20_partial',
  'trust_new_holder', 'reup_existing', 'revoke_all', 'redeem_native_partial', 'redeem_erc20_partial', 'redeem_deep_native',
  'redeem_deep_0', 'redeem_deep_1', 'redeem_deep_2', 'redeem_deep_3', 'create_reserve', 'deposit_native', 'deposit_erc20'];
for (const n of names) {
  if (!(n in g)) { console.error('missing figure ' + n); process.exit(2); }
  console.log(n + ' ' + g[n]);
}
if (process.argv[2] !== '--floors') process.exit(0);
const v = (n) => Number(g[n]);
// Like against like: the trust token is an EIP-1167 clone, so its figures are held to the same
// Solady ERC-20 deployed as a clone; the absolute ceilings keep today's figures from regressing.
const floors = [
  ['trust_new_holder', v('trust_new_holder'), 1.10 * v('baseline_clone_mint_new'), '1.10 x baseline_clone_mint_new'],
  ['reup_existing', v('reup_existing'), 1.10 * v('baseline_clone_mint_existing'), '1.10 x baseline_clone_mint_existing'],
  ['revoke_all', v('revoke_all'), 1.10 * v('baseline_clone_burn_all'), '1.10 x baseline_clone_burn_all'],
  ['revoke_all', v('revoke_all'), 33500, '33,500'],
  ['redeem_native_partial', v('redeem_native_partial'), 1.10 * v('baseline_clone_redeem_native_partial'), '1.10 x baseline_clone_redeem_native_partial'],
  ['redeem_native_partial', v('redeem_native_partial'), 44500, '44,500'],
  ['redeem_erc20_partial', v('redeem_erc20_partial'), 1.10 * v('baseline_clone_redeem_erc20_partial'), '1.10 x baseline_clone_redeem_erc20_partial'],
  ['redeem_erc20_partial', v('redeem_erc20_partial'), 52800, '52,800'],
  ['redeem_deep_native', v('redeem_deep_native'), v('redeem_native_partial') + 100, 'redeem_native_partial + 100'],
  ['layer 1 (redeem_deep_1 - redeem_deep_0)', v('redeem_deep_1') - v('redeem_deep_0'), 18000, '18,000'],
  ['layer 2 (redeem_deep_2 - redeem_deep_1)', v('redeem_deep_2') - v('redeem_deep_1'), 18000, '18,000'],
  ['layer 3 (redeem_deep_3 - redeem_deep_2)', v('redeem_deep_3') - v('redeem_deep_2'), 18000, '18,000'],
  ['create_reserve', v('create_reserve'), 135000, '135,000'],
];
let missed = 0;
for (const [what, got, max, rule] of floors) {
  const ok = got <= max;
  if (!ok) missed++;
  console.error(`${ok ? 'ok  ' : 'OVER'} ${what}: ${got} <= ${Math.floor(max)} (${rule})`);
}
process.exit(missed ? 1 : 0);
JS
