#!/usr/bin/env bash
# Prints where one board image's flash and RAM go: flash split into code (per module, after the linker dropped
# what is never called), the model and the test images; RAM split into static data, the arena, and the measured
# peaks of heap and stack (from a run of the image, which prints them at exit).
# Usage: size-report.sh BOARD BOARD_BUILD_DIR "QEMU COMMAND" TIMEOUT_S
set -euo pipefail
board=$1 out=$2 qemu=$3 limit=$4
elf=$out/tern.elf map=$out/tern.map

sym() { echo $(( 16#$(arm-none-eabi-nm "$elf" | awk -v s="$1" '$3 == s { print $1 }') )); }
model=$(( $(sym tern_model_end) - $(sym tern_model_start) ))
images=$(( $(sym tern_images_end) - $(sym tern_images_start) + $(sym tern_labels_end) - $(sym tern_labels_start) ))
flash=$(sym __flash_used)

# Code per module: input sections of the flash output sections (.text with read-only data, .ARM.exidx, and the
# initial values of .data), summed by the object they came from.
modules=$(awk '
    function hex(x,   i, v) { v = 0; x = tolower(substr(x, 3))
        for (i = 1; i <= length(x); i++) v = v * 16 + index("0123456789abcdef", substr(x, i, 1)) - 1
        return v }
    /^Linker script and memory map/ { on = 1; next }
    !on { next }
    /^\./ { output = $1; next }   # an output section starts in column 0; only flash ones count
    output != ".text" && output != ".blobs" && output != ".ARM.exidx" && output != ".data" { next }
    {
        # An input section is "name addr size object" on one line, or the name alone followed by the rest.
        if (NF == 1 && $1 ~ /^\./) { pending = 1; section = $1; next }
        if (NF == 4 && $1 ~ /^\./) { section = $1; addr = $2; size = $3; obj = $4 }
        else if (pending && NF == 3 && $1 ~ /^0x/) { addr = $1; size = $2; obj = $3 }
        else { pending = 0; next }
        pending = 0
        a = hex(addr); s = hex(size)
        if (s == 0) next
        if (obj ~ /blobs\.o$/) next
        # Embedded Swift specializes generic code in the module that uses it, so runtime code also lands in App.o;
        # the functions of the app itself are those whose mangled name starts with the App module ($e3App).
        # Within the runtime, the module that declares a function follows "$e" in its mangled name; generic stdlib
        # code specialised for runtime types ($es…, $eS…) and compiler-outlined helpers count as "stdlib".
        if (obj ~ /(App|Tern[A-Za-z]*)\.o$/) {
            if (section ~ /\$e3App/) m = "app"
            else {
                m = "runtime"
                if (section ~ /\$e10TernFormat/) part["TernFormat"] += s
                else if (section ~ /\$e11TernInflate/) part["TernInflate"] += s
                else if (section ~ /\$e11TernRuntime/) part["TernRuntime"] += s
                else part["stdlib"] += s
            }
        }
        else if (obj ~ /\.a\(/) m = "libgcc+libc"
        else m = "support-c"
        total[m] += s
    }
    END {
        printf "runtime=%d (TernFormat=%d TernInflate=%d TernRuntime=%d stdlib=%d) app=%d support-c=%d libgcc+libc=%d",
            total["runtime"], part["TernFormat"], part["TernInflate"], part["TernRuntime"], part["stdlib"],
            total["app"], total["support-c"], total["libgcc+libc"]
    }' "$map")

log=$(mktemp)
timeout "$limit" $qemu -kernel "$elf" > "$log" 2>&1 || true
memory=$(grep '^memory ' "$log" || echo "memory (run failed)")
rm -f "$log"

echo "== $board"
echo "flash: total=$flash model=$model images+labels=$images code=$(( flash - model - images ))"
echo "code: $modules"
echo "ram: $memory"
