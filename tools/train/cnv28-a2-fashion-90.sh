#!/usr/bin/env bash
# cnv28 with 2-bit activations on Fashion-MNIST at 90 % sparsity, ±2-pixel shift augmentation, regularizer off (the
# LFC ablation favoured it), on the first 12 000 training images (one full-data cnv28 epoch takes ≈ 15 min on the
# 2-core machine; see docs/RESULTS.md).
source "$(dirname "$0")/common.sh"
train cnv28-a2-fashion-90 fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 3,1,3 --augment shift --no-threshold-reg --batch-size 100 --train-limit 12000 --seed 1
