#!/usr/bin/env bash
# camswap's main job against a bundled mock site, end to end:
#   mock site up → discover → inventory → audit → plan (the dry run)
# Usage: bash tests/demo/run.sh [OUTPUT_DIR]   (default target/demo)
# Needs only cargo; everything runs on 127.0.5.x loopback addresses.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
out=${1:-target/demo}
mkdir -p "$out"

echo "== building camswap and mock-onvif"
cargo build --workspace --quiet
bin=target/debug

echo "== starting the mock site (mock-devices/sites/demo.toml)"
"$bin/mock-onvif" fleet --spec mock-devices/sites/demo.toml >"$out/fleet.log" 2>&1 &
fleet=$!
trap 'kill "$fleet" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q '^fleet ready' "$out/fleet.log" && break
  kill -0 "$fleet" 2>/dev/null || { cat "$out/fleet.log"; exit 1; }
  sleep 0.1
done
grep '^fleet ready' "$out/fleet.log" || { echo "the mock site did not come up"; exit 1; }

export CAMSWAP_DEMO_PASSWORD=camswap-demo
export CAMSWAP_DEMO_NEW_PASSWORD=camswap-demo-new

echo "== camswap discover (unicast sweep of the site subnet)"
"$bin/camswap" discover --cidr 127.0.5.0/27 --timeout 1 -o "$out/devices.json"
"$bin/camswap" discover --cidr 127.0.5.0/27 --timeout 1 --format table

echo "== camswap inventory"
"$bin/camswap" inventory "$out/devices.json" --credentials mock-devices/sites/demo-credentials.toml \
  --no-progress -o "$out/inventory.json"
"$bin/camswap" inventory "$out/devices.json" --credentials mock-devices/sites/demo-credentials.toml \
  --no-progress --format table

echo "== camswap audit (exit 10 means: covered, white-label, review or unknown devices found)"
set +e
"$bin/camswap" audit "$out/inventory.json" --format table
"$bin/camswap" audit "$out/inventory.json" --format html -o "$out/audit.html"
set -e

echo "== camswap plan (the dry run; plan.json is what apply will execute)"
"$bin/camswap" plan "$out/inventory.json" --catalog builtin:example -o "$out/plan.json"
"$bin/camswap" plan "$out/inventory.json" --catalog builtin:example --format table

echo
echo "Files in $out: devices.json inventory.json audit.html plan.json"
