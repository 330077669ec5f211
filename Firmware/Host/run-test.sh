#!/usr/bin/env bash
# Runs one board image in QEMU and compares what it printed with the host runtime on the same artifact and
# images: every image's label, prediction and logits, the accuracy and the logits checksum must be identical.
# When a `tern` binary is given (the package's build), `tern run` on the same artifact and data set must also report
# the same accuracy, logits checksum and first predictions.
# Usage: run-test.sh "QEMU COMMAND" TIMEOUT_S BOARD_BUILD_DIR FIRMWARE_HOST MODEL DATA_DIR [TERN MNIST_DIR COUNT]
set -euo pipefail
qemu=$1 limit=$2 out=$3 host=$4 model=$5 data=$6 tern=${7:-} mnist=${8:-} count=${9:-}
board=$(basename "$out")

set +e
timeout "$limit" $qemu -kernel "$out/tern.elf" > "$out/run.log" 2>&1
status=$?
set -e
fail() { echo "firmware test FAILED on $board: $*"; echo "--- $out/run.log"; tail -n 30 "$out/run.log"; exit 1; }
[ $status -ne 124 ] || fail "QEMU did not finish within ${limit} s"
[ $status -eq 0 ] || fail "exit code $status"

# The stack was painted at reset; a peak equal to its size means it ran into the heap below it.
read -r peak size < <(sed -n 's/^memory .*stack-peak=\([0-9]*\) stack-size=\([0-9]*\).*/\1 \2/p' "$out/run.log")
[ -n "${peak:-}" ] || fail "no memory line"
[ "$peak" -lt "$size" ] || fail "stack overflow: the whole ${size}-byte stack was used (raise STACK_SIZE in link.ld)"

"$host" reference "$model" "$data/images.bin" "$data/labels.bin" > "$out/expected.log"
grep -E '^(image|accuracy|logits-checksum) ' "$out/run.log" > "$out/actual.log" || true
[ -s "$out/expected.log" ] || fail "the host reference printed nothing"
if ! diff -u "$out/expected.log" "$out/actual.log" > "$out/diff.log"; then
    echo "firmware test FAILED on $board: output differs from the host runtime (- host, + firmware):"
    head -n 20 "$out/diff.log"; exit 1
fi
against="the host runtime"
if [ -n "$tern" ]; then
    "$tern" run "$model" --data "$mnist" --count "$count" --mode stream --batch 1 --json > "$out/tern-run.json" ||
        fail "tern run failed on $model"
    "$host" tern-run "$out/tern-run.json" > "$out/tern-run.log"
    first=$(awk '/^image / && n < 20 { printf " %s", $6; n++ }' "$out/actual.log")
    { grep -E '^(accuracy|logits-checksum) ' "$out/actual.log"; echo "first-predictions$first"; } > "$out/actual-summary.log"
    if ! diff -u "$out/tern-run.log" "$out/actual-summary.log" > "$out/diff-tern-run.log"; then
        echo "firmware test FAILED on $board: output differs from tern run (- tern run, + firmware):"
        cat "$out/diff-tern-run.log"; exit 1
    fi
    against="the host runtime and tern run"
fi
# A board without a trained artifact runs Makefile's synthetic network (random ternary weights): its accuracy is
# chance, and only the bit-exact match with the host means something. Say so, or "accuracy 14/100" reads as a bug.
kind="trained network $(basename "$(dirname "$model")")"
[ "$(basename "$model")" != synthetic.tern ] || kind="synthetic network (random weights: the accuracy is chance; the test is the bit-exact match)"
echo "firmware test passed on $board, $kind: $(grep -c '^image ' "$out/actual.log") images bit-identical to $against," \
     "$(grep '^accuracy' "$out/actual.log"), $(grep '^logits-checksum' "$out/actual.log")"
