#!/usr/bin/env node
// Compares a fresh `forge snapshot` with the committed .gas-snapshot: exits 1 when a test's gas
// moved by more than the tolerance (percent), or a test appeared or disappeared.
//   node script/check-snapshot.js COMMITTED FRESH [TOLERANCE_PERCENT]
'use strict';
const fs = require('fs');
const [committedPath, freshPath, tolArg] = process.argv.slice(2);
const tolerance = Number(tolArg ?? 1);
const read = (p) => {
  const m = new Map();
  for (const line of fs.readFileSync(p, 'utf8').split('\n')) {
    const g = /^(.*) \(gas: (\d+)\)$/.exec(line.trim());
    if (g) m.set(g[1], Number(g[2]));
  }
  return m;
};
const want = read(committedPath);
const got = read(freshPath);
const problems = [];
for (const [name, gas] of want) {
  if (!got.has(name)) problems.push(`${name}: in .gas-snapshot but not run`);
  else if (Math.abs(got.get(name) - gas) > (gas * tolerance) / 100)
    problems.push(`${name}: ${got.get(name)} gas, recorded ${gas} (${(((got.get(name) - gas) / gas) * 100).toFixed(2)}%)`);
}
for (const name of got.keys()) if (!want.has(name)) problems.push(`${name}: new test, not in .gas-snapshot`);
if (problems.length) {
  console.error(`gas snapshot differs beyond ${tolerance}% (run make snapshot if intended):\n  ` + problems.join('\n  '));
  process.exit(1);
}
console.log(`gas snapshot: ${want.size} tests within ${tolerance}%`);
