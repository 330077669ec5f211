#!/usr/bin/env bash
# Baselines at the same small budget (10 000 training images, 5 epochs): dense TWN and float with 2-bit activations, BNN (1-bit weights and activations).
source "$(dirname "$0")/common.sh"
train small-lfc-a2-mnist-twn mnist --arch lfc --activation-bits 2 --recipe twn --epochs 5 --train-limit 10000 --batch-size 200 --seed 1
train small-lfc-a1-mnist-binary mnist --arch lfc --activation-bits 1 --recipe binary --epochs 5 --train-limit 10000 --batch-size 200 --seed 1
train small-lfc-a2-mnist-float mnist --arch lfc --activation-bits 2 --recipe float --epochs 5 --train-limit 10000 --batch-size 200 --seed 1
