#!/usr/bin/env bash
# cnv28 (2-bit activations) on Fashion-MNIST at 90 % sparsity, small budget (3 000 training images, 2 000 test images during training) — all this session's 2 shared cores allowed.
source "$(dirname "$0")/common.sh"
train cnv28-a2-fashion-90-small fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 1,1,2 --train-limit 3000 --test-limit 2000 --seed 1
