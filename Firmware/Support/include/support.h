/* The C side of the firmware, as the Swift app sees it (imported as the Clang module `FirmwareSupport`).
 * Everything here is board-independent: semihosting I/O, the blobs linked into flash, the static arena,
 * memory accounting and the instruction-count marker. */
#ifndef TERN_FIRMWARE_SUPPORT_H
#define TERN_FIRMWARE_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Semihosting (ARM "Angel" interface via BKPT 0xAB; QEMU runs it with -semihosting-config enable=on). */
void tern_write(const char *text);                 /* SYS_WRITE0: NUL-terminated text to the host's stdout */
void tern_write_bytes(const uint8_t *bytes, size_t count); /* buffered through SYS_WRITE0, NULs skipped */
void tern_exit(int code) __attribute__((noreturn)); /* SYS_EXIT_EXTENDED: QEMU exits with `code` */

/* Blobs linked into flash by blobs.S (.incbin), read in place. (C arrays of unknown size do not import into Swift,
 * hence the accessors.) */
typedef struct { const uint8_t *start; uint32_t count; } tern_blob;
tern_blob tern_model(void);   /* the .tern artifact */
tern_blob tern_images(void);  /* N images, uint8, HWC, back to back */
tern_blob tern_labels(void);  /* N labels, one byte each */

/* The runtime's arena: a static buffer of exactly the artifact's arenaStreamingBytes (arena.c, sized at build time
 * from the header by the Makefile). */
uint8_t *tern_arena(void);
uint32_t tern_arena_bytes(void);

/* Memory accounting, read at the end of a run and printed for docs/FIRMWARE.md. */
uint32_t tern_stack_bytes(void);      /* stack region size (link.ld) */
uint32_t tern_stack_peak(void);       /* high-water mark of the painted stack, bytes */
uint32_t tern_heap_bytes(void);       /* heap region size (link.ld) */
uint32_t tern_heap_peak(void);        /* most heap bytes ever in use, headers included */
uint32_t tern_heap_in_use(void);      /* heap bytes in use now */
uint32_t tern_static_ram_bytes(void); /* .data + .bss (the arena included) */

/* The board's name, compiled in by the Makefile (-DTERN_BOARD). */
const char *tern_board_name(void);

/* Called before and after each inference; tools/icount records the instruction count whenever it executes. */
void tern_mark(uint32_t id);

#endif
