#!/usr/bin/env bash
# Builds the seed corpora and runs every fuzz target for a while.
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 10 s, every target)
#
# CAMSWAP_FUZZ_RUNS=N stops a target after N executions if that comes first.
# CAMSWAP_FUZZ_PROFILE=dev builds unoptimised, with debug assertions (about a third of the
# release build's CPU time, far fewer executions per second): what CI's brief run uses; the
# long run keeps the default optimised build.
# Needs the nightly toolchain and cargo-fuzz. Corpora live in tests/fuzz/corpus/<target>
# (not committed): the XML targets start from every real capture in ../shared/captures
# (CAMSWAP_CAPTURES to point elsewhere), the file readers from tests/fuzz/seeds. A crash
# leaves its input in tests/fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
captures="${CAMSWAP_CAPTURES:-$repo/../shared/captures}"
seconds="${1:-10}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(xml envelope responses discovery files)

corpus="$here/corpus"
mkdir -p "$corpus"/{xml,envelope,responses,discovery,files}
for f in "$captures"/*/*.xml; do
  name="$(basename "$(dirname "$f")")-$(basename "$f")"
  case "$(basename "$f")" in
    ProbeMatches*|Hello*|Bye*|Probe*) cp -f "$f" "$corpus/discovery/$name" ;;
  esac
  cp -f "$f" "$corpus/xml/$name"
  cp -f "$f" "$corpus/envelope/$name"
  cp -f "$f" "$corpus/responses/$name"
done
# SADP and DHIP replies (no capture of those: written after the mock's and the tools' formats).
cp -f "$here"/seeds/discovery/* "$corpus/discovery/"
# Inputs that once crashed a target stay in its corpus (seeds/regressions/<target>/).
for t in xml envelope responses discovery files; do
  if [ -d "$here/seeds/regressions/$t" ]; then cp -f "$here/seeds/regressions/$t"/* "$corpus/$t/"; fi
done
# The files target reads its first byte as the reader to use (see fuzz_targets/files.rs).
selector=(policy catalog stock rollout credentials plan)
for i in "${!selector[@]}"; do
  for f in "$here/seeds/${selector[$i]}"/*; do
    { printf "\\x$(printf %02x "$i")"; cat "$f"; } > "$corpus/files/${selector[$i]}-$(basename "$f")"
  done
done

cd "$repo"
profile=()
case "${CAMSWAP_FUZZ_PROFILE:-release}" in
  release) ;;
  dev) profile=(--dev) ;;
  *) echo "CAMSWAP_FUZZ_PROFILE must be release or dev" >&2; exit 2 ;;
esac
cargo +nightly fuzz build "${profile[@]}" --fuzz-dir tests/fuzz
for t in "${targets[@]}"; do
  echo "== fuzz target $t: ${seconds}s"
  # -malloc_limit_mb: no single allocation may exceed 64 MiB; -rss_limit_mb: the process stays
  # under 512 MiB whatever the input (the XML reader's budget is 8x the input plus 256 KiB).
  cargo +nightly fuzz run "${profile[@]}" --fuzz-dir tests/fuzz "$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=512 -malloc_limit_mb=64 -max_len=200000 \
    ${CAMSWAP_FUZZ_RUNS:+-runs="$CAMSWAP_FUZZ_RUNS"} -print_final_stats=1
done
