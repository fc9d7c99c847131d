/*
 * The HVM instruction-length decoder (hypervisor/arch/x86/hvm/insn.c):
 * each instruction an exit can stop at, with and without prefixes, in
 * 32-bit and 64-bit code; other bytes, a truncated fetch and a run of
 * prefixes longer than an instruction may be are refused (0). The bytes
 * sit at the end of a heap buffer of exactly n bytes, so ASan catches a
 * read past what was fetched.
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

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(plain),
        UNIT_CASE(prefixes),
        UNIT_CASE(refused),
        UNIT_CASE(fifteen_bytes_at_most),
    };
    unit_begin();
    UNIT_SUITE("hvm_insn", cases);
    return unit_end();
}
