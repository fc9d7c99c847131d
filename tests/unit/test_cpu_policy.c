/*
 * common/cpu_policy.c: Xen 4.17's serialised CPU policy from a fake CPUID
 * view (the order, the subleaves of leaves 4, 7, 0xB and 0xD, the limits
 * of its arrays, -ENOBUFS), the featureset words, and set_cpu_policy's
 * checks (ranges, MSRs, the audit against the maximum, what err names).
 */
#include <stdint.h>
#include <string.h>
#include <tessera/cpu_policy.h>
#include <tessera/errno.h>
#include "unit.h"

#define NONE XEN_CPUID_NO_SUBLEAF

/* A CPU: basic leaves up to basic_max, leaf 4 with two caches, leaf 7
 * with feat_max subleaves, 0xB with one level, XCR0 = x87|SSE|AVX (bits
 * 0-2) | bit 9, extended leaves up to extd_max. Each answer names its
 * leaf and subleaf so a test can tell them apart. */
struct fake {
    struct cpu_policy_view view;
    uint32_t basic_max, feat_max, extd_max;
    uint64_t xcr0;
};

static void fake_cpuid(const struct cpu_policy_view *v, uint32_t leaf, uint32_t subleaf,
                       struct cpu_policy_regs *out)
{
    const struct fake *f = (const struct fake *)v;
    *out = (struct cpu_policy_regs){ leaf, subleaf, leaf ^ 0xffff, subleaf + 1 };
    switch (leaf) {
    case 0:
        out->a = f->basic_max;
        break;
    case 4:
        out->a = subleaf < 2 ? (subleaf + 1) : 0;       /* type 0 from subleaf 2 */
        break;
    case 7:
        if (subleaf == 0)
            out->a = f->feat_max;
        break;
    case 0xB:
        out->c = subleaf < 1 ? (1u << 8) | subleaf : subleaf;  /* type 0 from subleaf 1 */
        break;
    case 0xD:
        if (subleaf == 0) {
            out->a = (uint32_t)f->xcr0;
            out->d = (uint32_t)(f->xcr0 >> 32);
        } else if (subleaf == 1) {
            out->c = 0;
            out->d = 0;
        }
        break;
    case 0x80000000:
        out->a = f->extd_max;
        break;
    default:
        break;
    }
}

static struct fake cpu(uint32_t basic_max, uint32_t feat_max, uint32_t extd_max)
{
    return (struct fake){ .view = { .cpuid = fake_cpuid, .platform_info = 0, .arch_caps = 0x1234567800abcdefull },
                          .basic_max = basic_max, .feat_max = feat_max, .extd_max = extd_max,
                          .xcr0 = 0x207 };
}

static xen_cpuid_leaf_t buf[CPU_POLICY_MAX_LEAVES + 8];

static int index_of(uint32_t n, uint32_t leaf, uint32_t subleaf)
{
    for (uint32_t i = 0; i < n; i++)
        if (buf[i].leaf == leaf && buf[i].subleaf == subleaf)
            return (int)i;
    return -1;
}

static void test_max_leaves_is_xens(void)
{
    CU_ASSERT_EQUAL(CPU_POLICY_MAX_LEAVES, 120);
}

