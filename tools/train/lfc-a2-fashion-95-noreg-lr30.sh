#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg-lr10.sh with a learning rate of 3e-2 in stages 2 + 3.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-noreg-lr30 fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --no-threshold-reg --retrain-lr 3e-2 --batch-size 200 --seed 1
