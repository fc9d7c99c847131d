/*
 * The exception table: instructions that may fault on a value a guest
 * chose (a guest memory copy, a selector, a segment base, an iret frame)
 * are listed with a recovery address. A #GP, #SS, #NP or #PF
 * taken in the hypervisor at a listed instruction resumes at its recovery
 * address with the same registers and stack (arch/x86/traps.c); the fault's
 * vector and error code are left in this CPU's struct percpu
 * (fixup_vector, fixup_error) for recoveries that pass the fault on to the
 * guest. Any other fault in the hypervisor stops the machine.
 *
 * Every site is written the same way: the instruction under a label, the
 * recovery code after it (or in .text.fixup), and one EXTABLE line naming
 * both. The linker script gathers the entries between __ex_table_start and
 * __ex_table_end.
 */
#ifndef ASM_EXTABLE_H
#define ASM_EXTABLE_H

#ifdef __ASSEMBLER__

.macro EXTABLE fault, fixup
        .pushsection .ex_table, "a"
        .balign 8
        .quad \fault, \fixup
        .popsection
.endm

#else

#include <stdbool.h>
#include <stdint.h>

/* The same entry from inline assembly: EXTABLE_ASM("1b", "3f"). */
#define EXTABLE_ASM(fault, fixup)                                              \
    ".pushsection .ex_table, \"a\"\n"                                          \
    ".balign 8\n"                                                              \
    ".quad " fault ", " fixup "\n"                                             \
    ".popsection\n"

struct ex_entry {
    uint64_t fault_rip;
    uint64_t fixup_rip;
};

struct cpu_regs;

/* For the trap handler: a listed fault resumes at its recovery (returns true). */
bool extable_apply(struct cpu_regs *regs);

#endif
#endif
