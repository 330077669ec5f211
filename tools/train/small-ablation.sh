#!/usr/bin/env bash
# Regularizer ablation at a small budget (10 000 training images, 2,1,2 epochs): LFC a2 on MNIST at 95 %, with and without the quantization-threshold regularizer.
source "$(dirname "$0")/common.sh"
train small-lfc-a2-mnist-95-reg-on mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 2,1,2 --train-limit 10000 --batch-size 200 --seed 1
train small-lfc-a2-mnist-95-reg-off mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 2,1,2 --train-limit 10000 --batch-size 200 --seed 1 --no-threshold-reg
