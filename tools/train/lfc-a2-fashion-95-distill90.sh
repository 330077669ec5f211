#!/usr/bin/env bash
# lfc-a2-fashion-95-long-distill.sh with the teacher term's share raised from β = 0.5 to 0.9: the labels are what the
# pruned network fits worst, the teacher's softened outputs carry more per image. Stage 1 from
# lfc-a2-fashion-95-slow-distill when that run has saved it (same 40 epochs; same result either way).
source "$(dirname "$0")/common.sh"
stage1_from lfc-a2-fashion-95-slow-distill
train lfc-a2-fashion-95-distill90 fashion-mnist --arch lfc --activation-bits 2 --recipe sparse-ternary --sparsity 0.95 --epochs 40,4,30 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.9 --distill-temperature 4 --batch-size 200 --seed 1 "${STAGE1[@]}"
