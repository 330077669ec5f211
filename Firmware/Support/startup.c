/* Reset and fault handling for every board: the vector table, RAM initialisation and the hand-off to the app.
 *
 * The linker script (Boards/<board>/link.ld) provides the symbols used here: where .data's initial values sit in
 * flash and where .data/.bss live in RAM, and the stack region [__stack_limit, __stack_top). Before the app runs,
 * the unused stack is painted with a pattern so that tern_stack_peak() can find the deepest word ever written. */
#include <stdint.h>
#include <string.h>
#include "support.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_limit[], __stack_top[];

int32_t tern_app_main(void); /* the Swift app (App/Main.swift) */

#define STACK_PAINT 0x5AFEC0DEu

void Reset_Handler(void) __attribute__((noreturn));
void HardFault_Handler(void) __attribute__((naked));
void Default_Handler(void) __attribute__((noreturn));

void Reset_Handler(void) {
    memcpy(__data_start, __data_load, (size_t)((char *)__data_end - (char *)__data_start));
    memset(__bss_start, 0, (size_t)((char *)__bss_end - (char *)__bss_start));
    /* Paint from the stack's lowest word up to a little below this frame (which is live). */
    uint32_t *live = (uint32_t *)__builtin_frame_address(0) - 32;
    for (uint32_t *p = __stack_limit; p < live; p++) *p = STACK_PAINT;
    tern_exit(tern_app_main());
}

uint32_t tern_stack_bytes(void) { return (uint32_t)((char *)__stack_top - (char *)__stack_limit); }

uint32_t tern_stack_peak(void) {
    const uint32_t *p = __stack_limit;
    while (p < __stack_top && *p == STACK_PAINT) p++;
    return (uint32_t)((char *)__stack_top - (char *)p);
}

const char *tern_board_name(void) { return TERN_BOARD; }

uint32_t tern_static_ram_bytes(void) { return (uint32_t)((char *)__bss_end - (char *)__data_start); }

/* A fault ends the run with exit code 3 after naming the faulting PC and the LR (the caller), so a failing image never hangs the test. */
void report_fault(const uint32_t *frame) __attribute__((used, noreturn));
void report_fault(const uint32_t *frame) {
    static const char hex[] = "0123456789abcdef";
    char text[] = "HardFault at pc=0x00000000 lr=0x00000000\n";
    uint32_t pc = frame[6], lr = frame[5];
    for (int i = 0; i < 8; i++) {
        text[18 + i] = hex[(pc >> (28 - 4 * i)) & 0xF];
        text[32 + i] = hex[(lr >> (28 - 4 * i)) & 0xF];
    }
    tern_write(text);
    tern_exit(3);
}

void HardFault_Handler(void) {
    /* Pass the stacked exception frame (on MSP or PSP, by EXC_RETURN bit 2) to report_fault. The sequence uses
     * only ARMv6-M instructions so it assembles for the Cortex-M0 too. */
    __asm volatile(
        "movs r0, #4\n"
        "mov r1, lr\n"
        "tst r0, r1\n"
        "beq 1f\n"
        "mrs r0, psp\n"
        "b 2f\n"
        "1: mrs r0, msp\n"
        "2: ldr r1, =report_fault\n"
        "bx r1\n");
}

void Default_Handler(void) {
    tern_write("unexpected interrupt\n");
    tern_exit(4);
}

/* The Cortex-M vector table: initial stack pointer, then the 15 system exceptions. No peripheral interrupt is
 * enabled by the firmware, so the table stops there; an unexpected exception lands in Default_Handler. */
typedef void (*vector_t)(void);
__attribute__((section(".vectors"), used)) static const vector_t vectors[16] = {
    (vector_t)__stack_top,
    Reset_Handler,
    Default_Handler,   /* NMI */
    HardFault_Handler, /* HardFault (and escalated MemManage/BusFault/UsageFault) */
    HardFault_Handler, /* MemManage (M3/M4) */
    HardFault_Handler, /* BusFault */
    HardFault_Handler, /* UsageFault */
    0, 0, 0, 0,        /* reserved */
    Default_Handler,   /* SVCall */
    Default_Handler,   /* DebugMonitor */
    0,                 /* reserved */
    Default_Handler,   /* PendSV */
    Default_Handler,   /* SysTick */
};
