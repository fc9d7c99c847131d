/*
 * CPU policies as libxl handles them on every create (docs/xen-tools.md):
 * this control domain reads the PV policies with sysctl get_cpu_policy
 * (null handles give the most leaves and MSRs there can be; the list is in
 * Xen's order; too small a buffer is -ENOBUFS), the featureset with
 * get_cpu_featureset, then gives a new domain its policy back with domctl
 * set_cpu_policy, and checks what set refuses and how it says so: a larger
 * maximum leaf (-EINVAL, err_leaf), a leaf outside the policy (-ERANGE),
 * MSR flags (-EINVAL, err_msr), an unknown MSR (-ERANGE), too many leaves
 * (-E2BIG), its own domain (-EINVAL), and a domain that has run (-EEXIST).
 * HVM policies are not asked (Tessera has no HVM; a Xen with HVM has them).
 */
#define PVABI_TOOLSTACK 1
#include "guest.h"
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>

const char test_title[] = "CPU policies: get_cpu_policy, get_cpu_featureset, set_cpu_policy";

/* Xen 4.17's serialised maxima (CPUID_MAX_SERIALISED_LEAVES, MSR_MAX_SERIALISED_ENTRIES). */
#define MAX_LEAVES 120
#define MAX_MSRS   2
#define PV_MAX     2
#define PV_DEFAULT 4

static long domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_domctl, P(op));
}

static long sysctl(struct xen_sysctl *op)
{
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_sysctl, P(op));
}

static xen_cpuid_leaf_t leaves[MAX_LEAVES + 1], maxleaves[MAX_LEAVES];
static xen_msr_entry_t msrs[MAX_MSRS];
static uint32_t fs[64];

static long get_policy(uint32_t index, xen_cpuid_leaf_t *l, uint32_t *nl, xen_msr_entry_t *m,
                       uint32_t *nm)
{
    struct xen_sysctl op = { .cmd = XEN_SYSCTL_get_cpu_policy };
    op.u.cpu_policy.index = index;
    op.u.cpu_policy.nr_leaves = *nl;
    op.u.cpu_policy.nr_msrs = *nm;
    op.u.cpu_policy.leaves.p = l;
    op.u.cpu_policy.msrs.p = m;
    long rc = sysctl(&op);
    *nl = op.u.cpu_policy.nr_leaves;
    *nm = op.u.cpu_policy.nr_msrs;
    return rc;
}

static long set_policy(domid_t d, uint32_t nl, uint32_t nm, struct xen_domctl_cpu_policy *out)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_set_cpu_policy, .domain = d };
    op.u.cpu_policy.nr_leaves = nl;
    op.u.cpu_policy.nr_msrs = nm;
    op.u.cpu_policy.leaves.p = leaves;
    op.u.cpu_policy.msrs.p = msrs;
    op.u.cpu_policy.err_leaf = op.u.cpu_policy.err_subleaf = op.u.cpu_policy.err_msr = 0x5a5a;
    long rc = domctl(&op);
    *out = op.u.cpu_policy;
    return rc;
}

static xen_cpuid_leaf_t *find(xen_cpuid_leaf_t *l, uint32_t n, uint32_t leaf, uint32_t subleaf)
{
    for (uint32_t i = 0; i < n; i++)
        if (l[i].leaf == leaf && l[i].subleaf == subleaf)
            return &l[i];
    return NULL;
}

/* Leaves in Xen's order: basic, then 0x40000000 and 0x40000100, then extended; subleaves rising. */
static void check_order(const xen_cpuid_leaf_t *l, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        uint32_t pl = l[i - 1].leaf, ps = l[i - 1].subleaf;
        bool ok = l[i].leaf > pl || (l[i].leaf == pl && ps != XEN_CPUID_NO_SUBLEAF && l[i].subleaf > ps);
        if (!CHECK(ok, "leaf %u (%#x/%#x) after %#x/%#x", i, l[i].leaf, l[i].subleaf, pl, ps))
            return;
    }
}

