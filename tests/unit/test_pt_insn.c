/*
 * The page-table write decoder (hypervisor/arch/x86/pv/pt_insn.c): the
 * instructions PV kernels update entries with decode to the right length,
 * size, opcode, register and immediate; anything else, and any byte
 * string a guest could leave at its RIP, is refused without reading past
 * the fetch buffer (ASan watches: the buffer given is exactly
 * PT_INSN_BUF_LEN bytes on the heap).
 */
#include <stdint.h>
#include <string.h>
#include <asm/pt_insn.h>
#include "unit.h"

/* Decodes bytes placed at the start of a heap buffer of exactly PT_INSN_BUF_LEN. */
static bool decode_bytes(const uint8_t *bytes, size_t n, struct pt_insn *in)
{
    uint8_t *buf = calloc(1, PT_INSN_BUF_LEN);
    CU_ASSERT_FATAL(buf != NULL && n <= PT_INSN_BUF_LEN);
    memcpy(buf, bytes, n);
    bool ok = pt_insn_decode(buf, in);
    free(buf);
    return ok;
}

static void test_plain_stores(void)
{
    struct pt_insn in;
    static const uint8_t mov_rax[] = { 0x48, 0x89, 0x07 };            /* mov %rax,(%rdi) */
    CU_ASSERT_TRUE(decode_bytes(mov_rax, sizeof(mov_rax), &in));
    CU_ASSERT_EQUAL(in.len, 3);
    CU_ASSERT_EQUAL(in.size, 8);
    CU_ASSERT_EQUAL(in.op, 0x89);
    CU_ASSERT_EQUAL(in.reg, 0);

    static const uint8_t mov_r9_disp8[] = { 0x4C, 0x89, 0x4F, 0x08 }; /* mov %r9,8(%rdi) */
    CU_ASSERT_TRUE(decode_bytes(mov_r9_disp8, sizeof(mov_r9_disp8), &in));
    CU_ASSERT_EQUAL(in.len, 4);
    CU_ASSERT_EQUAL(in.reg, 9);

    static const uint8_t movl_imm[] = { 0xC7, 0x07, 0x78, 0x56, 0x34, 0x92 };  /* movl $imm,(%rdi) */
    CU_ASSERT_TRUE(decode_bytes(movl_imm, sizeof(movl_imm), &in));
    CU_ASSERT_EQUAL(in.len, 6);
    CU_ASSERT_EQUAL(in.size, 4);
    CU_ASSERT_EQUAL(in.imm, 0xFFFFFFFF92345678ull);   /* sign-extended */

    static const uint8_t movw_imm[] = { 0x66, 0xC7, 0x07, 0x34, 0x12 };
    CU_ASSERT_TRUE(decode_bytes(movw_imm, sizeof(movw_imm), &in));
    CU_ASSERT_EQUAL(in.len, 5);
    CU_ASSERT_EQUAL(in.size, 2);
    CU_ASSERT_EQUAL(in.imm, 0x1234);
}

static void test_locked_and_twobyte(void)
{
    struct pt_insn in;
    static const uint8_t lock_cmpxchg[] = { 0xF0, 0x48, 0x0F, 0xB1, 0x17 };  /* lock cmpxchg %rdx,(%rdi) */
    CU_ASSERT_TRUE(decode_bytes(lock_cmpxchg, sizeof(lock_cmpxchg), &in));
    CU_ASSERT_EQUAL(in.len, 5);
    CU_ASSERT_EQUAL(in.op, 0x0FB1);
    CU_ASSERT_EQUAL(in.reg, 2);

    static const uint8_t bts_imm[] = { 0xF0, 0x48, 0x0F, 0xBA, 0x2F, 0x01 };  /* lock btsq $1,(%rdi) */
    CU_ASSERT_TRUE(decode_bytes(bts_imm, sizeof(bts_imm), &in));
    CU_ASSERT_EQUAL(in.len, 6);
    CU_ASSERT_EQUAL(in.reg & 7, 5);
    CU_ASSERT_EQUAL(in.imm, 1);

    static const uint8_t sib_disp32[] = { 0x48, 0x89, 0x04, 0x25, 0x00, 0x10, 0x00, 0x00 };
    CU_ASSERT_TRUE(decode_bytes(sib_disp32, sizeof(sib_disp32), &in));   /* mov %rax,0x1000 */
    CU_ASSERT_EQUAL(in.len, 8);
}

static void test_refused(void)
{
    struct pt_insn in;
    static const uint8_t reg_operand[] = { 0x48, 0x89, 0xC7 };       /* mov %rax,%rdi */
    CU_ASSERT_FALSE(decode_bytes(reg_operand, sizeof(reg_operand), &in));
    static const uint8_t other_op[] = { 0x48, 0x01, 0x07 };          /* add: not ours */
    CU_ASSERT_FALSE(decode_bytes(other_op, sizeof(other_op), &in));
    static const uint8_t nothing[] = { 0 };
    CU_ASSERT_FALSE(decode_bytes(nothing, 0, &in) && in.op != 0x00);
}

/*
 * A guest can leave any bytes at its RIP (another vCPU rewrites them after
 * the fault): a run of prefixes fills the whole fetch buffer. Before the
 * bound, the prefix loop walked off the end of the buffer.
 */
static void test_prefixes_only(void)
{
    struct pt_insn in;
    static const uint8_t prefixes[] = { 0xF0, 0x66, 0x2E, 0x3E };
    uint8_t buf[PT_INSN_BUF_LEN];
    for (unsigned p = 0; p < sizeof(prefixes); p++) {
        memset(buf, prefixes[p], sizeof(buf));
        CU_ASSERT_FALSE(decode_bytes(buf, sizeof(buf), &in));
    }
    /* 14 prefixes and a mov: 17 bytes, longer than any instruction. */
    memset(buf, 0, sizeof(buf));
    memset(buf, 0x3E, 14);
    buf[14] = 0x89;
    buf[15] = 0x07;
    CU_ASSERT_FALSE(decode_bytes(buf, 16, &in));
    /* 10 prefixes and a mov: 12 bytes, still taken. */
    memset(buf, 0, sizeof(buf));
    memset(buf, 0x3E, 10);
    buf[10] = 0x89;
    buf[11] = 0x07;
    CU_ASSERT_TRUE(decode_bytes(buf, 12, &in));
    CU_ASSERT_EQUAL(in.len, 12);
}

/* Every two-byte start, with any ModRM and the longest tail: never a length past 15. */
static void test_lengths_bounded(void)
{
    struct pt_insn in;
    uint8_t buf[PT_INSN_BUF_LEN];
    for (unsigned a = 0; a < 256; a++)
        for (unsigned b = 0; b < 256; b++) {
            memset(buf, 0xFF, sizeof(buf));
            buf[0] = (uint8_t)a;
            buf[1] = (uint8_t)b;
            buf[2] = 0x84;      /* ModRM with SIB and disp32 */
            if (decode_bytes(buf, sizeof(buf), &in))
                CU_ASSERT_TRUE(in.len <= PT_INSN_MAX_LEN);
        }
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(plain_stores),
        UNIT_CASE(locked_and_twobyte),
        UNIT_CASE(refused),
        UNIT_CASE(prefixes_only),
        UNIT_CASE(lengths_bounded),
    };
    unit_begin();
    UNIT_SUITE("pt_insn", cases);
    return unit_end();
}
