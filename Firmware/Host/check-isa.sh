#!/usr/bin/env bash
# Proves an image holds only instructions its core implements, by disassembling its code (.text; the blobs live
# in their own section). No board has its FPU enabled, so no VFP instruction may appear anywhere; the Cortex-M3
# lacks the DSP extension of ARMv7E-M; the Cortex-M0 implements ARMv6-M, whose only 32-bit instructions are
# BL, MRS, MSR, DMB, DSB and ISB. QEMU would fault on the rest, but only on the paths a test happens to run.
# Usage: check-isa.sh CPU ELF
set -euo pipefail
cpu=$1 elf=$2

# "addr: hex [hex] <tab> mnemonic operands" -> "width mnemonic" (width 2 or 4 bytes), code only.
listing=$(arm-none-eabi-objdump -d -j .text "$elf" | awk -F'\t' '
    /^ *[0-9a-f]+:\t/ && NF >= 3 {
        split($2, h, " "); width = 0; for (i in h) width += length(h[i]) / 2
        split($3, m, " "); print width, m[1]
    }' | grep -v ' \.\(word\|short\|byte\)$' || true)

vfp=$(echo "$listing" | awk '$2 ~ /^v/' | sort -u -k2 | head -5)
case $cpu in
    cortex-m3)
        bad=$(echo "$listing" | awk '$2 ~ /^(smla([bt][bt]|dx?|w[bt])|smlal([bt][bt]|dx?)|smlsl?dx?|umaal|smmul|smmla|smmls|smuad|smusd|smul[bwt]|q(add|sub|asx|sax|dadd|dsub)|[su][hq]?(add|sub|asx|sax)(8|16)|sel|pkh|[su]sat16|[su]xta[bh]|[su]xt[ab]?b16|usada?8)/' | sort -u -k2 | head -5) ;;
    cortex-m0)
        bad=$(echo "$listing" | awk '$1 == 4 && $2 !~ /^(bl|mrs|msr|dmb|dsb|isb)$/' | sort -u -k2 | head -5) ;;
    *) bad= ;;
esac
if [ -n "$vfp$bad" ]; then
    echo "check-isa FAILED for $elf ($cpu): instructions the core lacks:"; echo "$vfp$bad"; exit 1
fi
echo "check-isa: $elf holds only $cpu instructions ($(echo "$listing" | wc -l) instructions checked)"
