/* Counts guest instructions exactly and deterministically: every translated instruction gets an inline
 * "count += 1" (no callback, so the count does not depend on timing or translation-block boundaries).
 *
 * With the argument mark=ADDRESS (a function's address, e.g. from nm), each execution of the instruction at
 * ADDRESS prints "icount mark N C" to stderr: the N-th time it ran and the instructions executed so far, that
 * instruction included. The firmware calls tern_mark() around each inference; differences of C are the
 * instructions of one inference. At exit it prints "icount total C".
 *
 * With the argument profile=on, every instruction below 4 MiB (the boards' code memory) also counts into a
 * counter of its own address, and at exit "icount pc ADDRESS COUNT" is printed for each that ran: a flat,
 * exact profile that Firmware/Host/profile.sh sums per function.
 *
 * Usage: qemu-system-arm … -plugin tools/icount/libicount.so,mark=0x1234[,profile=on] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qemu-plugin-v1.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

static uint64_t executed;      /* incremented inline by generated code; one vCPU on these boards */
static uint64_t mark_address = UINT64_MAX;
static uint64_t marks;
/* profile=on: one counter per halfword address of code memory (Thumb instructions are 2 or 4 bytes). */
#define PROFILE_BYTES (4u << 20)
static uint64_t *per_pc;

static void on_mark(unsigned int vcpu, void *userdata) {
    (void)vcpu; (void)userdata;
    fprintf(stderr, "icount mark %" PRIu64 " %" PRIu64 "\n", marks++, executed);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    for (size_t i = 0; i < qemu_plugin_tb_n_insns(tb); i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &executed, 1);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        if (per_pc && pc < PROFILE_BYTES)
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &per_pc[pc >> 1], 1);
        if (qemu_plugin_insn_vaddr(insn) == mark_address)
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS, NULL);
    }
}

static void on_plugin_exit(qemu_plugin_id_t id, void *userdata) {
    (void)id; (void)userdata;
    fprintf(stderr, "icount total %" PRIu64 "\n", executed);
    if (per_pc) {
        for (uint64_t i = 0; i < PROFILE_BYTES / 2; i++)
            if (per_pc[i]) fprintf(stderr, "icount pc 0x%" PRIx64 " %" PRIu64 "\n", i << 1, per_pc[i]);
    }
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "mark=", 5) == 0) {
            mark_address = strtoull(argv[i] + 5, NULL, 0) & ~(uint64_t)1; /* drop the Thumb bit */
        } else if (strcmp(argv[i], "profile=on") == 0) {
            per_pc = calloc(PROFILE_BYTES / 2, sizeof *per_pc);
            if (!per_pc) { fprintf(stderr, "icount: no memory for the profile\n"); return -1; }
        } else {
            fprintf(stderr, "icount: unknown argument %s (expected mark=ADDRESS or profile=on)\n", argv[i]);
            return -1;
        }
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    qemu_plugin_register_atexit_cb(id, on_plugin_exit, NULL);
    return 0;
}
