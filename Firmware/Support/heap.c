/* The heap behind Embedded Swift's allocations (swift_slowAlloc calls posix_memalign and free; arrays in the
 * parsed TernFile live here). A first-fit free list over the region [__heap_start, __heap_end) that link.ld sets
 * aside, with neighbours merged on free. It tracks the peak bytes in use so docs/FIRMWARE.md can report it; running
 * out is reported over semihosting and ends the run (exit code 5) rather than returning NULL into Swift, which
 * would trap without saying why.
 *
 * Every block starts with an 8-byte header {size including header, next free block or IN_USE}. Payloads are
 * 8-byte aligned; a larger alignment over-allocates and leaves a forwarding header {0, original payload} just below
 * the aligned pointer. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include "support.h"

extern uint8_t __heap_start[], __heap_end[];

typedef struct block { uint32_t size; struct block *next; } block_t;
#define IN_USE ((block_t *)0x1u)
#define HEADER ((uint32_t)sizeof(block_t))

static block_t *free_list;
static int initialised;
static uint32_t in_use, peak;

static void initialise(void) {
    free_list = (block_t *)__heap_start;
    free_list->size = (uint32_t)(__heap_end - __heap_start) & ~7u;
    free_list->next = 0;
    initialised = 1;
}

static void out_of_memory(size_t size) {
    tern_write("heap exhausted (raise the heap in link.ld)\n");
    (void)size;
    tern_exit(5);
}

void *malloc(size_t size) {
    if (!initialised) initialise();
    uint32_t need = ((uint32_t)size + HEADER + 7u) & ~7u;
    if (need < 16) need = 16;
    for (block_t **link = &free_list; *link; link = &(*link)->next) {
        block_t *b = *link;
        if (b->size < need) continue;
        if (b->size - need >= 16) { /* split: the tail stays free */
            block_t *rest = (block_t *)((uint8_t *)b + need);
            rest->size = b->size - need;
            rest->next = b->next;
            *link = rest;
            b->size = need;
        } else {
            *link = b->next;
        }
        b->next = IN_USE;
        in_use += b->size;
        if (in_use > peak) peak = in_use;
        return b + 1;
    }
    out_of_memory(size);
    return 0;
}

void free(void *pointer) {
    if (!pointer) return;
    block_t *b = (block_t *)pointer - 1;
    if (b->size == 0) b = (block_t *)b->next - 1; /* forwarding header of an over-aligned allocation */
    in_use -= b->size;
    /* Insert by address, then merge with the following and the preceding free block. */
    block_t **link = &free_list;
    while (*link && *link < b) link = &(*link)->next;
    b->next = *link;
    *link = b;
    if (b->next && (uint8_t *)b + b->size == (uint8_t *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (link != &free_list) {
        block_t *prev = (block_t *)((uint8_t *)link - offsetof(block_t, next));
        if ((uint8_t *)prev + prev->size == (uint8_t *)b) {
            prev->size += b->size;
            prev->next = b->next;
        }
    }
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    if (alignment <= 8) { *result = malloc(size); return 0; }
    uint8_t *raw = malloc(size + alignment + HEADER);
    uintptr_t aligned = ((uintptr_t)raw + HEADER + alignment - 1) & ~(uintptr_t)(alignment - 1);
    block_t *forward = (block_t *)aligned - 1; /* at or above raw: aligned >= raw + HEADER */
    forward->size = 0;
    forward->next = (block_t *)raw;
    *result = (void *)aligned;
    return 0;
}

void *calloc(size_t count, size_t size) {
    void *p = malloc(count * size);
    memset(p, 0, count * size);
    return p;
}

void *realloc(void *pointer, size_t size) {
    (void)pointer; (void)size;
    tern_write("realloc is not supported\n");
    tern_exit(5);
}

uint32_t tern_heap_bytes(void) { return (uint32_t)(__heap_end - __heap_start); }
uint32_t tern_heap_peak(void) { return peak; }
uint32_t tern_heap_in_use(void) { return in_use; }
