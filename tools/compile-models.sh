#!/usr/bin/env bash
# Compiles trained checkpoints into the artifacts committed under Models/<name>/:
#   model.tern      the artifact (tern compile, verified on the whole test split)
#   model-speed.tern  lfc-mnist-98 only: the same network re-encoded --optimize speed for the Cortex-M4 board
#   model.json      the checkpoint's description (model.safetensors too when it is under 2 MiB)
#   sizes.md/.json  tern sizes on the checkpoint; sizes.svg its bar chart
#   MODEL_CARD.md   accuracy, sparsity, sizes, recipe and the commands that made it
#
# Usage: tools/compile-models.sh [NAME[=RUN_DIR] ...]   (default: every model below whose checkpoint exists;
#        NAME=RUN_DIR compiles that model from another run directory, absolute or under $RUNS)
# Environment: RUNS (default /work/runs) holds <run>/model.json + model.safetensors from `tern train`;
#              DATA (default ../shared/datasets) holds the datasets; TARGET (default host).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-/work/runs}
DATA=${DATA:-../shared/datasets}
TARGET=${TARGET:-host}

# name | run directory under $RUNS (the tools/train/<run>.sh that trains it) | dataset directory under $DATA
MODELS=(
    "lfc-mnist-95|lfc-a2-mnist-95-noreg|mnist"
    "lfc-mnist-98|lfc-a2-mnist-98-noreg|mnist"
    "cnv28-fashion-90|cnv28-a2-fashion-90-erk-distill-r18|fashion-mnist"
)

# TERN: a tern binary to use (default: a release build of this checkout).
if [ -z "${TERN:-}" ]; then
    swift build -c release --product tern >/dev/null
    TERN=.build/release/tern
fi

declare -A override=()
want=()
for arg in "$@"; do
    want+=("${arg%%=*}")
    [[ "$arg" == *=* ]] && override["${arg%%=*}"]="${arg#*=}"
