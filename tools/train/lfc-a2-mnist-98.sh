#!/usr/bin/env bash
# LFC with 2-bit activations on MNIST at 98 % sparsity.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-98 mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 3,1,3 --batch-size 200 --seed 1
