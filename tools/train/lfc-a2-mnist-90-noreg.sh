#!/usr/bin/env bash
# LFC with 2-bit activations on MNIST at 90 % sparsity, shift augmentation, regularizer off.
source "$(dirname "$0")/common.sh"
train lfc-a2-mnist-90-noreg mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
