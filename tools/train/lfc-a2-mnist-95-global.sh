#!/usr/bin/env bash
# LFC with 2-bit activations on MNIST at 95 % sparsity, ±2-pixel shift augmentation, one global magnitude ranking
# (the layers' shares of the zeros follow their weights, not a fixed per-layer split).
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-95-global mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --pruning global --batch-size 200 --seed 1
