#!/usr/bin/env bash
# CNV (FINN's) with 2-bit activations on CIFAR-10 at 90 % sparsity with crop + flip augmentation: a token run on the
# first 10 000 training images, 1,1,1 epochs (one full CIFAR-10 epoch of CNV takes ≈ 12 min on the 2-core machine).
source "$(dirname "$0")/common.sh"
train cnv-a2-cifar10-90-small cifar10 --arch cnv --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 1,1,1 --augment crop-flip --batch-size 100 --train-limit 10000 --seed 1
