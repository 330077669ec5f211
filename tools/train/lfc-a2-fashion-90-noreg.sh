#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg.sh at 90 % sparsity.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-90-noreg fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
