/* ARM semihosting: the debugger (here QEMU with -semihosting-config enable=on,target=native) services a BKPT 0xAB
 * with the operation in r0 and its argument in r1. Only three operations are used: SYS_WRITEC, SYS_WRITE0 and
 * SYS_EXIT_EXTENDED (which, unlike SYS_EXIT on 32-bit ARM, carries an exit code to the host). */
#include <stdint.h>
#include "support.h"

enum { SYS_WRITEC = 0x03, SYS_WRITE0 = 0x04, SYS_EXIT_EXTENDED = 0x20 };
enum { ADP_Stopped_ApplicationExit = 0x20026 };

static uintptr_t semihost(uintptr_t op, const void *arg) {
    register uintptr_t r0 __asm("r0") = op;
    register const void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void tern_write(const char *text) { semihost(SYS_WRITE0, text); }

void tern_write_bytes(const uint8_t *bytes, size_t count) {
    char chunk[65];
    size_t used = 0;
    for (size_t i = 0; i < count; i++) {
        if (bytes[i] == 0) continue;
        chunk[used++] = (char)bytes[i];
        if (used == sizeof chunk - 1) { chunk[used] = 0; semihost(SYS_WRITE0, chunk); used = 0; }
    }
    if (used) { chunk[used] = 0; semihost(SYS_WRITE0, chunk); }
}

void tern_exit(int code) {
    const uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)code};
    semihost(SYS_EXIT_EXTENDED, block);
    for (;;) {} /* not reached under QEMU */
}
