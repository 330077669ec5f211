#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with global pruning: one magnitude ranking over the hidden layers instead of the
# same sparsity in each, so the first layer (whose border pixels carry little) can give up more weights than the rest.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-global-distill fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --pruning global --epochs 40,4,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1