done
for entry in "${MODELS[@]}"; do
    IFS='|' read -r name run dataset <<<"$entry"
    if ((${#want[@]})) && [[ ! " ${want[*]} " == *" $name "* ]]; then continue; fi
    run="${override[$name]:-$run}"
    [[ "$run" == /* ]] || run="$RUNS/$run"
    ckpt="$run/model.json"
    if [[ ! -f "$ckpt" ]]; then
        echo "compile-models: $name: no checkpoint at $ckpt, skipped" >&2
        continue
    fi
    out="Models/$name"
    mkdir -p "$out"
    echo "== $name ($ckpt)" >&2
    compile_cmd="tern compile $ckpt -o $out/model.tern --target $TARGET --name $name --verify $DATA/$dataset"
    "$TERN" compile "$ckpt" -o "$out/model.tern" --target "$TARGET" --name "$name" --verify "$DATA/$dataset" \
        --json >"$out/compile.json"
    if [[ $name == lfc-mnist-98 ]]; then
        # The Cortex-M4 board runs it compiled for speed (Firmware/Boards/mps2-an386/board.mk).
        "$TERN" compile "$out/model.tern" -o "$out/model-speed.tern" --optimize speed --target cortex-m4 \
            --verify "$DATA/$dataset" >/dev/null
    fi
    sizes_cmd="tern sizes $ckpt --artifact $out/model.tern --svg $out/sizes.svg"
    "$TERN" sizes "$ckpt" --artifact "$out/model.tern" --svg "$out/sizes.svg" >"$out/sizes.md"
    "$TERN" sizes "$ckpt" --artifact "$out/model.tern" --json >"$out/sizes.json"
    cp "$ckpt" "$out/model.json"
    weights="$run/model.safetensors"
    if [[ -f "$weights" && $(stat -c %s "$weights") -lt 2097152 ]]; then
        cp "$weights" "$out/model.safetensors"
        weights_note="model.safetensors is committed next to model.json."
    else
        rm -f "$out/model.safetensors"
        weights_note="model.safetensors ($(stat -c %s "$weights" 2>/dev/null || echo '?') bytes, float latent weights) is not committed; the train command above regenerates it."
    fi
    # A NOTES.md next to the checkpoint (caveats about the run) is copied into the model card.
    notes=""
    [[ -f "$run/NOTES.md" ]] && notes="$(cat "$run/NOTES.md")"
    NOTES="$notes" NAME="$name" OUT="$out" COMPILE_CMD="$compile_cmd" SIZES_CMD="$sizes_cmd" WEIGHTS_NOTE="$weights_note" \
        python3 - <<'PY'
import json, os
name, out = os.environ["NAME"], os.environ["OUT"]
ckpt = json.load(open(f"{out}/model.json"))
comp = json.load(open(f"{out}/compile.json"))
sizes = json.load(open(f"{out}/sizes.json"))
table = open(f"{out}/sizes.md").read().split("\n", 2)[2]
arch = ckpt["architecture"]
stages = ckpt.get("stages", [])
recipe = ckpt.get("recipe", {})
v = comp.get("verification") or {}
def train_command():
    r = recipe if isinstance(recipe, dict) else {}
    bits = next((l["activation"]["bits"] for l in arch["layers"] if l.get("activation")), 1)
    parts = ["tern train", f"--arch {arch['name']}", f"--activation-bits {bits}",
             f"--data ../shared/datasets/{ckpt['dataset']}", f"--recipe {r.get('method', 'sparse-ternary')}"]
    if "sparsity" in r: parts.append(f"--sparsity {r['sparsity']}")
    if "epochs" in r: parts.append("--epochs " + ",".join(str(e) for e in r["epochs"]))
    parts.append(f"--seed {ckpt.get('seed', 1)}")
    for key, flag in [("lambdaL2", "--lambda-l2"), ("lambdaQ", "--lambda-q"), ("learningRate", "--lr"),
                      ("retrainLearningRate", "--retrain-lr"), ("batchSize", "--batch-size"), ("pruning", "--pruning"),
                      ("schedule", "--schedule"), ("augmentation", "--augment"), ("trainLimit", "--train-limit")]:
        if r.get(key) is not None: parts.append(f"{flag} {r[key]}")
    if isinstance(r.get("optimizer"), dict): parts.append(f"--optimizer {r['optimizer'].get('kind', 'adam')}")
    if r.get("thresholdRegularizer") is False: parts.append("--no-threshold-reg")
    if isinstance(r.get("distillation"), dict):
        parts.append(f"--distill {r['distillation']['weight']} --distill-temperature {r['distillation']['temperature']}")
    parts.append(f"-o runs/{name}")
    return " \\\n    ".join(parts)

lines = [f"# {name}", "",
         f"`{arch['name']}` on `{ckpt['dataset']}`, trained by `tern train` (seed {ckpt.get('seed')}), compiled by "
         f"`tern compile` into [`model.tern`](model.tern) ({comp['fileBytes']:,} bytes).", "",
         "## Accuracy (full test set)", "",
         "| measure | accuracy |", "|---|---:|"]
for s in stages:
    if s.get("testAccuracy") is not None:
        epochs = f"{s['epochs']} epoch" + ("" if s["epochs"] == 1 else "s")
        lines.append(f"| float simulation after {s['name']} ({epochs}) | {100 * s['testAccuracy']:.2f} % |")
if ckpt.get("integerTestAccuracy") is not None:
    lines.append(f"| integer reference (trainer) | {100 * ckpt['integerTestAccuracy']:.2f} % |")
if v:
    lines.append(f"| integer reference on the checkpoint = `model.tern` on the runtime's reference path "
                 f"({v['images']:,} images, 0 mismatched logits) | {100 * v['accuracy']:.2f} % |")
if os.environ.get("NOTES"):
    lines += ["", "**Note on this run.** " + os.environ["NOTES"].strip()]
lines += ["", "## Sparsity", "", "| layer | shape | weights | nonzero | sparsity |", "|---|---|---:|---:|---:|"]
for l in sizes["layers"]:
    lines.append(f"| {l['index']} {l['kind']} | {l['shape']} | {l['weights']:,} | {l['nonzero']:,} | {100 * l['sparsity']:.2f} % |")
total_w = sum(l["weights"] for l in sizes["layers"]); total_nz = sum(l["nonzero"] for l in sizes["layers"])
lines.append(f"| total | | {total_w:,} | {total_nz:,} | {100 * (1 - total_nz / total_w):.2f} % |")
lines += ["", "## The artifact", "",
          f"- weights: {comp['weightBytes']:,} bytes = {comp['weightsOverEntropy']:.3f} × the zero-order entropy bound "
          f"({comp['entropyBoundBytes']:,.1f} bytes)",
          f"- everything else (header, tables, thresholds, affine, padding): {comp['nonWeightBytes']:,} bytes "
          f"({100 * comp['nonWeightBytes'] / comp['weightBytes']:.1f} % of the weights)",
          f"- arena: streaming {comp['arenaStreamingBytes']:,} bytes, resident {comp['arenaResidentBytes']:,} bytes; "
          f"largest zlib window 2^{comp['largestWindowBits']}",
          f"- dead-neuron elimination removed {comp['removedChannels']} hidden channels (bit-exact)", "",
          "| layer | shape as stored | nonzero | weight encoding | bytes | parameters | bytes |",
          "|---|---|---:|---|---:|---|---:|"]
for l in comp["layers"]:
    lines.append(f"| {l['index']} {l['kind']} | {l['shape']} | {l['nonzero']:,} | {l['weightEncoding']} | "
                 f"{l['weightBytes']:,} | {l['parameters']} | {l['parameterBytes']:,} |")
methods = {m["id"]: m for m in sizes["methods"]}
t = sizes["tern"]
lines += ["", "## Goals (docs/COMPRESSION.md)", "",
          "| goal | measured |", "|---|---:|",
          f"| weight sections ≤ 1.0 × Σ n·H0 (stretch ≤ 0.97 ×) | {t['weightsOverEntropy']:.3f} × "
          f"({t['weightsOverStoredEntropy']:.3f} × H0 of the layers as stored) |",
          f"| everything else ≤ 15 % of the weight bytes | {100 * t['nonWeightShare']:.1f} % |",
          f"| `.tern` file ≥ 6 × smaller than binary | {methods['tern_file']['timesSmallerThanBinary']:.2f} × |",
          f"| `.tern` file ≥ 12 × smaller than 2-bit ternary | {methods['tern_file']['timesSmallerThanTernary2']:.2f} × |",
          "", "The goals are stated for LFC at 98 % sparsity; they are listed for every model.", ""]
lines += ["## Sizes: the same weights stored every way", "", "![sizes](sizes.svg)", "", table.strip(), "",
          "## Recipe", "", "```json", json.dumps(recipe, indent=2, sort_keys=True), "```", "",
          "## Commands", "",
          "Train (writes the checkpoint this artifact was compiled from; the recipe above lists every setting):", "",
          "```sh", train_command(), "```", "", "Compile, verify and measure (`tools/compile-models.sh " + name + "` runs these):", "", "```sh",
          os.environ["COMPILE_CMD"], os.environ["SIZES_CMD"], "```", "", os.environ["WEIGHTS_NOTE"], ""]
open(f"{out}/MODEL_CARD.md", "w").write("\n".join(lines))
PY
    echo "compile-models: wrote $out" >&2
done
