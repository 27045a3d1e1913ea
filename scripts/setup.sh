#!/usr/bin/env bash
# Installs what trustbot's build and tests need, idempotently: forge, anvil and solc (npm, pinned by
# contracts/package-lock.json), Debian's chromium, postgresql and nginx, and the Go modules. Safe to
# run again; does nothing when up to date.
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

# Debian packages: Chromium for the browser tests (driven with chromedp), PostgreSQL (initdb, pg_ctl,
# postgres: internal/pgtest starts its own throwaway servers) and nginx (internal/nginxtest runs its
# own in front of the HTTP instances). One apt-get install for whatever is missing.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
if ! { command -v pg_config >/dev/null && [ -x "$(pg_config --bindir)/initdb" ]; } &&
  ! compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null; then
  missing+=(postgresql)
fi
[ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} (Debian packages)"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  # The packages' maintainer scripts would start system services (a PostgreSQL cluster on :5432,
  # nginx on :80); the tests run their own, so invoke-rc.d is told not to start any during the install.
  # An existing policy is put back afterwards.
  policy=/usr/sbin/policy-rc.d saved=/usr/sbin/policy-rc.d.trustbot-saved
  if [ -e "$policy" ]; then $sudo mv "$policy" "$saved"; fi
  trap 'if [ -e "$saved" ]; then $sudo mv "$saved" "$policy"; else $sudo rm -f "$policy"; fi' EXIT
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 755 "$policy"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

go mod download
