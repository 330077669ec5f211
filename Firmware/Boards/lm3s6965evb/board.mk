# TI Stellaris LM3S6965 (Cortex-M3, 256 KiB flash, 64 KiB RAM).
#
# Instruction set: Swift has no armv7m-none-none-eabi triple, and armv7em code may use the DSP extension
# (SMLABB, QADD, …) that the Cortex-M3 lacks. So the code is generated for the armv7em triple but with
# -target-cpu cortex-m3, which restricts LLVM to what the M3 implements (full Thumb-2 with SDIV/UDIV, LDREX/STREX;
# no DSP, no FPU). This beats the armv6m fallback (Thumb-1 subset, no divide, no 64-bit multiply) on code size and
# speed, and `make check-isa` confirms no DSP or VFP instruction is in the image.
QEMU_MACHINE  = lm3s6965evb
SWIFT_TARGET  = armv7em-none-none-eabi
SWIFT_CPU     = cortex-m3
GCC_ARCH      = -mcpu=cortex-m3 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 0
SYNTHETIC_WINDOW ?= 13

# The trained LFC-MNIST-98 compiled for size (`--optimize size`, the default: zlib on every section, 2^9 windows):
# this board is where streaming through the inflater is measured (4.76 M instructions per image; the same network
# compiled for speed takes 1.71 M and 16 KiB more flash, which this board also has room for; docs/FIRMWARE.md).
# Without Models/: a synthetic LFC (784-1024-1024-1024-10, 1-bit activations, 98 % zeros, seed 1), zlib window
# 2^SYNTHETIC_WINDOW bytes.
MODEL        ?= $(firstword $(wildcard $(ROOT)/Models/lfc-mnist-98/model-cortex-m3.tern \
                                      $(ROOT)/Models/lfc-mnist-98/model.tern))
SYNTHETIC     = 784,1024,1024,1024,10 0.98 1 $(SYNTHETIC_WINDOW)
