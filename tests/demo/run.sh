#!/usr/bin/env bash
# camswap's whole job on a bundled mock site of 40 devices (mock-devices/sites/demo.toml):
#   build → mock site up → discover → inventory → audit (table, JSON, HTML) → plan (two waves,
#   tests/demo/rollout.toml) → per wave: the technician swaps the wave's cameras for
#   factory-default approved units (the mock's control endpoint), then apply → verify →
#   handoff (CSV, JSON) → a summary of what changed.
#
# Usage: bash tests/demo/run.sh [OUT]      every file lands in OUT (default target/demo)
#
# Environment:
#   CAMSWAP_DEMO_PROFILE=release|debug     which build to use (default release; CI uses debug,
#                                          which its tests have built already)
#   CAMSWAP_DEMO_BIN=DIR                   use camswap and mock-onvif from DIR and build nothing
#                                          (the integration test points it at its own binaries)
#
# Needs cargo and python3 (tests/demo/site.py reads camswap's JSON and drives the mock's
# control endpoint). Everything runs on 127.0.52.x loopback addresses, a block no test uses;
# the mock site is stopped when the script ends, however it ends.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:-$root/target/demo}
mkdir -p "$out"
out=$(cd "$out" && pwd)
demo=$root/tests/demo
site=$root/mock-devices/sites

profile=${CAMSWAP_DEMO_PROFILE:-release}
case $profile in
  release) cargo_profile=(--release) ;;
  debug) cargo_profile=() ;;
  *) echo "CAMSWAP_DEMO_PROFILE must be release or debug, not '$profile'" >&2; exit 2 ;;
esac
if [[ -n ${CAMSWAP_DEMO_BIN:-} ]]; then
  bin=$CAMSWAP_DEMO_BIN
else
  echo "== building camswap and mock-onvif ($profile)"
  (cd "$root" && cargo build --workspace --quiet "${cargo_profile[@]}")
  bin=${CARGO_TARGET_DIR:-$root/target}/$profile
fi
for b in camswap mock-onvif; do
  [[ -x $bin/$b ]] || { echo "no $b in $bin" >&2; exit 2; }
done
# Each command runs as a job the script waits for, so a signal to the script stops it (and,
# through the EXIT trap, the command and the site) at once rather than after the command.
camswap() {
  "$bin/camswap" "$@" &
  wait $!
}

started=$(date +%s%N)
# `== what` with the seconds since the site started.
step() {
  local now
  now=$(date +%s%N)
  printf '== [%5.1f s] %s\n' "$(((now - started) / 1000000))e-3" "$*"
}
# Files from an earlier run would mix with this one (the journal above all).
rm -f "$out"/{fleet.log,devices.json,inventory.json,audit.json,audit.html,plan.json,plan.txt} \
  "$out"/{plan.journal.jsonl,assign.txt,apply-wave-*.json,status.json,verify.json} \
  "$out"/{handoff.csv,handoff.json,plan.handoff.csv,plan.handoff.json,summary.txt}

step "starting the mock site (mock-devices/sites/demo.toml: 40 devices on 127.0.52.1-40)"
"$bin/mock-onvif" fleet --spec "$site/demo.toml" >"$out/fleet.log" 2>&1 &
fleet=$!
# The site and anything still running in the background (the dry-run table, a handoff).
stop_site() {
  local jobs
  jobs=$(jobs -p)
  [[ -z $jobs ]] || kill $jobs 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop_site EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
for _ in $(seq 300); do
  grep -q '^fleet ready' "$out/fleet.log" && break
  kill -0 "$fleet" 2>/dev/null || { cat "$out/fleet.log" >&2; exit 1; }
  sleep 0.1
done
grep '^fleet ready' "$out/fleet.log" || { echo "the mock site did not come up" >&2; exit 1; }
control=127.0.52.254:9100

# The demo site's passwords (mock-devices/sites/demo-credentials.toml names these variables).
export CAMSWAP_DEMO_PASSWORD=camswap-demo
export CAMSWAP_DEMO_NEW_PASSWORD=camswap-demo-new
creds=$site/demo-credentials.toml

step "camswap discover (a unicast sweep of the camera subnet)"
camswap discover --cidr 127.0.52.0/26 --timeout 1 -o "$out/devices.json"

step "camswap inventory"
camswap inventory "$out/devices.json" --credentials "$creds" --no-progress -o "$out/inventory.json"

step "camswap audit (exit 10: covered, white-label, review or unknown devices found)"
audit() {
  local rc=0
  camswap audit "$out/inventory.json" "$@" || rc=$?
  [[ $rc == 0 || $rc == 10 ]] || exit "$rc"
}
audit --format json -o "$out/audit.json"
audit --format html -o "$out/audit.html" -q
echo "the report for the security manager (one self-contained page): $out/audit.html"

step "camswap plan (stock: tests/demo/stock.toml, waves: tests/demo/rollout.toml)"
camswap plan "$out/inventory.json" --catalog builtin:example --stock "$demo/stock.toml" \
  --rollout "$demo/rollout.toml" -o "$out/plan.json"
# The dry run as a table, written while the waves go on.
camswap plan "$out/inventory.json" --catalog builtin:example --stock "$demo/stock.toml" \
  --rollout "$demo/rollout.toml" --format table -o "$out/plan.txt" -q &
dry_run=$!
echo "the dry run, camera by camera and value by value: $out/plan.txt"

# Applies wave N (from 1) of plan.json to the units the technician swapped in, within the
# wave's limits (`apply --wave N`). Writes apply-wave-N.json.
apply_wave() {
  local n=$1 id
  local -a assign=()
  while IFS= read -r id; do
    assign+=(--assign "$(awk -v id="$id=" 'index($0, id) == 1' "$out/assign.txt")")
  done < <(python3 "$demo/site.py" wave "$out/plan.json" "$n")
  camswap apply "$out/plan.json" --wave "$n" --credentials "$creds" "${assign[@]}" \
    --format json -q >"$out/apply-wave-$n.json"
}

mapfile -t waves < <(python3 "$demo/site.py" waves "$out/plan.json")
((${#waves[@]} > 0)) || { echo "plan.json has no wave with a camera to replace" >&2; exit 1; }
for wave in "${waves[@]}"; do
  read -r n name <<<"$wave"
  step "wave $n ($name): the technician swaps its cameras (mock control endpoint POST /swap)"
  python3 "$demo/site.py" swap "$out/plan.json" "$n" "$control" "$out/assign.txt"
  step "wave $n ($name): camswap apply"
  apply_wave "$n"
done

step "camswap status"
camswap status --journal "$out/plan.journal.jsonl" --plan "$out/plan.json" --format json \
  -o "$out/status.json"

step "camswap verify (exit 0: every applied camera reads back as planned)"
camswap verify "$out/plan.json" --credentials "$creds" --format json -o "$out/verify.json"

step "camswap handoff (for the VMS)"
camswap handoff "$out/plan.json" --credentials "$creds" --format csv -o "$out/handoff.csv" -q &
csv=$!
camswap handoff "$out/plan.json" --credentials "$creds" --format json -o "$out/handoff.json"
wait "$csv"
wait "$dry_run"

now=$(date +%s%N)
elapsed=$(printf '%.1f' "$(((now - started) / 1000000))e-3")
echo
step "what changed"
python3 "$demo/site.py" summary "$out" | tee "$out/summary.txt"
echo "time after the build: ${elapsed} s" | tee -a "$out/summary.txt"
echo "files in $out:"
(cd "$out" && ls)
