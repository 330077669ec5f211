#!/usr/bin/env bash
# lfc-a2-mnist-98.sh with the quantization-threshold regularizer off (the full-budget ablation at 95 % favoured it).
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-98-noreg mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
