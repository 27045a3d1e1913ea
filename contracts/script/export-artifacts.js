#!/usr/bin/env node
// Copies the ABI and creation bytecode of the contracts the bot deploys and calls from forge's
// out/ into artifacts/, the committed input of `go generate ./chain/bindings`, and those of the
// test tokens that behave like real-world ones (test/mocks/RealWorldTokens.sol) into
// artifacts/mocks/, which the Go tests deploy.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
// [source file, contract, directory under artifacts/]
const contracts = [
  ['TrustReserve.sol', 'TrustReserve', ''],
  ['TrustReserveFactory.sol', 'TrustReserveFactory', ''],
  ['TestUSD.sol', 'TestUSD', ''],
  ['RealWorldTokens.sol', 'BlacklistToken', 'mocks'],
  ['RealWorldTokens.sol', 'Eip1967Proxy', 'mocks'],
  ['RealWorldTokens.sol', 'NoReturnToken', 'mocks'],
  ['RealWorldTokens.sol', 'FeeUSD', 'mocks'],
];
const check = process.argv.includes('--check');
let stale = [];
for (const [source, name, dir] of contracts) {
  const built = JSON.parse(fs.readFileSync(path.join(root, 'out', source, name + '.json'), 'utf8'));
  const files = {
    [name + '.abi']: JSON.stringify(built.abi, null, 1) + '\n',
    [name + '.bin']: built.bytecode.object.replace(/^0x/, '') + '\n',
  };
  for (const [file, content] of Object.entries(files)) {
    const dest = path.join(root, 'artifacts', dir, file);
    const shown = path.join(dir, file);
    if (check) {
      if (!fs.existsSync(dest) || fs.readFileSync(dest, 'utf8') !== content) stale.push(shown);
    } else {
      fs.mkdirSync(path.dirname(dest), {recursive: true});
      fs.writeFileSync(dest, content);
    }
  }
}
if (stale.length) {
  console.error('artifacts/ differs from a fresh build: ' + stale.join(', ') + ' (run make artifacts and commit)');
  process.exit(1);
}