static void test_serialise_order_and_subleaves(void)
{
    struct fake f = cpu(0xD, 1, 0x80000008);
    uint32_t n = 0;
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, CPU_POLICY_MAX_LEAVES, &n), 0);
    /* Basic: 0-3 (4), leaf 4 subleaves 0-2 (3), 5-6 (2), 7 subleaves 0-1 (2),
     * 8-0xA (3), 0xB subleaves 0-1 (2), 0xC (1), 0xD subleaves 0-9 (10);
     * then two hypervisor leaves and 9 extended ones. */
    CU_ASSERT_EQUAL(n, 4 + 3 + 2 + 2 + 3 + 2 + 1 + 10 + 2 + 9);
    CU_ASSERT_EQUAL(buf[0].leaf, 0);
    CU_ASSERT_EQUAL(buf[0].subleaf, NONE);
    CU_ASSERT_EQUAL(buf[0].a, 0xD);
    CU_ASSERT_EQUAL(index_of(n, 4, 2) - index_of(n, 4, 0), 2);   /* the type-0 subleaf ends it, included */
    CU_ASSERT_EQUAL(index_of(n, 4, 3), -1);
    CU_ASSERT(index_of(n, 7, 1) >= 0);
    CU_ASSERT_EQUAL(index_of(n, 7, 2), -1);
    CU_ASSERT(index_of(n, 0xB, 1) >= 0);
    CU_ASSERT_EQUAL(index_of(n, 0xD, 9), index_of(n, 0xD, 0) + 9);   /* up to XCR0's bit 9 */
    CU_ASSERT_EQUAL(index_of(n, 0xD, 10), -1);
    CU_ASSERT_EQUAL(index_of(n, 5, NONE), index_of(n, 4, 2) + 1);
    int hv = index_of(n, 0x40000000, NONE);
    CU_ASSERT_EQUAL(hv, index_of(n, 0xD, 9) + 1);
    CU_ASSERT_EQUAL(index_of(n, 0x40000100, NONE), hv + 1);
    CU_ASSERT_EQUAL(index_of(n, 0x80000000, NONE), hv + 2);
    CU_ASSERT_EQUAL(buf[n - 1].leaf, 0x80000008);
    /* Each entry is the view's answer for it (a leaf without subleaves asked as subleaf 0). */
    int i = index_of(n, 0x80000003, NONE);
    CU_ASSERT_EQUAL(buf[i].b, 0);
    CU_ASSERT_EQUAL(buf[i].d, 1);
    CU_ASSERT_EQUAL(buf[index_of(n, 0xD, 5)].b, 5);
    CU_ASSERT_EQUAL(buf[i].c, 0x80000003u ^ 0xffff);
}

static void test_serialise_clamps_to_the_arrays(void)
{
    struct fake f = cpu(0x20, 9, 0x80000030);
    uint32_t n = 0;
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, CPU_POLICY_MAX_LEAVES, &n), 0);
    CU_ASSERT(n <= CPU_POLICY_MAX_LEAVES);
    CU_ASSERT_EQUAL(buf[0].a, 0x20);               /* the value as the CPU says it */
    CU_ASSERT_EQUAL(index_of(n, 0xE, NONE), -1);   /* but no leaf past 0xD */
    CU_ASSERT(index_of(n, 7, 2) >= 0);
    CU_ASSERT_EQUAL(index_of(n, 7, 3), -1);
    CU_ASSERT(index_of(n, 0x80000021, NONE) >= 0);
    CU_ASSERT_EQUAL(index_of(n, 0x80000022, NONE), -1);
}

static void test_serialise_small_cpu_and_no_extended(void)
{
    struct fake f = cpu(1, 0, 0x1234);     /* extended max not 0x8000xxxx: none */
    uint32_t n = 0;
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, CPU_POLICY_MAX_LEAVES, &n), 0);
    /* 0, 1, the two hypervisor leaves, and 0x80000000 itself. */
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_EQUAL(buf[4].leaf, 0x80000000);
}

static void test_serialise_too_little_room(void)
{
    struct fake f = cpu(0xD, 1, 0x80000008);
    uint32_t n = 77;
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, 10, &n), -ENOBUFS);
    CU_ASSERT_EQUAL(n, 77);
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, 0, &n), -ENOBUFS);
}

static void test_msrs(void)
{
    struct fake f = cpu(0xD, 1, 0x80000008);
    f.view.platform_info = 5;
    xen_msr_entry_t m[3];
    uint32_t n = 0;
    CU_ASSERT_EQUAL(cpu_policy_serialise_msrs(&f.view, m, 1, &n), -ENOBUFS);
    CU_ASSERT_EQUAL(cpu_policy_serialise_msrs(&f.view, m, 3, &n), 0);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(m[0].idx, 0xCE);
    CU_ASSERT_EQUAL(m[0].val, 5);
    CU_ASSERT_EQUAL(m[1].idx, 0x10A);
    CU_ASSERT_EQUAL(m[1].val, 0x1234567800abcdefull);
    CU_ASSERT_EQUAL(m[1].flags, 0);
}

