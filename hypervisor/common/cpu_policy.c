/*
 * CPU policies in Xen 4.17's serialised form (tessera/cpu_policy.h): the
 * leaves a view answers, in the order and with the subleaves Xen's
 * x86_cpuid_copy_to_buffer writes, and the checks set_cpu_policy makes of
 * a list a toolstack sends back. libxc reads the list into its own
 * struct cpu_policy, so the order, the subleaf rules and the bounds must be
 * Xen's for it to read ours and for ours to accept what it writes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <tessera/compiler.h>
#include <tessera/cpu_policy.h>
#include <tessera/errno.h>

#define LEAF_HV_LIMIT   0x40000000u
#define LEAF_HV2_LIMIT  0x40000100u
#define LEAF_EXTD       0x80000000u

struct writer {
    xen_cpuid_leaf_t *out;
    uint32_t room, n;
    bool full;
};

static void put(struct writer *w, uint32_t leaf, uint32_t subleaf, const struct cpu_policy_regs *r)
{
    if (w->n >= w->room) {
        w->full = true;
        return;
    }
    w->out[w->n++] = (xen_cpuid_leaf_t){ .leaf = leaf, .subleaf = subleaf,
                                         .a = r->a, .b = r->b, .c = r->c, .d = r->d };
}

static void ask(const struct cpu_policy_view *v, uint32_t leaf, uint32_t subleaf,
                struct cpu_policy_regs *r)
{
    *r = (struct cpu_policy_regs){ 0, 0, 0, 0 };
    v->cpuid(v, leaf, subleaf, r);
}

/* Subleaves until one whose type (ECX bits 8-15 for 0xB, EAX bits 0-4 for 4) is 0. */
static void typed_subleaves(const struct cpu_policy_view *v, struct writer *w, uint32_t leaf,
                            uint32_t count)
{
    for (uint32_t s = 0; s < count; s++) {
        struct cpu_policy_regs r;
        ask(v, leaf, s, &r);
        put(w, leaf, s, &r);
        uint32_t type = leaf == 4 ? (r.a & 0x1f) : ((r.c >> 8) & 0xff);
        if (type == 0)
            break;
    }
}

/* Leaf 0xD: subleaves 0 and 1, then one per component up to the highest
 * in XCR0 | XSS (sub 0 EDX:EAX, sub 1 EDX:ECX), as Xen writes them. */
static void xstate_subleaves(const struct cpu_policy_view *v, struct writer *w)
{
    struct cpu_policy_regs s0, s1;
    ask(v, 0xD, 0, &s0);
    ask(v, 0xD, 1, &s1);
    put(w, 0xD, 0, &s0);
    put(w, 0xD, 1, &s1);
    uint64_t xstates = ((uint64_t)s0.d << 32 | s0.a) | ((uint64_t)s1.d << 32 | s1.c);
    uint32_t s = 2;
    for (xstates >>= 2; xstates && s < CPU_POLICY_NR_XSTATE; xstates >>= 1, s++) {
        struct cpu_policy_regs r;
        ask(v, 0xD, s, &r);
        put(w, 0xD, s, &r);
    }
}

