# BBC micro:bit v1, nRF51822 (Cortex-M0, 256 KiB flash, 16 KiB RAM).
#
# armv6m is the M0's instruction set; it has no atomic instructions, so Support/atomics.c is linked.
QEMU_MACHINE  = microbit
SWIFT_TARGET  = armv6m-none-none-eabi
SWIFT_CPU     = cortex-m0
GCC_ARCH      = -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 1
SYNTHETIC_WINDOW ?= 0

# 16 KiB of RAM cannot hold LFC's streaming arena next to a zlib window, so the micro:bit runs a smaller synthetic
# network (784-256-256-10, 1-bit activations, 98 % zeros, seed 1).
SYNTHETIC     = 784,256,256,10 0.98 1 $(SYNTHETIC_WINDOW)
