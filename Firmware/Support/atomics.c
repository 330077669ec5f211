/* ARMv6-M (Cortex-M0) has no LDREX/STREX, so LLVM lowers Swift's atomic reference counting to __atomic_*_4 library
 * calls. The firmware is single-threaded and enables no interrupts, so plain loads and stores are atomic enough.
 * Built only for armv6m boards (board.mk: NEEDS_ATOMICS = 1). */
#include <stdbool.h>

unsigned int __atomic_load_4(const volatile void *p, int order) { (void)order; return *(const volatile unsigned int *)p; }

void __atomic_store_4(volatile void *p, unsigned int v, int order) { (void)order; *(volatile unsigned int *)p = v; }

unsigned int __atomic_fetch_add_4(volatile void *p, unsigned int v, int order) {
    (void)order;
    unsigned int old = *(volatile unsigned int *)p;
    *(volatile unsigned int *)p = old + v;
    return old;
}

unsigned int __atomic_fetch_sub_4(volatile void *p, unsigned int v, int order) {
    (void)order;
    unsigned int old = *(volatile unsigned int *)p;
    *(volatile unsigned int *)p = old - v;
    return old;
}

unsigned int __atomic_exchange_4(volatile void *p, unsigned int v, int order) {
    (void)order;
    unsigned int old = *(volatile unsigned int *)p;
    *(volatile unsigned int *)p = v;
    return old;
}

bool __atomic_compare_exchange_4(volatile void *p, void *expected, unsigned int desired, bool weak, int success,
                                 int failure) {
    (void)weak; (void)success; (void)failure;
    unsigned int current = *(volatile unsigned int *)p;
    if (current == *(unsigned int *)expected) { *(volatile unsigned int *)p = desired; return true; }
    *(unsigned int *)expected = current;
    return false;
}
