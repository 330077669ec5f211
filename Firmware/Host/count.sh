#!/usr/bin/env bash
# Counts the instructions of each inference of one board image with tools/icount. The app calls tern_mark()
# before and after each inference (marks 2k and 2k+1); the plugin prints the running instruction count at each
# call, so mark 2k+1 minus mark 2k is inference k. Prints every count and their mean; the counts are exact and
# identical from run to run (TCG executes the same guest instructions whatever the host load).
# Usage: count.sh "QEMU COMMAND" TIMEOUT_S BOARD_BUILD_DIR PLUGIN
set -euo pipefail
qemu=$1 limit=$2 out=$3 plugin=$4
board=$(basename "$out")
mark=0x$(arm-none-eabi-nm "$out/tern.elf" | awk '$3 == "tern_mark" { print $1 }')
[ "$mark" != 0x ] || { echo "count: no tern_mark in $out/tern.elf"; exit 1; }

timeout "$limit" $qemu -kernel "$out/tern.elf" -plugin "$plugin,mark=$mark" > "$out/count.log" 2>&1 ||
    { echo "count: the run failed on $board"; cat "$out/count.log"; exit 1; }
grep '^icount mark ' "$out/count.log" | awk -v board="$board" '
    $3 % 2 == 0 { start = $4; next }
    { n = $4 - start; counts = counts " " n; sum += n; k++ }
    END {
        if (k == 0) { print "count: no marked region in the log"; exit 1 }
        printf "%s: instructions per marked region (%d): %s\n", board, k, counts
        printf "%s: mean %.0f instructions\n", board, sum / k
    }'
grep '^icount total ' "$out/count.log" | sed "s/^icount total/$board: whole run/"
