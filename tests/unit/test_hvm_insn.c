/*
 * The HVM instruction-length decoder (hypervisor/arch/x86/hvm/insn.c):
 * each instruction an exit can stop at, with and without prefixes, in
 * 32-bit and 64-bit code; other bytes, a truncated fetch and a run of
 * prefixes longer than an instruction may be are refused (0). The bytes
 * sit at the end of a heap buffer of exactly n bytes, so ASan catches a
 * read past what was fetched. And the 32-bit MOV decoder of the APIC
 * page's accesses: loads and stores, REX.R, SIB, disp8/disp32, RIP-relative,
 * and what it refuses.
 */
#include <stdint.h>
#include <string.h>
#include <asm/hvm_insn.h>
#include "unit.h"

static unsigned length(const uint8_t *bytes, unsigned n, bool long_mode, enum hvm_insn want)
{
    uint8_t *buf = malloc(n ? n : 1);
    CU_ASSERT_FATAL(buf != NULL);
    if (n)
        memcpy(buf, bytes, n);
    unsigned len = hvm_insn_length(buf, n, long_mode, want);
    free(buf);
    return len;
}

#define LEN(want, lm, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; \
                              length(b_, sizeof(b_), lm, want); })

static void test_plain(void)
{
    CU_ASSERT_EQUAL(LEN(HVM_INSN_CPUID, true, 0x0F, 0xA2), 2);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_HLT, false, 0xF4), 1);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_VMMCALL, true, 0x0F, 0x01, 0xD9), 3);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_RDMSR, false, 0x0F, 0x32), 2);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_WRMSR, true, 0x0F, 0x30), 2);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, true, 0xE6, 0xE9), 2);      /* out %al, $0xe9 */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, true, 0xEC), 1);            /* in (%dx), %al */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, false, 0xEF), 1);           /* out %eax, (%dx) */
    /* Bytes after the instruction do not count. */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_CPUID, true, 0x0F, 0xA2, 0x90, 0x90), 2);
}

static void test_prefixes(void)
{
    CU_ASSERT_EQUAL(LEN(HVM_INSN_CPUID, true, 0x66, 0x0F, 0xA2), 3);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, true, 0x66, 0xED), 2);      /* in (%dx), %ax */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_RDMSR, true, 0x48, 0x0F, 0x32), 3);   /* REX.W */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_VMMCALL, true, 0x2E, 0x3E, 0x0F, 0x01, 0xD9), 5);
    /* In 32-bit code 0x48 is dec %eax, not a prefix. */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_RDMSR, false, 0x48, 0x0F, 0x32), 0);
}

static void test_refused(void)
{
    CU_ASSERT_EQUAL(LEN(HVM_INSN_CPUID, true, 0x0F, 0x32), 0);         /* rdmsr, not cpuid */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_VMMCALL, true, 0x0F, 0x01, 0xC1), 0); /* vmcall */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_HLT, true, 0x90), 0);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, true, 0xE8, 0x00), 0);
    /* Cut short: the fetch stopped before the instruction's end. */
    CU_ASSERT_EQUAL(LEN(HVM_INSN_VMMCALL, true, 0x0F, 0x01), 0);
    CU_ASSERT_EQUAL(LEN(HVM_INSN_IO, true, 0xE4), 0);
    CU_ASSERT_EQUAL(length(NULL, 0, true, HVM_INSN_HLT), 0);
}

static void test_fifteen_bytes_at_most(void)
{
    uint8_t b[20];
    memset(b, 0x66, sizeof(b));
    b[13] = 0x0F;
    b[14] = 0xA2;                       /* 13 prefixes + 2: 15 bytes, allowed */
    CU_ASSERT_EQUAL(length(b, 15, true, HVM_INSN_CPUID), 15);
    memset(b, 0x66, sizeof(b));
    b[14] = 0x0F;
    b[15] = 0xA2;                       /* 16 bytes: no instruction is that long */
    CU_ASSERT_EQUAL(length(b, 16, true, HVM_INSN_CPUID), 0);
    memset(b, 0x66, sizeof(b));         /* nothing but prefixes */
    CU_ASSERT_EQUAL(length(b, 20, true, HVM_INSN_HLT), 0);
}

static int mov32(const uint8_t *bytes, unsigned n, bool long_mode, struct hvm_mov32 *m)
{
    uint8_t *buf = malloc(n ? n : 1);
    CU_ASSERT_FATAL(buf != NULL);
    if (n)
        memcpy(buf, bytes, n);
    int rc = hvm_decode_mov32(buf, n, long_mode, m);
    free(buf);
    return rc;
}

#define MOV(m, lm, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; \
                           mov32(b_, sizeof(b_), lm, m); })

/* The APIC page's accesses: what Linux's native_apic_mem_read/write compile to and kin. */
static void test_mov32(void)
{
    struct hvm_mov32 m;

    /* mov -0xa03000(%rdi), %eax: load, eax, ModRM + disp32 */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x87, 0x00, 0xD0, 0x5F, 0xFF), 0);
    CU_ASSERT(m.load);
    CU_ASSERT_EQUAL(m.reg, 0);
    CU_ASSERT_EQUAL(m.length, 6);
    /* mov %esi, -0xa03000(%rdi): store from esi */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x89, 0xB7, 0x00, 0xD0, 0x5F, 0xFF), 0);
    CU_ASSERT(!m.load);
    CU_ASSERT_EQUAL(m.reg, 6);
    CU_ASSERT_EQUAL(m.length, 6);
    /* mov %r9d, 0x20(%rax): REX.R, disp8 */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x44, 0x89, 0x48, 0x20), 0);
    CU_ASSERT_EQUAL(m.reg, 9);
    CU_ASSERT_EQUAL(m.length, 4);
    /* mov (%rsp), %ecx: a SIB byte */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x0C, 0x24), 0);
    CU_ASSERT_EQUAL(m.reg, 1);
    CU_ASSERT_EQUAL(m.length, 3);
    /* mov 0xfee00030, %edx: SIB with no base, disp32 */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x14, 0x25, 0x30, 0x00, 0xE0, 0xFE), 0);
    CU_ASSERT_EQUAL(m.length, 7);
    /* mov 0x10(%rip), %eax: RIP-relative */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x05, 0x10, 0x00, 0x00, 0x00), 0);
    CU_ASSERT_EQUAL(m.length, 6);
    /* 32-bit code: 0x40-0x4F are not REX there */
    CU_ASSERT_EQUAL(MOV(&m, false, 0x8B, 0x03), 0);
    CU_ASSERT_EQUAL(m.length, 2);
    CU_ASSERT_EQUAL(MOV(&m, false, 0x44, 0x89, 0x48, 0x20), -1);
    /* Refused: REX.W, a register operand, a prefix, another opcode, cut short. */
    CU_ASSERT_EQUAL(MOV(&m, true, 0x48, 0x8B, 0x07), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x89, 0xC0), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x66, 0x89, 0x07), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8A, 0x07), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x87, 0x00, 0xD0, 0x5F), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B, 0x04), -1);
    CU_ASSERT_EQUAL(MOV(&m, true, 0x8B), -1);
    CU_ASSERT_EQUAL(mov32(NULL, 0, true, &m), -1);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(plain),
        UNIT_CASE(prefixes),
        UNIT_CASE(refused),
        UNIT_CASE(fifteen_bytes_at_most),
        UNIT_CASE(mov32),
    };
    unit_begin();
    UNIT_SUITE("hvm_insn", cases);
    return unit_end();
}
