/*
 * Decoding the instructions a PV kernel writes page-table entries with
 * (pv/ptwr.c emulates them). Only what the emulator needs: the length,
 * the operand size, the opcode, the ModRM reg field and an immediate.
 * The bytes come from guest memory, so nothing here trusts them: at most
 * PT_INSN_MAX_LEN bytes of prefixes are looked at, and every field is
 * read from the fixed buffer the caller fetched into. No hypervisor
 * dependencies, so the unit tests and a fuzzer compile it as host C.
 */
#include <asm/pt_insn.h>

/* An immediate's size for this opcode, or -1 if the opcode is not ours. */
static int imm_size(unsigned op, unsigned size)
{
    switch (op) {
    case 0x88: case 0x89: case 0x86: case 0x87: case 0x20: case 0x21: case 0x08: case 0x09:
    case 0x0FB0: case 0x0FB1: case 0x0FAB: case 0x0FB3:
        return 0;
    case 0xC6: case 0x80: case 0x83: case 0x0FBA:
        return 1;
    case 0xC7: case 0x81:
        return size == 2 ? 2 : 4;
    default:
        return -1;
    }
}

bool pt_insn_decode(const uint8_t b[PT_INSN_BUF_LEN], struct pt_insn *in)
{
    unsigned i = 0, rex = 0;
    bool opsize = false;

    for (; i < PT_INSN_MAX_LEN; i++) {
        if (b[i] == 0xF0 || b[i] == 0x2E || b[i] == 0x3E)   /* lock, segment hints */
            continue;
        if (b[i] == 0x66) {
            opsize = true;
            continue;
        }
        break;
    }
    if (i >= PT_INSN_MAX_LEN - 1)
        return false;      /* prefixes only: no room for an opcode and operand */
    if ((b[i] & 0xF0) == 0x40)
        rex = b[i++];
    unsigned op = b[i++];
    if (op == 0x0F)
        op = 0x0F00 | b[i++];
    bool byte_op = op == 0x88 || op == 0xC6 || op == 0x86 || op == 0x20 || op == 0x08 ||
                   op == 0x80 || op == 0x0FB0;
    in->size = byte_op ? 1 : (rex & 8) ? 8 : opsize ? 2 : 4;
    int isz = imm_size(op, in->size);
    if (isz < 0 || i > 12)
        return false;
    uint8_t modrm = b[i++];
    unsigned mod = modrm >> 6, rm = modrm & 7;
    if (mod == 3)
        return false;                 /* a register operand: not a memory write */
    in->reg = ((modrm >> 3) & 7) | ((rex & 4) << 1);
    if (rm == 4) {
        uint8_t sib = b[i++];
        if (mod == 0 && (sib & 7) == 5)
            i += 4;
    }
    if (mod == 1)
        i += 1;
    else if (mod == 2 || (mod == 0 && rm == 5))
        i += 4;
    in->imm = 0;
    if (isz == 1)
        in->imm = (uint64_t)(int64_t)(int8_t)b[i];
    else if (isz == 2)
        in->imm = (uint64_t)(int64_t)(int16_t)(b[i] | b[i + 1] << 8);
    else if (isz == 4)
        in->imm = (uint64_t)(int64_t)(int32_t)((uint32_t)b[i] | (uint32_t)b[i + 1] << 8 |
                                               (uint32_t)b[i + 2] << 16 | (uint32_t)b[i + 3] << 24);
    i += (unsigned)isz;
    in->op = op;
    in->len = i;
    return i <= PT_INSN_MAX_LEN;
}

