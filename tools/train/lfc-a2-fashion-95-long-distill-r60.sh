#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with twice the retraining (60 stage-3 epochs): that run's test accuracy was still
# rising when its 30 retraining epochs ended. Stage 1 is epoch for epoch the same (same seed and stage-1 schedule).
source "$(dirname "$0")/common.sh"
train lfc-a2-fashion-95-long-distill-r60 fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 40,4,60 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 200 --seed 1
