#!/usr/bin/env bash
# Runs one built variant of the CMSIS-NN peer and reports it:
#   1. instructions per image, with the firmware's own counter (Firmware/Host/count.sh: tools/icount between the
#      tern_mark() calls around each inference, mean over the images);
#   2. the printed logits, identical to the host reference of generate.c (so the count is of a network that
#      really ran, layer by layer, with these weights);
#   3. the instruction set: the Cortex-M4 image must use CMSIS-NN's DSP path (SMLAD), the Cortex-M3 image only
#      instructions an M3 has (Firmware/Host/check-isa.sh);
#   4. flash: arm-none-eabi-size, split into code, weights and biases, images and labels.
# Usage: run-variant.sh "QEMU COMMAND" TIMEOUT_S BUILD_DIR PLUGIN REFERENCE CPU
set -euo pipefail
qemu=$1 limit=$2 out=$3 plugin=$4 reference=$5 cpu=$6
firmware=$(dirname "$0")/../../../Firmware
name=$(basename "$out")
elf=$out/tern.elf

"$firmware/Host/count.sh" "$qemu" "$limit" "$out" "$plugin"

grep -E '^(image|logits-checksum) ' "$out/count.log" > "$out/output.txt" || true
if ! cmp -s "$out/output.txt" "$reference"; then
    echo "$name: FAILED: the logits differ from the host reference ($reference):"
    diff "$out/output.txt" "$reference" | head -10
    exit 1
fi
echo "$name: logits identical to the host reference ($(grep -c '^image ' "$reference") images, $(grep '^logits-checksum' "$reference"))"

case $cpu in
    cortex-m4)
        smlad=$(arm-none-eabi-objdump -d -j .text "$elf" | grep -c $'\tsmlad' || true)
        [ "$smlad" -gt 0 ] || { echo "$name: FAILED: no SMLAD in the image, CMSIS-NN did not take its DSP path"; exit 1; }
        echo "$name: DSP path ($smlad SMLAD instructions in the image)" ;;
    cortex-m3)
        "$firmware/Host/check-isa.sh" cortex-m3 "$elf" | sed "s|^|$name: |" ;;
esac

symbol_size() { # bytes between two symbols (mawk has no strtonum: the shell converts the hex)
    local start end
    start=$(arm-none-eabi-nm "$elf" | awk -v s="$1" '$3 == s { print $1 }')
    end=$(arm-none-eabi-nm "$elf" | awk -v s="$2" '$3 == s { print $1 }')
    echo $(( 16#$end - 16#$start ))
}
weights=$(symbol_size tern_model_start tern_model_end)
images=$(( $(symbol_size tern_images_start tern_images_end) + $(symbol_size tern_labels_start tern_labels_end) ))
read -r text data bss < <(arm-none-eabi-size "$elf" | awk 'NR == 2 { print $1, $2, $3 }')
flash=$(( text + data ))
code=$(arm-none-eabi-size -A "$elf" | awk '$1 == ".text" { print $2 }')
echo "$name: flash $flash bytes (arm-none-eabi-size: text $text data $data bss $bss): code $code," \
     "weights and biases $weights, images and labels $images, other $(( flash - code - weights - images ))"
