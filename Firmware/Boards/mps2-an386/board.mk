# Arm MPS2 AN386 (Cortex-M4 with FPU, 4 MiB code memory, 4 MiB RAM).
#
# armv7em is the M4's instruction set (Thumb-2 with the DSP extension). The runtime is integer-only and
# everything is built soft-float, so the FPU is never used and needs no enabling in startup.
QEMU_MACHINE  = mps2-an386
SWIFT_TARGET  = armv7em-none-none-eabi
SWIFT_CPU     = cortex-m4
GCC_ARCH      = -mcpu=cortex-m4 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 0
SYNTHETIC_WINDOW ?= 15

# The trained LFC-MNIST-98 compiled for speed (`tern compile model.tern --optimize speed --target cortex-m4`): every
# section uncompressed, so streaming reads the tokens straight from flash with no inflate (1.71 M instructions per
# image against 4.75 M with zlib; docs/FIRMWARE.md). The board's 4 MiB of flash makes the 16 KiB that zlib saves
# worthless here. Without Models/: a synthetic LFC (784-1024-1024-1024-10, 1-bit activations, 98 % zeros, seed 1),
# zlib window 2^SYNTHETIC_WINDOW bytes.
MODEL        ?= $(firstword $(wildcard $(ROOT)/Models/lfc-mnist-98/model-speed.tern \
                                      $(ROOT)/Models/lfc-mnist-98/model.tern))
SYNTHETIC     = 784,1024,1024,1024,10 0.98 1 $(SYNTHETIC_WINDOW)