int cpu_policy_serialise(const struct cpu_policy_view *view, xen_cpuid_leaf_t *out,
                         uint32_t room, uint32_t *nr)
{
    struct writer w = { .out = out, .room = room };
    struct cpu_policy_regs r;

    ask(view, 0, 0, &r);
    uint32_t basic_max = MIN(r.a, CPU_POLICY_NR_BASIC - 1);
    for (uint32_t leaf = 0; leaf <= basic_max; leaf++) {
        switch (leaf) {
        case 4:
            typed_subleaves(view, &w, 4, CPU_POLICY_NR_CACHE);
            break;
        case 7: {
            ask(view, 7, 0, &r);
            uint32_t feat_max = MIN(r.a, CPU_POLICY_NR_FEAT - 1);
            for (uint32_t s = 0; s <= feat_max; s++) {
                ask(view, 7, s, &r);
                put(&w, 7, s, &r);
            }
            break;
        }
        case 0xB:
            typed_subleaves(view, &w, 0xB, CPU_POLICY_NR_TOPO);
            break;
        case 0xD:
            xstate_subleaves(view, &w);
            break;
        default:
            ask(view, leaf, 0, &r);
            put(&w, leaf, XEN_CPUID_NO_SUBLEAF, &r);
            break;
        }
    }
    /* Xen keeps no limit on its own leaves here unless a toolstack sets one. */
    static const struct cpu_policy_regs none = { 0, 0, 0, 0 };
    put(&w, LEAF_HV_LIMIT, XEN_CPUID_NO_SUBLEAF, &none);
    put(&w, LEAF_HV2_LIMIT, XEN_CPUID_NO_SUBLEAF, &none);

    ask(view, LEAF_EXTD, 0, &r);
    uint32_t extd_max = (r.a & 0xffff0000u) == LEAF_EXTD ? MIN(r.a & 0xffff, CPU_POLICY_NR_EXTD - 1) : 0;
    for (uint32_t i = 0; i <= extd_max; i++) {
        ask(view, LEAF_EXTD | i, 0, &r);
        put(&w, LEAF_EXTD | i, XEN_CPUID_NO_SUBLEAF, &r);
    }
    if (w.full)
        return -ENOBUFS;
    *nr = w.n;
    return 0;
}

int cpu_policy_serialise_msrs(const struct cpu_policy_view *view, xen_msr_entry_t *out,
                              uint32_t room, uint32_t *nr)
{
    if (room < CPU_POLICY_MAX_MSRS)
        return -ENOBUFS;
    out[0] = (xen_msr_entry_t){ .idx = CPU_POLICY_MSR_PLATFORM_INFO, .val = view->platform_info };
    out[1] = (xen_msr_entry_t){ .idx = CPU_POLICY_MSR_ARCH_CAPS, .val = view->arch_caps };
    *nr = CPU_POLICY_MAX_MSRS;
    return 0;
}

void cpu_policy_featureset(const struct cpu_policy_view *view,
                           uint32_t fs[CPU_POLICY_FEATURESET_WORDS])
{
    struct cpu_policy_regs l0, l1, d1 = { 0 }, s70 = { 0 }, s71 = { 0 }, s72 = { 0 },
                           e0, e1 = { 0 }, e7 = { 0 }, e8 = { 0 }, e21 = { 0 };
    ask(view, 0, 0, &l0);
    ask(view, 1, 0, &l1);
    if (l0.a >= 7) {
        ask(view, 7, 0, &s70);
        if (s70.a >= 1)
            ask(view, 7, 1, &s71);
        if (s70.a >= 2)
            ask(view, 7, 2, &s72);
    }
    if (l0.a >= 0xD)
        ask(view, 0xD, 1, &d1);
    ask(view, LEAF_EXTD, 0, &e0);
    uint32_t extd_max = (e0.a & 0xffff0000u) == LEAF_EXTD ? e0.a : 0;
    if (extd_max >= LEAF_EXTD + 1)
        ask(view, LEAF_EXTD + 1, 0, &e1);
    if (extd_max >= LEAF_EXTD + 7)
        ask(view, LEAF_EXTD + 7, 0, &e7);
    if (extd_max >= LEAF_EXTD + 8)
        ask(view, LEAF_EXTD + 8, 0, &e8);
    if (extd_max >= LEAF_EXTD + 0x21)
        ask(view, LEAF_EXTD + 0x21, 0, &e21);
    const uint32_t words[CPU_POLICY_FEATURESET_WORDS] = {
        l1.d, l1.c, e1.d, e1.c, d1.a, s70.b, s70.c, e7.d, e8.b, s70.d, s71.a, e21.a,
        s71.b, s72.d, s71.c, s71.d, (uint32_t)view->arch_caps, (uint32_t)(view->arch_caps >> 32),
    };
    for (uint32_t i = 0; i < CPU_POLICY_FEATURESET_WORDS; i++)
        fs[i] = words[i];
}

