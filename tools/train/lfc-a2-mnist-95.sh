#!/usr/bin/env bash
# LFC with 2-bit activations on MNIST at 95 % sparsity.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-95 mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 3,1,3 --batch-size 200 --seed 1
