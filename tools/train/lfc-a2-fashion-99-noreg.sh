#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg.sh at 99 % sparsity.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-99-noreg fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.99 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
