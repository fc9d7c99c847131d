/* Instruction decoding for emulated page-table writes (pv/pt_insn.c). */
#ifndef ASM_PT_INSN_H
#define ASM_PT_INSN_H

#include <stdbool.h>
#include <stdint.h>

/* The longest x86 instruction; also the most prefix bytes worth reading. */
#define PT_INSN_MAX_LEN 15
/*
 * The caller's buffer: one instruction fetched into it, zeros after, and
 * room for every field the decoder may read before it checks the length.
 */
#define PT_INSN_BUF_LEN 32

struct pt_insn {
    unsigned len;          /* bytes, all prefixes included */
    unsigned size;         /* operand size: 1, 2, 4 or 8 */
    unsigned op;           /* the opcode (0x0Fxx for two-byte ones) */
    unsigned reg;          /* ModRM reg field with REX.R: register or /digit */
    uint64_t imm;          /* immediate, sign-extended to 64 bits */
};

/*
 * Decodes the instruction at b if it is one of the page-table writes the
 * emulator carries out (mov, xchg, cmpxchg, and/or, bts/btr with a memory
 * destination, with lock, segment, operand-size and REX prefixes): true
 * with *in filled, false for anything else or past PT_INSN_MAX_LEN bytes.
 */
bool pt_insn_decode(const uint8_t b[PT_INSN_BUF_LEN], struct pt_insn *in);

#endif
