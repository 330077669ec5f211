/* What the build sizes or embeds: the runtime's one arena and the flash blobs. The arena is a static buffer in .bss. ARENA_BYTES is the artifact's arenaStreamingBytes, read from
 * the .tern header by the Makefile at build time, so the buffer is exactly what the runtime's planner asks for. */
#include <stdint.h>
#include "support.h"

#ifndef ARENA_BYTES
#error "ARENA_BYTES must be defined by the Makefile (the artifact's arenaStreamingBytes)"
#endif

/* At least one word so that the symbol exists for an artifact that declares 0 bytes. */
#define ARENA_ALLOCATED ((ARENA_BYTES) > 0 ? (ARENA_BYTES) : 4)

static __attribute__((aligned(64))) uint8_t arena[ARENA_ALLOCATED];

uint8_t *tern_arena(void) { return arena; }
uint32_t tern_arena_bytes(void) { return ARENA_BYTES; }

/* The blobs of blobs.S, bounded by their start and end symbols. */
extern const uint8_t tern_model_start[], tern_model_end[], tern_images_start[], tern_images_end[],
    tern_labels_start[], tern_labels_end[];

tern_blob tern_model(void) { return (tern_blob){tern_model_start, (uint32_t)(tern_model_end - tern_model_start)}; }
tern_blob tern_images(void) { return (tern_blob){tern_images_start, (uint32_t)(tern_images_end - tern_images_start)}; }
tern_blob tern_labels(void) { return (tern_blob){tern_labels_start, (uint32_t)(tern_labels_end - tern_labels_start)}; }
