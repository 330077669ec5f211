#!/usr/bin/env bash
# CNV (FINN's) with 2-bit activations on CIFAR-10 at 90 % sparsity: the issue-24 reproduction run. Crop + flip
# augmentation; no threshold regularizer (the λq sweep on LFC-MNIST-98 found every λq > 0 costs accuracy,
# docs/RESULTS.md); ERK layer allocation and distillation from its own stage 1, the settings that reached the cnv28
# goal. 30,4,26 epochs: ≈ 60 × 4–5 min ≈ 4–5 h on the 2-core machine (one CNV step ≈ 0.53 CPU-s at batch 100,
# docs/BENCHMARKS.md), so it spans sessions: run the same script again (same RUNS) and it resumes with --resume.
source "$(dirname "$0")/common.sh"
train cnv-a2-cifar10-90 cifar10 --arch cnv --activation-bits 2 --recipe sparse-ternary --sparsity 0.90 --epochs 30,4,26 --augment crop-flip --no-threshold-reg --retrain-lr 1e-2 --distill 0.5 --distill-temperature 4 --pruning erk --batch-size 100 --seed 1
