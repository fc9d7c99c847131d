/*
 * Lengths of the instructions an HVM exit can stop at, for a CPU that does
 * not say where the next one starts (SVM without NRIP save, as QEMU's TCG),
 * and the one memory instruction decoded for an emulated access. Pure
 * logic: no guest access, so it is unit-tested on the host.
 */
#ifndef ASM_HVM_INSN_H
#define ASM_HVM_INSN_H

#include <stdbool.h>
#include <stdint.h>

enum hvm_insn {
    HVM_INSN_CPUID,     /* 0f a2 */
    HVM_INSN_HLT,       /* f4 */
    HVM_INSN_VMMCALL,   /* 0f 01 d9 */
    HVM_INSN_RDMSR,     /* 0f 32 */
    HVM_INSN_WRMSR,     /* 0f 30 */
    HVM_INSN_IO,        /* in/out: e4-e7 ib, ec-ef */
};

#define HVM_INSN_MAX 15

/*
 * The length of the instruction in bytes[0..n) (legacy prefixes, and REX
 * in long mode, counted), or 0 if it is not the one expected or does not
 * fit in n bytes or 15.
 */
unsigned hvm_insn_length(const uint8_t *bytes, unsigned n, bool long_mode, enum hvm_insn expected);

/* A 32-bit MOV between a general register and memory (8B /r or 89 /r, REX
 * for r8-r15 in long mode): the local APIC page's accesses. */
struct hvm_mov32 {
    bool load;          /* 8B: memory to register; 89: register to memory */
    unsigned reg;       /* 0-15 in the encoding's order (rax, rcx, rdx, rbx, rsp, ...) */
    unsigned length;
};

/*
 * Decode bytes[0..n) as such a MOV: 0 with *m filled, or -1 for anything
 * else (a prefix, REX.W, a register operand, a fetch cut short).
 */
int hvm_decode_mov32(const uint8_t *bytes, unsigned n, bool long_mode, struct hvm_mov32 *m);

#endif
