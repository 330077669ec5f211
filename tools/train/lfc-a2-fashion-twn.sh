#!/usr/bin/env bash
# Baseline: dense ternary (TWN, Δ = 0.7·mean|W|), 2-bit activations, on the sparse runs' data, seed and augmentation.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-twn fashion-mnist --arch lfc --activation-bits 2 --recipe twn --epochs 16 --augment shift --batch-size 200 --seed 1