static void test_featureset_words(void)
{
    struct fake f = cpu(0xD, 1, 0x80000021);
    uint32_t fs[CPU_POLICY_FEATURESET_WORDS];
    cpu_policy_featureset(&f.view, fs);
    CU_ASSERT_EQUAL(fs[0], 0 + 1);                 /* 1.edx: subleaf 0, plus 1 */
    CU_ASSERT_EQUAL(fs[1], 1 ^ 0xffff);            /* 1.ecx */
    CU_ASSERT_EQUAL(fs[2], 0 + 1);                 /* e1.edx */
    CU_ASSERT_EQUAL(fs[3], 0x80000001u ^ 0xffff);  /* e1.ecx */
    CU_ASSERT_EQUAL(fs[4], 0xD);                   /* Da1: leaf 0xD subleaf 1 eax */
    CU_ASSERT_EQUAL(fs[5], 0);                     /* 7b0: subleaf 0 ebx */
    CU_ASSERT_EQUAL(fs[10], 7);                    /* 7a1 */
    CU_ASSERT_EQUAL(fs[11], 0x80000021);           /* e21a */
    CU_ASSERT_EQUAL(fs[12], 1);                    /* 7b1 */
    CU_ASSERT_EQUAL(fs[13], 0);                    /* 7d2: no subleaf 2 */
    CU_ASSERT_EQUAL(fs[16], 0x00abcdef);
    CU_ASSERT_EQUAL(fs[17], 0x12345678);
    /* Leaves past the maxima read as zero. */
    struct fake small = cpu(1, 0, 0x80000001);
    cpu_policy_featureset(&small.view, fs);
    CU_ASSERT_EQUAL(fs[5], 0);
    CU_ASSERT_EQUAL(fs[7], 0);
    CU_ASSERT_EQUAL(fs[11], 0);
}

/* set_cpu_policy: the serialised default comes back whole and is taken. */
static void test_check_round_trip(void)
{
    struct fake f = cpu(0xD, 1, 0x80000008);
    struct cpu_policy_limits max, lim;
    struct cpu_policy_errors err;
    uint32_t n = 0;
    cpu_policy_limits_of(&f.view, &max);
    cpu_policy_limits_of(&f.view, &lim);
    CU_ASSERT_EQUAL(max.basic_max, 0xD);
    CU_ASSERT_EQUAL(max.feat_max, 1);
    CU_ASSERT_EQUAL(max.extd_max, 0x80000008);
    CU_ASSERT_EQUAL(cpu_policy_serialise(&f.view, buf, CPU_POLICY_MAX_LEAVES, &n), 0);
    xen_msr_entry_t m[2];
    uint32_t nm;
    cpu_policy_serialise_msrs(&f.view, m, 2, &nm);
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, n, m, nm, &err), 0);
    CU_ASSERT_EQUAL(err.leaf, ~0u);
    CU_ASSERT_EQUAL(err.msr, ~0u);
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 0, &err), 0);
    /* A smaller maximum is fine, and kept. */
    buf[0].a = 7;
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 1, m, 0, &err), 0);
    CU_ASSERT_EQUAL(lim.basic_max, 7);
}

