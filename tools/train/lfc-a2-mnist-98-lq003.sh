#!/usr/bin/env bash
# λq sweep (docs/RESULTS.md): lfc-a2-mnist-98.sh with the quantization-threshold regularizer at λq = 0.03
# (λq = 0: lfc-a2-mnist-98-noreg.sh; λq = 0.3, the default: lfc-a2-mnist-98.sh). Same seed, schedule and budget.
# Resumable: run it again after a stop and it continues from $RUNS/lfc-a2-mnist-98-lq003.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-98-lq003 mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 16,4,12 --augment shift --lambda-q 0.03 --batch-size 200 --seed 1
