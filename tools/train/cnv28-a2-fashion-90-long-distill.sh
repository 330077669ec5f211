#!/usr/bin/env bash
# cnv28-a2-fashion-90-full.sh with longer stages and distillation: 7 epochs of stage 1, 2 of pruning, 5 of retraining
# with the stage-1 network as teacher (β = 0.5, T = 4), the schedule that gave LFC its best Fashion-MNIST result.
# Aimed at the cnv28 goal (≥ 91.5 % at ≥ 90 % zeros); ≈ 5 min per full-data epoch on the AMD 2-core machine.
source "$(dirname "$0")/common.sh"
train cnv28-a2-fashion-90-long-distill fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 7,2,5 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 100 --seed 1
