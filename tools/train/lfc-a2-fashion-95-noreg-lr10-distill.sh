#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg-lr10.sh plus distillation from stage 1's network in stages 2 + 3 (β = 0.5, T = 4).
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-noreg-lr10-distill fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1
