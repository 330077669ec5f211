#!/usr/bin/env bash
# Runs one board image in QEMU and checks its log against the host.
# Usage: run-test.sh "QEMU COMMAND" TIMEOUT_S BOARD_BUILD_DIR MODEL DATA_DIR
set -euo pipefail
qemu=$1 limit=$2 out=$3 model=$4 data=$5
board=$(basename "$out")

set +e
timeout "$limit" $qemu -kernel "$out/tern.elf" > "$out/run.log" 2>&1
status=$?
set -e
fail() { echo "firmware test FAILED on $board: $*"; echo "--- $out/run.log"; cat "$out/run.log"; exit 1; }
[ $status -ne 124 ] || fail "QEMU did not finish within ${limit} s"
[ $status -eq 0 ] || fail "exit code $status"

# The artifact's layer count (u32 at byte 20 of the header) must be what the firmware parsed.
layers=$(od -An -tu4 -j20 -N4 "$model" | tr -d ' ')
grep -q " layers=$layers " "$out/run.log" || fail "expected layers=$layers"
grep -q "^crc ok " "$out/run.log" || fail "no 'crc ok' line"
echo "firmware test passed on $board: $(grep '^model ' "$out/run.log")"
