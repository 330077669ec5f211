#!/usr/bin/env bash
# Baseline: float weights and ReLU (the accuracy ceiling of the architecture; does not compile).
source "$(dirname "$0")/common.sh"
train lfc-fashion-float fashion-mnist --arch lfc --activation-bits 2 --recipe float --epochs 16 --augment shift --batch-size 200 --seed 1
