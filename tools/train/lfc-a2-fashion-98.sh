#!/usr/bin/env bash
# LFC with 2-bit activations on fashion-mnist at 98 % sparsity, ±2-pixel shift augmentation.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-98 fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 10,3,8 --augment shift --batch-size 200 --seed 1
