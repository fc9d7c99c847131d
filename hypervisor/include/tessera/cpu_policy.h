/*
 * CPU policies in Xen 4.17's serialised form: the CPUID leaves and MSRs a
 * toolstack reads with sysctl get_cpu_policy / get_cpu_featureset and
 * gives a new domain with domctl set_cpu_policy (libxl does on every
 * create). The architecture provides a policy as a view, a function that
 * answers CPUID for a leaf and subleaf; this code turns it into Xen's list
 * of leaves and featureset words, and checks a list a toolstack gives back
 * as Xen checks it. Common code so it runs under the host unit tests
 * (tests/unit/test_cpu_policy.c); docs/xen-tools.md.
 */
#ifndef TESSERA_CPU_POLICY_H
#define TESSERA_CPU_POLICY_H

#define PVABI_TOOLSTACK 1
#include <stdint.h>
#include <pvabi/control/types.h>

/* The sizes of Xen 4.17's struct cpu_policy arrays: basic leaves 0-0xD,
 * leaf 4 subleaves 0-5, leaf 7 subleaves 0-2, leaf 0xB subleaves 0-1, leaf
 * 0xD subleaves 0-62, extended leaves 0x80000000-0x80000021. */
#define CPU_POLICY_NR_BASIC   (0xDu + 1)
#define CPU_POLICY_NR_CACHE   (5u + 1)
#define CPU_POLICY_NR_FEAT    (2u + 1)
#define CPU_POLICY_NR_TOPO    (1u + 1)
#define CPU_POLICY_NR_XSTATE  (62u + 1)
#define CPU_POLICY_NR_EXTD    (0x21u + 1)
/* The most leaves one policy serialises to (Xen's CPUID_MAX_SERIALISED_LEAVES)
 * and the most MSRs (platform info and arch capabilities). */
#define CPU_POLICY_MAX_LEAVES (CPU_POLICY_NR_BASIC + CPU_POLICY_NR_FEAT - 1 + \
                               CPU_POLICY_NR_CACHE - 1 + CPU_POLICY_NR_TOPO - 1 + \
                               CPU_POLICY_NR_XSTATE - 1 + CPU_POLICY_NR_EXTD + 2)
#define CPU_POLICY_MAX_MSRS   2u
/* Xen 4.17's featureset length in 32-bit words (FSCAPINTS). */
#define CPU_POLICY_FEATURESET_WORDS 18u

#define CPU_POLICY_MSR_PLATFORM_INFO 0xCEu
#define CPU_POLICY_MSR_ARCH_CAPS     0x10Au

struct cpu_policy_regs {
    uint32_t a, b, c, d;
};

/* A policy: CPUID's answer for (leaf, subleaf), and its two MSRs. */
struct cpu_policy_view {
    void (*cpuid)(const struct cpu_policy_view *view, uint32_t leaf, uint32_t subleaf,
                  struct cpu_policy_regs *out);
    uint64_t platform_info, arch_caps;
};

/*
 * The view's leaves in Xen's order into out[0..room): basic leaves up to
 * min(leaf 0's max, 0xD) with their subleaves, the two hypervisor-limit
 * leaves (0x40000000, 0x40000100: zero, no limit set), then the extended
 * leaves up to min(0x80000000's max, 0x80000021). The count in *nr.
 * Too little room: -ENOBUFS.
 */
int cpu_policy_serialise(const struct cpu_policy_view *view, xen_cpuid_leaf_t *out,
                         uint32_t room, uint32_t *nr);

/* The view's MSRs (platform info, arch capabilities); -ENOBUFS as above. */
int cpu_policy_serialise_msrs(const struct cpu_policy_view *view, xen_msr_entry_t *out,
                              uint32_t room, uint32_t *nr);

/* Xen's featureset words (1.edx, 1.ecx, e1.edx, e1.ecx, Da1, 7b0, 7c0, e7d,
 * e8b, 7d0, 7a1, e21a, 7b1, 7d2, 7c1, 7d1, arch caps low, high). */
void cpu_policy_featureset(const struct cpu_policy_view *view,
                           uint32_t fs[CPU_POLICY_FEATURESET_WORDS]);

/* What set_cpu_policy audits of a policy (Xen's x86_cpu_policies_are_compatible). */
struct cpu_policy_limits {
    uint32_t basic_max;      /* leaf 0 EAX */
    uint32_t feat_max;       /* leaf 7 subleaf 0 EAX */
    uint32_t extd_max;       /* leaf 0x80000000 EAX */
    uint64_t platform_info;
};

void cpu_policy_limits_of(const struct cpu_policy_view *view, struct cpu_policy_limits *lim);

struct cpu_policy_errors {
    uint32_t leaf, subleaf, msr;    /* ~0 where nothing is named */
};

/*
 * A toolstack's policy merged over the domain's (lim, updated in place),
 * checked as Xen's set_cpu_policy checks it: more than the maximum leaves
 * or MSRs -E2BIG; a leaf or subleaf outside the policy's arrays -ERANGE
 * (err names it); an MSR with flags -EINVAL, an unknown one -ERANGE, a
 * platform-info value wider than 32 bits -EOVERFLOW (err->msr names it);
 * then against max: a larger leaf 0, 7.0 or 0x80000000 maximum, or
 * platform-info bits max lacks, -EINVAL naming the leaf (subleaf ~0 or 0)
 * or MSR.
 */
int cpu_policy_check(const struct cpu_policy_limits *max, struct cpu_policy_limits *lim,
                     const xen_cpuid_leaf_t *leaves, uint32_t nr_leaves,
                     const xen_msr_entry_t *msrs, uint32_t nr_msrs,
                     struct cpu_policy_errors *err);

#endif /* TESSERA_CPU_POLICY_H */
