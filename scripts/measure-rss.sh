#!/usr/bin/env bash
# Peak RSS (VmHWM) of the real trustbot binary after the README trip story in the playground.
# Usage: scripts/measure-rss.sh [binary]   (builds ./cmd/trustbot to /tmp/trustbot by default)
# Extra environment (GOGC, GOMEMLIMIT, ...) is passed through to the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-/tmp/trustbot}
[ -n "${1:-}" ] || go build -o "$bin" ./cmd/trustbot
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
story() {
	for m in alice bob carol; do printf '/as %s\n/wallet link\n/approve\n' "$m"; done
	printf '%s\n' '/as alice' '/reserve create' '/approve' '/reserve deposit 300' '/approve' \
		'/trust @bob 100' '/approve' '/trust @carol 100' '/approve' \
		'/as bob' '/redeem 60' '/approve' '/as alice' '/reup @bob' '/approve' \
		'/revoke @carol' '/approve' '/reserve show'
	# stdin stays open, so the process is still alive after the last line: wait for its answer,
	# then a moment more for the watcher's last poll.
	until grep -q '240 tUSD backing, 100 outstanding' "$dir/out" 2>/dev/null; do sleep 0.2; done
	sleep 1
	touch "$dir/story-done"
	sleep 2
}
mkfifo "$dir/in"
DATA_DIR=$dir/data LISTEN_ADDR=127.0.0.1:$(freeport) DEV_RPC_ADDR=127.0.0.1:$(freeport) \
	"$bin" playground <"$dir/in" >"$dir/out" 2>&1 &
pid=$!
story >"$dir/in" &
until [ -e "$dir/story-done" ]; do
	kill -0 "$pid" 2>/dev/null || { cat "$dir/out"; echo "trustbot exited early" >&2; exit 1; }
	sleep 0.2
done
hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
wait "$pid" || true
grep -q '240 tUSD backing, 100 outstanding' "$dir/out" || { cat "$dir/out"; echo "trip story did not finish" >&2; exit 1; }
awk -v h="$hwm" -v r="$rss" -v g="${GOGC:-}" -v l="${GOMEMLIMIT:-}" \
	'BEGIN { printf "VmHWM %.1f MB  VmRSS %.1f MB  (GOGC=%s GOMEMLIMIT=%s)\n", h/1024, r/1024, g, l }'
