/*
 * Decoding just far enough to step over an intercepted instruction: its
 * prefixes, then the opcode the exit says it was. Anything else (the guest
 * rewrote the instruction between the exit and this read, or jumped into
 * its middle) is refused, and the caller crashes the domain rather than
 * guess.
 */
#include <asm/hvm_insn.h>

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
        return true;
    default:
        return false;
    }
}

static unsigned opcode_length(const uint8_t *op, unsigned left, enum hvm_insn expected)
{
    switch (expected) {
    case HVM_INSN_CPUID:
        return left >= 2 && op[0] == 0x0F && op[1] == 0xA2 ? 2 : 0;
    case HVM_INSN_RDMSR:
        return left >= 2 && op[0] == 0x0F && op[1] == 0x32 ? 2 : 0;
    case HVM_INSN_WRMSR:
        return left >= 2 && op[0] == 0x0F && op[1] == 0x30 ? 2 : 0;
    case HVM_INSN_VMMCALL:
        return left >= 3 && op[0] == 0x0F && op[1] == 0x01 && op[2] == 0xD9 ? 3 : 0;
    case HVM_INSN_HLT:
        return left >= 1 && op[0] == 0xF4 ? 1 : 0;
    case HVM_INSN_IO:
        if (left >= 2 && op[0] >= 0xE4 && op[0] <= 0xE7)
            return 2;
        return left >= 1 && op[0] >= 0xEC && op[0] <= 0xEF ? 1 : 0;
    }
    return 0;
}

unsigned hvm_insn_length(const uint8_t *bytes, unsigned n, bool long_mode, enum hvm_insn expected)
{
    unsigned i = 0;

    if (n > HVM_INSN_MAX)
        n = HVM_INSN_MAX;
    while (i < n && (is_legacy_prefix(bytes[i]) || (long_mode && (bytes[i] & 0xF0) == 0x40)))
        i++;
    unsigned len = opcode_length(bytes + i, n - i, expected);
    return len ? i + len : 0;
}

int hvm_decode_mov32(const uint8_t *b, unsigned n, bool long_mode, struct hvm_mov32 *m)
{
    unsigned i = 0, rex = 0;

    if (long_mode && i < n && (b[i] & 0xF0) == 0x40)
        rex = b[i++];
    if (rex & 8)
        return -1;                      /* REX.W: a 64-bit access, not the APIC's */
    if (i + 2 > n || (b[i] != 0x8B && b[i] != 0x89))
        return -1;
    m->load = b[i++] == 0x8B;
    uint8_t modrm = b[i++], mod = modrm >> 6, rm = modrm & 7;
    if (mod == 3)
        return -1;                      /* register to register: no memory access */
    m->reg = ((rex & 4) << 1) | ((modrm >> 3) & 7);
    if (rm == 4) {                      /* a SIB byte */
        if (i >= n)
            return -1;
        if (mod == 0 && (b[i] & 7) == 5)
            i += 4;                     /* no base: disp32 */
        i++;
    } else if (mod == 0 && rm == 5) {
        i += 4;                         /* RIP-relative disp32 */
    }
    i += mod == 1 ? 1 : mod == 2 ? 4 : 0;
    if (i > n)
        return -1;
    m->length = i;
    return 0;
}
