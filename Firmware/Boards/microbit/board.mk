# BBC micro:bit v1, nRF51822 (Cortex-M0, 256 KiB flash, 16 KiB RAM).
#
# armv6m is the M0's instruction set; it has no atomic instructions, so Support/atomics.c is linked.
QEMU_MACHINE  = microbit
SWIFT_TARGET  = armv6m-none-none-eabi
SWIFT_CPU     = cortex-m0
GCC_ARCH      = -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
NEEDS_ATOMICS = 1