void cpu_policy_limits_of(const struct cpu_policy_view *view, struct cpu_policy_limits *lim)
{
    struct cpu_policy_regs r;
    ask(view, 0, 0, &r);
    lim->basic_max = r.a;
    lim->feat_max = 0;
    if (r.a >= 7) {
        ask(view, 7, 0, &r);
        lim->feat_max = r.a;
    }
    ask(view, LEAF_EXTD, 0, &r);
    lim->extd_max = r.a;
    lim->platform_info = view->platform_info;
}

/* Xen's x86_cpuid_copy_from_buffer bounds: which (leaf, subleaf) a policy holds. */
static bool leaf_in_range(uint32_t leaf, uint32_t subleaf)
{
    if (leaf < CPU_POLICY_NR_BASIC) {
        switch (leaf) {
        case 4:   return subleaf < CPU_POLICY_NR_CACHE;
        case 7:   return subleaf < CPU_POLICY_NR_FEAT;
        case 0xB: return subleaf < CPU_POLICY_NR_TOPO;
        case 0xD: return subleaf < CPU_POLICY_NR_XSTATE;
        default:  return subleaf == XEN_CPUID_NO_SUBLEAF;
        }
    }
    if (leaf == LEAF_HV_LIMIT || leaf == LEAF_HV2_LIMIT)
        return subleaf == XEN_CPUID_NO_SUBLEAF;
    if (leaf >= LEAF_EXTD && leaf < LEAF_EXTD + CPU_POLICY_NR_EXTD)
        return subleaf == XEN_CPUID_NO_SUBLEAF;
    return false;
}

int cpu_policy_check(const struct cpu_policy_limits *max, struct cpu_policy_limits *lim,
                     const xen_cpuid_leaf_t *leaves, uint32_t nr_leaves,
                     const xen_msr_entry_t *msrs, uint32_t nr_msrs,
                     struct cpu_policy_errors *err)
{
    *err = (struct cpu_policy_errors){ ~0u, ~0u, ~0u };
    struct cpu_policy_limits merged = *lim;

    if (nr_leaves > CPU_POLICY_MAX_LEAVES)
        return -E2BIG;
    for (uint32_t i = 0; i < nr_leaves; i++) {
        const xen_cpuid_leaf_t *l = &leaves[i];
        if (!leaf_in_range(l->leaf, l->subleaf)) {
            err->leaf = l->leaf;
            err->subleaf = l->subleaf;
            return -ERANGE;
        }
        if (l->leaf == 0)
            merged.basic_max = l->a;
        else if (l->leaf == 7 && l->subleaf == 0)
            merged.feat_max = l->a;
        else if (l->leaf == LEAF_EXTD)
            merged.extd_max = l->a;
    }
    if (nr_msrs > CPU_POLICY_MAX_MSRS)
        return -E2BIG;
    for (uint32_t i = 0; i < nr_msrs; i++) {
        const xen_msr_entry_t *m = &msrs[i];
        int rc = 0;
        if (m->flags)
            rc = -EINVAL;
        else if (m->idx == CPU_POLICY_MSR_PLATFORM_INFO)
            rc = m->val >> 32 ? -EOVERFLOW : 0;     /* a 32-bit field in Xen's policy */
        else if (m->idx != CPU_POLICY_MSR_ARCH_CAPS)
            rc = -ERANGE;
        if (rc) {
            err->msr = m->idx;
            return rc;
        }
        if (m->idx == CPU_POLICY_MSR_PLATFORM_INFO)
            merged.platform_info = m->val;
    }

    /* The audit Xen 4.17 makes: no larger maxima, no platform-info bit max lacks. */
    if (merged.basic_max > max->basic_max) {
        err->leaf = 0;
        err->subleaf = XEN_CPUID_NO_SUBLEAF;
        return -EINVAL;
    }
    if (merged.feat_max > max->feat_max) {
        err->leaf = 7;
        err->subleaf = 0;
        return -EINVAL;
    }
    if (merged.extd_max > max->extd_max) {
        err->leaf = LEAF_EXTD;
        err->subleaf = XEN_CPUID_NO_SUBLEAF;
        return -EINVAL;
    }
    if (merged.platform_info & ~max->platform_info) {
        err->msr = CPU_POLICY_MSR_PLATFORM_INFO;
        return -EINVAL;
    }
    *lim = merged;
    return 0;
}
