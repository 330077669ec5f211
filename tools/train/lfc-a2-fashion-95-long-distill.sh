#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg-lr10-distill.sh with longer stages: 40 epochs of stage 1 (its test accuracy still rose at
# epoch 16) and 30 of retraining, the budget pointed at the Fashion-MNIST goal (≥ 89.7 % at ≥ 95 % zeros).
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-long-distill fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 40,4,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1
