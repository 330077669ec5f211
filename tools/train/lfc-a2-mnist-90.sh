#!/usr/bin/env bash
# LFC with 2-bit activations on mnist at 90 % sparsity, ±2-pixel shift augmentation.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-90 mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 10,3,8 --augment shift --batch-size 200 --seed 1
