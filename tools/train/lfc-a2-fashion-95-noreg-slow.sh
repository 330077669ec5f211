#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg.sh with a three times longer stage 2 (gradual pruning over 12 epochs instead of 4).
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-noreg-slow fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,12,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
