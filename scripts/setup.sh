#!/usr/bin/env bash
# Installs what trustbot's build and tests need, idempotently: forge, anvil and solc (npm, pinned by
# contracts/package-lock.json) and the Go modules. Safe to run again; does nothing when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null || { echo "setup: Go is not installed (need Go 1.26)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "setup: Node.js and npm are not installed (need Node 20+)" >&2; exit 1; }

# npm packages: reinstall only when the lockfile changed since the last install.
stamp=contracts/node_modules/.trustbot-lock
if [ ! -x contracts/node_modules/.bin/forge ] || [ ! -x contracts/node_modules/.bin/anvil ] ||
  ! cmp -s contracts/package-lock.json "$stamp"; then
  echo "setup: installing forge, anvil, solc and solady from npm"
  # `npm ci`, not `npm install`: it installs exactly what the lockfile says and never rewrites it
  # (`npm install` may, e.g. adding the optional per-platform packages of forge and anvil, which
  # leaves a clean clone dirty), and it fails when package.json and the lockfile disagree. The
  # lockfile lists every platform's package, so it is the same on every platform.
  (cd contracts && npm ci --no-audit --no-fund --loglevel=error)
  cp contracts/package-lock.json "$stamp"
fi
contracts/node_modules/.bin/anvil --version >/dev/null ||
  { echo "setup: contracts/node_modules/.bin/anvil does not run on this machine" >&2; exit 1; }

# Chromium for the browser tests (Debian's package; the tests drive it with chromedp).
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

go mod download
