#!/usr/bin/env bash
# cnv28 with 2-bit activations on all 60,000 Fashion-MNIST training images at 90 % sparsity, shift augmentation,
# regularizer off, 2,1,2 epochs (one full-data cnv28 epoch takes ≈ 10 min on the 2-core machine; docs/RESULTS.md).
source "$(dirname "$0")/common.sh"
train cnv28-a2-fashion-90-full fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 2,1,2 --augment shift --no-threshold-reg --batch-size 100 --seed 1
