#!/usr/bin/env bash
# LFC with 2-bit activations on Fashion-MNIST at 98 % sparsity, shift augmentation, regularizer off.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-98-noreg fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 16,4,12 --augment shift --no-threshold-reg --batch-size 200 --seed 1
