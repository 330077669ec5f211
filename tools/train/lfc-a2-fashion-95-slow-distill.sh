#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with gradual pruning over 16 stage-2 epochs instead of 4. The earlier slow-pruning
# test (lfc-a2-fashion-95-noreg-slow) ran at retrain lr 1e-3, where the survivors hardly change their ternary values and
# so cannot take over from the weights being pruned; here they retrain at 1e-2 while the mask grows.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-slow-distill fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 40,16,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1
