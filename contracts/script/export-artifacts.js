#!/usr/bin/env node
// Copies the ABI and creation bytecode of the contracts the bot deploys and calls from forge's
// out/ into artifacts/, the committed input of `go generate ./chain/bindings`.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const contracts = ['TrustReserve', 'TrustReserveFactory', 'TestUSD'];
const check = process.argv.includes('--check');
let stale = [];
for (const name of contracts) {
  const built = JSON.parse(fs.readFileSync(path.join(root, 'out', name + '.sol', name + '.json'), 'utf8'));
  const files = {
    [name + '.abi']: JSON.stringify(built.abi, null, 1) + '\n',
    [name + '.bin']: built.bytecode.object.replace(/^0x/, '') + '\n',
  };
  for (const [file, content] of Object.entries(files)) {
    const dest = path.join(root, 'artifacts', file);
    if (check) {
      if (!fs.existsSync(dest) || fs.readFileSync(dest, 'utf8') !== content) stale.push(file);
    } else {
      fs.writeFileSync(dest, content);
    }
  }
}
if (stale.length) {
  console.error('artifacts/ differs from a fresh build: ' + stale.join(', ') + ' (run make artifacts and commit)');
  process.exit(1);
}
