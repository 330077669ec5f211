#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with ERK pruning (docs/METHOD.md): the 784-input first layer keeps a little more
# than the 1024-input hidden layers. Stage 1 is taken from lfc-a2-fashion-95-slow-distill when that run has saved it
# (the same 40 epochs; the result is the same either way).
source "$(dirname "$0")/common.sh"
stage1_from lfc-a2-fashion-95-slow-distill
train lfc-a2-fashion-95-erk-distill fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --pruning erk --epochs 40,4,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1 "${STAGE1[@]}"
