#!/usr/bin/env bash
# Where a board image's instructions go: runs it under QEMU with tools/icount's per-address profile and sums the
# counts per function (symbols from arm-none-eabi-nm) and per group: inflate (TernInflate), kernels (the layers'
# arithmetic), parameters (thresholds widened per pass), other (setup, I/O, app). The whole run is profiled —
# every image plus the one-time load (CRC checks), which is about one image's worth; divide by the image count
# for per-image figures. Counts are exact and repeatable.
# Usage: profile.sh "QEMU COMMAND" TIMEOUT_S BOARD_BUILD_DIR PLUGIN [TOP]
set -euo pipefail
qemu=$1 limit=$2 out=$3 plugin=$4 top=${5:-15}
board=$(basename "$out")
mark=0x$(arm-none-eabi-nm "$out/tern.elf" | awk '$3 == "tern_mark" { print $1 }')
timeout "$limit" $qemu -kernel "$out/tern.elf" -plugin "$plugin,mark=$mark,profile=on" > "$out/profile.log" 2>&1 ||
    { echo "profile: the run failed on $board"; tail -5 "$out/profile.log"; exit 1; }
arm-none-eabi-nm -n -S --defined-only "$out/tern.elf" > "$out/profile.syms"
python3 - "$out/profile.log" "$out/profile.syms" "$board" "$top" <<'PY'
import bisect, sys
log, syms, board, top = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
starts, names = [], []
for line in open(syms):
    f = line.split()
    if len(f) >= 4 and f[2] in "tTwW":
        starts.append(int(f[0], 16) & ~1); names.append((f[3], int(f[1], 16)))
per_fn, total, images = {}, 0, 0
for line in open(log):
    f = line.split()
    if f[:2] == ["icount", "pc"]:
        pc, n = int(f[2], 16), int(f[3])
        i = bisect.bisect_right(starts, pc) - 1
        name = names[i][0] if i >= 0 and pc < starts[i] + max(names[i][1], 2) else "?"
        per_fn[name] = per_fn.get(name, 0) + n
        total += n
    elif f[:2] == ["icount", "mark"] and int(f[2]) % 2 == 1:
        images += 1
def group(name):
    if "TernInflate" in name or "Adler" in name: return "inflate"
    if "loadParameters" in name: return "parameters"
    if any(k in name for k in ("FusedTokenKernel", "SparseKernel", "RowDecoder", "PoolKernel", "runWeightLayer",
                               "LayerContext", "Engine", "SectionReader")): return "kernels"
    if name.startswith(("memcpy", "memmove", "memset", "__aeabi")): return "libc"
    return "other"
groups = {}
for name, n in per_fn.items(): groups[group(name)] = groups.get(group(name), 0) + n
per = max(images, 1)
print(f"{board}: {total} instructions in the whole run, {images} images: {total / per:,.0f} per image (load included)")
for g, n in sorted(groups.items(), key=lambda kv: -kv[1]):
    print(f"  {g:<11} {n / per:>12,.0f} per image  {100 * n / total:5.1f} %")
print(f"  top {top} functions (per image):")
for name, n in sorted(per_fn.items(), key=lambda kv: -kv[1])[:top]:
    print(f"    {n / per:>12,.0f}  {100 * n / total:5.1f} %  {name[:110]}")
PY
