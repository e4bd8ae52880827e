#!/usr/bin/env bash
# The package as a user gets it: packs it (`npm pack`, which builds dist/ through `prepare`),
# installs the tarball into a fresh directory from the registry with production dependencies only,
# and runs what it ships: `npx warden --help`, `npx warden sessions` against nothing (exit 1,
# UNREACHABLE) and `npx warden start` until /healthz answers. Also checks no development
# dependency (tsx, typescript) was installed. Not part of `npm test`: the install downloads the
# production dependencies (chdb's ~566 MB native library among them) unless npm's cache has them.
#
#   bash test/infra/pack-install-check.sh        exit 0 when every step worked
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
seconds() { date +%s.%N; }

step "npm pack"
tarball=$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)
ls -l "$work/$tarball"

step "npm install ./$tarball (in a new directory)"
cd "$work"
npm init -y >/dev/null
t0=$(seconds)
npm install --no-audit --no-fund "./$tarball"
printf 'install took %.0f s\n' "$(echo "$(seconds) - $t0" | bc)"
for dev in tsx typescript; do
  if [ -e "node_modules/$dev" ]; then echo "FAIL: development dependency $dev was installed" >&2; exit 1; fi
done

step "npx warden --help"
npx warden --help | head -n 3

step "npx warden sessions (no Warden running)"
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
set +e
out=$(WARDEN_URL="http://127.0.0.1:$port" WARDEN_TOKEN=x npx warden sessions 2>&1)
code=$?
set -e
echo "$out (exit $code)"
if [ "$code" != 1 ] || ! grep -q UNREACHABLE <<<"$out"; then echo "FAIL: expected exit 1 and UNREACHABLE" >&2; exit 1; fi

step "npx warden start"
WARDEN_DATA_DIR="$work/data" WARDEN_HTTP_PORT=0 WARDEN_LOG_LEVEL=warn npx warden start >"$work/start.out" 2>&1 &
server=$!
url=
for _ in $(seq 1 600); do
  url=$(sed -n 's|^  API *\(http://[^ ]*\)/api/v1 .*|\1|p' "$work/start.out")
  [ -n "$url" ] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
cat "$work/start.out"
if [ -z "$url" ]; then echo "FAIL: warden start did not start" >&2; exit 1; fi
node -e "fetch('$url/healthz').then(async (r) => { console.log(r.status, await r.text()); process.exit(r.ok ? 0 : 1); })"
echo
echo "ok: the packed warden installs and runs from its tarball"