static void test_check_refusals(void)
{
    struct fake f = cpu(0xD, 1, 0x80000008);
    struct cpu_policy_limits max, lim;
    struct cpu_policy_errors err;
    cpu_policy_limits_of(&f.view, &max);
    cpu_policy_limits_of(&f.view, &lim);
    const struct cpu_policy_limits before = lim;
    xen_msr_entry_t m[3] = { { .idx = 0xCE }, { .idx = 0x10A }, { .idx = 0x10A } };

    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, CPU_POLICY_MAX_LEAVES + 1, m, 0, &err), -E2BIG);
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 3, &err), -E2BIG);

    static const struct { uint32_t leaf, subleaf; } bad[] = {
        { 1, 0 }, { 4, 6 }, { 7, 3 }, { 0xB, 2 }, { 0xD, 63 }, { 0xE, NONE },
        { 0x40000001, NONE }, { 0x40000000, 0 }, { 0x80000022, NONE }, { 0x80000001, 1 },
        { 0x7fffffff, NONE },
    };
    for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        buf[0] = (xen_cpuid_leaf_t){ 0, NONE, 1, 0, 0, 0 };
        buf[1] = (xen_cpuid_leaf_t){ bad[i].leaf, bad[i].subleaf, 0, 0, 0, 0 };
        CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 2, m, 0, &err), -ERANGE);
        CU_ASSERT_EQUAL(err.leaf, bad[i].leaf);
        CU_ASSERT_EQUAL(err.subleaf, bad[i].subleaf);
        CU_ASSERT_EQUAL(lim.basic_max, before.basic_max);   /* nothing merged from a refused list */
    }
    /* In range: the subleaves the arrays hold. */
    buf[0] = (xen_cpuid_leaf_t){ 4, 5, 0, 0, 0, 0 };
    buf[1] = (xen_cpuid_leaf_t){ 0xD, 62, 0, 0, 0, 0 };
    buf[2] = (xen_cpuid_leaf_t){ 0x80000021, NONE, 0, 0, 0, 0 };
    buf[3] = (xen_cpuid_leaf_t){ 0x40000100, NONE, 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 4, m, 0, &err), 0);

    /* The audit: each maximum, named in err. */
    buf[0] = (xen_cpuid_leaf_t){ 0, NONE, 0xE, 0, 0, 0 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 1, m, 0, &err), -EINVAL);
    CU_ASSERT_EQUAL(err.leaf, 0);
    CU_ASSERT_EQUAL(err.subleaf, NONE);
    buf[0] = (xen_cpuid_leaf_t){ 7, 0, 2, 0, 0, 0 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 1, m, 0, &err), -EINVAL);
    CU_ASSERT_EQUAL(err.leaf, 7);
    CU_ASSERT_EQUAL(err.subleaf, 0);
    buf[0] = (xen_cpuid_leaf_t){ 0x80000000, NONE, 0x80000009, 0, 0, 0 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 1, m, 0, &err), -EINVAL);
    CU_ASSERT_EQUAL(err.leaf, 0x80000000);
    CU_ASSERT_EQUAL(err.msr, ~0u);
    CU_ASSERT_EQUAL(lim.extd_max, before.extd_max);

    /* MSRs: flags, unknown ones, a platform-info wider than 32 bits, bits max lacks. */
    m[0] = (xen_msr_entry_t){ .idx = 0xCE, .flags = 2 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), -EINVAL);
    CU_ASSERT_EQUAL(err.msr, 0xCE);
    CU_ASSERT_EQUAL(err.leaf, ~0u);
    m[0] = (xen_msr_entry_t){ .idx = 0x10 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), -ERANGE);
    CU_ASSERT_EQUAL(err.msr, 0x10);
    m[0] = (xen_msr_entry_t){ .idx = 0xCE, .val = 1ull << 32 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), -EOVERFLOW);
    m[0] = (xen_msr_entry_t){ .idx = 0xCE, .val = 1u << 31 };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), -EINVAL);
    CU_ASSERT_EQUAL(err.msr, 0xCE);
    max.platform_info = 1u << 31;
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), 0);
    CU_ASSERT_EQUAL(lim.platform_info, 1u << 31);
    /* Arch capabilities take any value. */
    m[0] = (xen_msr_entry_t){ .idx = 0x10A, .val = ~0ull };
    CU_ASSERT_EQUAL(cpu_policy_check(&max, &lim, buf, 0, m, 1, &err), 0);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(max_leaves_is_xens),
        UNIT_CASE(serialise_order_and_subleaves),
        UNIT_CASE(serialise_clamps_to_the_arrays),
        UNIT_CASE(serialise_small_cpu_and_no_extended),
        UNIT_CASE(serialise_too_little_room),
        UNIT_CASE(msrs),
        UNIT_CASE(featureset_words),
        UNIT_CASE(check_round_trip),
        UNIT_CASE(check_refusals),
    };

    unit_begin();
    UNIT_SUITE("cpu_policy", cases);
    return unit_end();
}
