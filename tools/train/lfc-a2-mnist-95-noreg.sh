#!/usr/bin/env bash
# The regularizer ablation at full budget: lfc-a2-mnist-95.sh with the quantization-threshold regularizer off.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-95-noreg mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
