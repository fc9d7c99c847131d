/* The register frame every exception and interrupt entry builds on the stack. */
#ifndef ASM_REGS_H
#define ASM_REGS_H

#include <stdint.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error_code;
    /* Pushed by the CPU. */
    uint64_t rip, cs, rflags, rsp, ss;
};

/* pv/entry.S copies frames as 22 quadwords. */
_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "struct cpu_regs layout");
/* pv/entry.S reads these offsets directly. */
_Static_assert(__builtin_offsetof(struct cpu_regs, r11) == 32 &&
               __builtin_offsetof(struct cpu_regs, rcx) == 96 &&
               __builtin_offsetof(struct cpu_regs, rip) == 136 &&
               __builtin_offsetof(struct cpu_regs, cs) == 144 &&
               __builtin_offsetof(struct cpu_regs, rflags) == 152 &&
               __builtin_offsetof(struct cpu_regs, ss) == 168, "frame offsets in pv/entry.S");

/* The general register an instruction encodes as n (0-15: RAX, RCX, ... R15). */
static inline uint64_t *cpu_regs_gpr(struct cpu_regs *r, unsigned n)
{
    uint64_t *regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi,
                           &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
                           &r->r14, &r->r15 };
    return regs[n & 15];
}

#endif
