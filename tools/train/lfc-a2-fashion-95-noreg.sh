#!/usr/bin/env bash
# lfc-a2-fashion-95.sh with the quantization-threshold regularizer off (the recipe that met the MNIST goal).
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-noreg fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
