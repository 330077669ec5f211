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

# Until a trained artifact is committed: a synthetic LFC (784-1024-1024-1024-10, 1-bit activations, 98 % zeros),
# seed 1, zlib window 2^WINDOW bytes.
SYNTHETIC     = 784,1024,1024,1024,10 0.98 1 $(SYNTHETIC_WINDOW)