static void refused(domid_t d, uint32_t nl, uint32_t nm, long want, uint32_t err_leaf,
                    uint32_t err_subleaf, uint32_t err_msr, const char *what)
{
    struct xen_domctl_cpu_policy out;
    if (!CHECK_EQ(set_policy(d, nl, nm, &out), want, what))
        return;
    CHECK(out.err_leaf == err_leaf && out.err_subleaf == err_subleaf && out.err_msr == err_msr,
          "%s: err leaf %#x subleaf %#x msr %#x, want %#x %#x %#x", what, out.err_leaf,
          out.err_subleaf, out.err_msr, err_leaf, err_subleaf, err_msr);
}

void test_main(void)
{
    uint32_t nl = 0, nm = 0;
    CHECK_EQ(get_policy(PV_DEFAULT, NULL, &nl, NULL, &nm), 0, "sizes (null handles)");
    CHECK_EQ(nl, MAX_LEAVES, "most leaves");
    CHECK_EQ(nm, MAX_MSRS, "most MSRs");
    nl = MAX_LEAVES; nm = 0;
    CHECK_EQ(get_policy(6, leaves, &nl, NULL, &nm), -XEN_EINVAL, "policy index 6");

    uint32_t nmax = MAX_LEAVES, nmmax = MAX_MSRS;
    if (!CHECK_EQ(get_policy(PV_MAX, maxleaves, &nmax, msrs, &nmmax), 0, "PV max policy"))
        return;
    nl = MAX_LEAVES; nm = MAX_MSRS;
    if (!CHECK_EQ(get_policy(PV_DEFAULT, leaves, &nl, msrs, &nm), 0, "PV default policy"))
        return;
    printk("PV default: %u leaves, %u MSRs; PV max: %u leaves\n", nl, nm, nmax);
    CHECK(nl > 4 && nl <= MAX_LEAVES, "leaf count %u", nl);
    CHECK_EQ(nm, 2, "MSR count");
    CHECK_EQ(msrs[0].idx, 0xce, "MSR 0: platform info");
    CHECK_EQ(msrs[1].idx, 0x10a, "MSR 1: arch capabilities");
    check_order(leaves, nl);
    const xen_cpuid_leaf_t *l0 = find(leaves, nl, 0, XEN_CPUID_NO_SUBLEAF);
    const xen_cpuid_leaf_t *max0 = find(maxleaves, nmax, 0, XEN_CPUID_NO_SUBLEAF);
    const xen_cpuid_leaf_t *l1 = find(leaves, nl, 1, XEN_CPUID_NO_SUBLEAF);
    const xen_cpuid_leaf_t *e0 = find(leaves, nl, 0x80000000, XEN_CPUID_NO_SUBLEAF);
    if (!CHECK(l0 && max0 && l1 && e0, "leaves 0, 1 and 0x80000000 present"))
        return;
    CHECK(find(leaves, nl, 0x40000000, XEN_CPUID_NO_SUBLEAF) != NULL, "leaf 0x40000000 present");
    CHECK(l1->c & (1u << 31), "leaf 1: the hypervisor bit (ecx %#x)", l1->c);
    CHECK_EQ(l0->a, max0->a, "default and max: the same basic maximum");
    uint32_t one = 1, zero = 0;
    CHECK_EQ(get_policy(PV_DEFAULT, leaves + MAX_LEAVES, &one, NULL, &zero), -XEN_ENOBUFS,
             "room for one leaf");

    /* The featureset: its length, and its first word is leaf 1's EDX. */
    struct xen_sysctl f = { .cmd = XEN_SYSCTL_get_cpu_featureset };
    f.u.cpu_featureset.index = XEN_SYSCTL_cpu_featureset_pv;
    CHECK_EQ(sysctl(&f), 0, "featureset length");
    uint32_t words = f.u.cpu_featureset.nr_features;
    CHECK(words >= 12 && words <= 64, "featureset of %u words", words);
    f.u.cpu_featureset.features.p = fs;
    if (CHECK_EQ(sysctl(&f), 0, "PV featureset")) {
        CHECK_EQ(f.u.cpu_featureset.nr_features, words, "words written");
        CHECK_EQ(fs[0], l1->d, "word 0 is leaf 1 EDX");
        CHECK_EQ(fs[1], l1->c, "word 1 is leaf 1 ECX");
    }
    f.u.cpu_featureset.nr_features = 2;
    CHECK_EQ(sysctl(&f), -XEN_ENOBUFS, "featureset into two words");
    CHECK_EQ(f.u.cpu_featureset.nr_features, 2, "two words written");
    f.u.cpu_featureset.nr_features = words;
    f.u.cpu_featureset.index = 6;
    CHECK_EQ(sysctl(&f), -XEN_EINVAL, "featureset index 6");

    /* A new domain, as libxl makes one. */
    struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain, .domain = 0xffff };
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.max_evtchn_port = 1023;
    op.u.createdomain.max_grant_frames = 4;
    op.u.createdomain.max_maptrack_frames = 128;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    if (!CHECK_EQ(domctl(&op), 0, "createdomain"))
        return;
    domid_t d = op.domain;
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_max_vcpus;
    op.domain = d;
    op.u.max_vcpus.max = 1;
    CHECK_EQ(domctl(&op), 0, "max_vcpus");

    struct xen_domctl_cpu_policy out;
    CHECK_EQ(set_policy(d, nl, 0, &out), 0, "set the PV default policy");
    CHECK_EQ(set_policy(d, nl, nm, &out), 0, "the same with its MSRs");
    CHECK_EQ(set_policy(d, 0, 0, &out), 0, "an empty policy (nothing changes)");
    const uint32_t none = XEN_CPUID_NO_SUBLEAF;
    refused(d, MAX_LEAVES + 1, 0, -XEN_E2BIG, ~0u, ~0u, ~0u, "121 leaves");

    /* A basic maximum above the PV max policy's. */
    xen_cpuid_leaf_t saved = leaves[0];
    leaves[0] = (xen_cpuid_leaf_t){ 0, none, max0->a + 1, l0->b, l0->c, l0->d };
    refused(d, nl, 0, -XEN_EINVAL, 0, none, ~0u, "leaf 0 above the max");
    /* A leaf no policy holds, and a subleaf of a leaf without any. */
    leaves[0] = (xen_cpuid_leaf_t){ 0x50000000, none, 0, 0, 0, 0 };
    refused(d, 1, 0, -XEN_ERANGE, 0x50000000, none, ~0u, "leaf 0x50000000");
    leaves[0] = (xen_cpuid_leaf_t){ 1, 0, 0, 0, 0, 0 };
    refused(d, 1, 0, -XEN_ERANGE, 1, 0, ~0u, "leaf 1 subleaf 0");
    leaves[0] = (xen_cpuid_leaf_t){ 7, 3, 0, 0, 0, 0 };
    refused(d, 1, 0, -XEN_ERANGE, 7, 3, ~0u, "leaf 7 subleaf 3");
    leaves[0] = saved;

    xen_msr_entry_t msr_saved = msrs[0];
    msrs[0] = (xen_msr_entry_t){ .idx = 0xce, .flags = 1 };
    refused(d, 0, 1, -XEN_EINVAL, ~0u, ~0u, 0xce, "MSR with flags");
    msrs[0] = (xen_msr_entry_t){ .idx = 0x10 };
    refused(d, 0, 1, -XEN_ERANGE, ~0u, ~0u, 0x10, "MSR 0x10");
    msrs[0] = msr_saved;
    refused(d, 0, MAX_MSRS + 1, -XEN_E2BIG, ~0u, ~0u, ~0u, "three MSRs");

    /* This test kernel is domain 0. */
    refused(0, nl, 0, -XEN_EINVAL, 0x5a5a, 0x5a5a, 0x5a5a, "its own domain (nothing copied back)");

    /* Once it has been unpaused, its policy is fixed. */
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_unpausedomain;
    op.domain = d;
    CHECK_EQ(domctl(&op), 0, "unpause it (no vCPU is up)");
    CHECK_EQ(set_policy(d, nl, 0, &out), -XEN_EEXIST, "set after the first unpause");

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_destroydomain;
    op.domain = d;
    CHECK_EQ(domctl(&op), 0, "destroydomain");
}
