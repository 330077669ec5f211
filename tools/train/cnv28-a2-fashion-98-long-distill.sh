#!/usr/bin/env bash
# cnv28-a2-fashion-90-long-distill.sh (7,2,5 epochs, distillation) at 98 % zeros. Its stage 1 is that of the 90 % runs,
# taken from cnv28-a2-fashion-90-long-distill-r24 when that run has saved it (saves ≈ 36 min; same result either way).
source "$(dirname "$0")/common.sh"
stage1_from cnv28-a2-fashion-90-long-distill-r24
train cnv28-a2-fashion-98-long-distill fashion-mnist --arch cnv28 --activation-bits 2 --recipe sparse-ternary --sparsity 0.98 --epochs 7,2,5 --augment shift --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --batch-size 100 --seed 1 "${STAGE1[@]}"
