#!/usr/bin/env bash
# Installs what trustbot's build and tests need, idempotently: forge and solc (npm, pinned by
# contracts/package-lock.json) and the Go modules. Safe to run again; does nothing when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null || { echo "setup: Go is not installed (need Go 1.26)" >&2; exit 1; }
command -v node >/dev/null && command -v npm >/dev/null || { echo "setup: Node.js and npm are not installed (need Node 20+)" >&2; exit 1; }

# npm packages: reinstall only when the lockfile changed since the last install.
stamp=contracts/node_modules/.trustbot-lock
if [ ! -x contracts/node_modules/.bin/forge ] || ! cmp -s contracts/package-lock.json "$stamp"; then
  echo "setup: installing forge, solc and solady from npm"
  # `npm install`, not `npm ci`: @foundry-rs/forge lists optional per-platform packages that are
  # not all published, which `npm ci` rejects; `npm install` follows the lockfile and keeps it as is.
  (cd contracts && npm install --no-audit --no-fund --loglevel=error)
  cp contracts/package-lock.json "$stamp"
fi

# Chromium for the browser tests (Debian's package; the tests drive it with chromedp).
if ! command -v chromium >/dev/null; then
  echo "setup: installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

go mod download
