/* The instruction-count marker. tools/icount is told this function's address (make count passes it from `nm`) and
 * prints the number of guest instructions executed so far each time the function's first instruction runs. The
 * app calls it with an even id before an inference and the next odd id after, so the difference is the count for
 * one inference, including the few instructions of the call itself. noinline keeps it a real call. */
#include <stdint.h>
#include "support.h"

__attribute__((noinline)) void tern_mark(uint32_t id) {
    __asm volatile("" : : "r"(id) : "memory");
}
