#!/usr/bin/env bash
# Quick LFC (1-bit activations) on MNIST at 95 % sparsity: the first checkpoint for the compiler.
source "$(dirname "$0")/common.sh"
train lfc-mnist-95 mnist --arch lfc --recipe sparse-ternary --sparsity 0.95 --epochs 2,1,2 --seed 1
