#!/usr/bin/env bash
# LFC with 2-bit activations on MNIST at 95 % sparsity, ±2-pixel shift augmentation.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-95 mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --batch-size 200 --seed 1
