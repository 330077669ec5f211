#!/usr/bin/env bash
# cnv28 with 2-bit activations on all 60,000 Fashion-MNIST training images at 90 % sparsity, shift augmentation,
# regularizer off, 2,1,2 epochs, stages 2 + 3 at learning rate 1e-2 (the LFC runs showed 1e-3 too small to flip the
# survivors' signs; docs/RESULTS.md). One full-data cnv28 epoch takes ≈ 10 min on the 2-core machine.
source "$(dirname "$0")/common.sh"
train cnv28-a2-fashion-90-full fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 2,1,2 --augment shift --no-threshold-reg --retrain-lr 1e-2 --batch-size 100 --seed 1
