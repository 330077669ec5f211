#!/usr/bin/env bash
# Reports whether the Cortex-M3 image of a network fits the lm3s6965evb (256 KiB flash, 64 KiB RAM), from the log
# of linking it with Firmware/Boards/lm3s6965evb/link.ld (the Makefile's FIT rule). A dense int8 LFC does not:
# ld reports how far the flash overflows. Any other link failure is an error.
# Usage: fit-check.sh LINK_LOG NAME
set -euo pipefail
log=$1 name=$2
if grep -q '^link exit 0$' "$log"; then
    echo "$name-cortex-m3: fits the lm3s6965evb (256 KiB flash, 64 KiB RAM)"
elif over=$(grep -o "region \`FLASH' overflowed by [0-9]* bytes" "$log" | grep -o '[0-9]*'); then
    echo "$name-cortex-m3: does not fit the lm3s6965evb: its 262144 bytes of flash overflow by $over bytes" \
         "(ld: region FLASH overflowed; the image needs $(( 262144 + over )) bytes)"
else
    echo "$name-cortex-m3: the lm3s6965evb link failed for another reason:"; cat "$log"; exit 1
fi
