#!/usr/bin/env bash
# lfc-a2-fashion-95-noreg.sh with a ten times higher learning rate in stages 2 + 3 (1e-2): the survivors' latent
# weights are large (|w| ≥ 0.17), so at 1e-3 Adam's steps almost never flip a sign and stage 3 trains little but BN.
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-noreg-lr10 fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 16,4,12 --augment shift --no-threshold-reg --retrain-lr 1e-2 --batch-size 200 --seed 1
