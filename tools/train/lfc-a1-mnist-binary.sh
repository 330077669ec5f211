#!/usr/bin/env bash
# Baseline: BNN (1-bit weights and sign activations, FINN's LFC) on the sparse runs' data, seed and augmentation.
source "$(dirname "$0")/common.sh"
train lfc-a1-mnist-binary mnist --arch lfc --activation-bits 1 --recipe binary --epochs 16 --augment shift --batch-size 200 --seed 1
