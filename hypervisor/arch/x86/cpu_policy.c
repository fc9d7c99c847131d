/*
 * The CPU policies a toolstack reads and sets (Xen 4.17's sysctl
 * get_cpu_policy and get_cpu_featureset, domctl set_cpu_policy): libxl
 * reads the PV default policy on every create, adjusts it and gives it to
 * the new domain. Tessera has the CPU's own view (raw and host) and the PV
 * view its CPUID emulation gives guests (pv/emulate.c), which is both the
 * PV default and the PV maximum; there is no HVM, so the HVM policies are
 * -EOPNOTSUPP as on a Xen built without HVM. The serialised form and the
 * checks are common code (common/cpu_policy.c).
 *
 * set_cpu_policy checks the policy as Xen does and keeps the limits it
 * audits, but the domain's CPUID stays Tessera's PV view: there is no
 * per-domain CPUID yet (docs/xen-tools.md).
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/cpu_policy.h>
#include <asm/pv.h>
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include <tessera/compiler.h>
#include <tessera/cpu_policy.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

static void native_view(const struct cpu_policy_view *v, uint32_t leaf, uint32_t subleaf,
                        struct cpu_policy_regs *out)
{
    (void)v;
    struct cpuid_regs r = cpuid_count(leaf, subleaf);
    *out = (struct cpu_policy_regs){ r.eax, r.ebx, r.ecx, r.edx };
}

static void pv_view(const struct cpu_policy_view *v, uint32_t leaf, uint32_t subleaf,
                    struct cpu_policy_regs *out)
{
    (void)v;
    struct cpuid_regs r = pv_cpuid_leaf(leaf, subleaf);
    *out = (struct cpu_policy_regs){ r.eax, r.ebx, r.ecx, r.edx };
}

/* MSRs: no CPUID faulting is offered (platform info 0, as emulate.c reads
 * it) and the architectural-capabilities MSR is not read (0). */
static const struct cpu_policy_view native = { .cpuid = native_view };
static const struct cpu_policy_view pv = { .cpuid = pv_view };

/* Xen's policy indexes: raw, host, PV max, HVM max, PV default, HVM default
 * (the featureset's: raw, host, PV default, HVM default, PV max, HVM max). */
static const struct cpu_policy_view *const policies[6] = { &native, &native, &pv, NULL, &pv, NULL };
static const struct cpu_policy_view *const featuresets[6] = { &native, &native, &pv, NULL, &pv, NULL };

/* Under the sysctl lock (get) or the domctl lock (set): one user each. */
static xen_cpuid_leaf_t get_leaves[CPU_POLICY_MAX_LEAVES], set_leaves[CPU_POLICY_MAX_LEAVES];
static xen_msr_entry_t get_msrs[CPU_POLICY_MAX_MSRS], set_msrs[CPU_POLICY_MAX_MSRS];

static uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* A null handle asks for the most entries there can be; else the policy,
 * -ENOBUFS when it does not fit in what the caller said it has room for. */
long cpu_policy_sysctl_get(struct xen_sysctl_cpu_policy *p)
{
    if (p->_rsvd || p->index >= 6)
        return -EINVAL;
    const struct cpu_policy_view *view = policies[p->index];
    if (!view)
        return -EOPNOTSUPP;
    uint32_t n;
    int rc;
    if (!p->leaves.p) {
        p->nr_leaves = CPU_POLICY_MAX_LEAVES;
    } else {
        rc = cpu_policy_serialise(view, get_leaves, MIN(p->nr_leaves, CPU_POLICY_MAX_LEAVES), &n);
        if (rc)
            return rc;
        if (copy_to_guest(handle_addr(p->leaves.p), get_leaves, n * sizeof(get_leaves[0])) < 0)
            return -EFAULT;
        p->nr_leaves = n;
    }
    if (!p->msrs.p) {
        p->nr_msrs = CPU_POLICY_MAX_MSRS;
    } else {
        rc = cpu_policy_serialise_msrs(view, get_msrs, MIN(p->nr_msrs, CPU_POLICY_MAX_MSRS), &n);
        if (rc)
            return rc;
        if (copy_to_guest(handle_addr(p->msrs.p), get_msrs, n * sizeof(get_msrs[0])) < 0)
            return -EFAULT;
        p->nr_msrs = n;
    }
    return 0;
}

/* A null handle asks for the length. A shorter buffer gets what fits, the
 * count written, and -ENOBUFS (do_sysctl copies the count back then too). */
long cpu_policy_sysctl_featureset(struct xen_sysctl_cpu_featureset *f)
{
    if (!f->features.p) {
        f->nr_features = CPU_POLICY_FEATURESET_WORDS;
        return 0;
    }
    uint32_t nr = MIN(f->nr_features, CPU_POLICY_FEATURESET_WORDS);
    if (f->index >= 6)
        return -EINVAL;
    if (!featuresets[f->index])
        return -EOPNOTSUPP;
    uint32_t fs[CPU_POLICY_FEATURESET_WORDS];
    cpu_policy_featureset(featuresets[f->index], fs);
    if (copy_to_guest(handle_addr(f->features.p), fs, nr * sizeof(fs[0])) < 0)
        return -EFAULT;
    f->nr_features = nr;
    return nr < CPU_POLICY_FEATURESET_WORDS ? -ENOBUFS : 0;
}

/* Not once the domain has run (-EEXIST), nor the caller's own (-EINVAL);
 * a refused policy names what was refused in err_* (do_domctl copies the
 * structure back on failure for this operation, as Xen). */
long cpu_policy_domctl_set(struct domain *caller, struct domain *d, struct xen_domctl_cpu_policy *p)
{
    if (d == caller)
        return -EINVAL;
    if (d->creation_finished)
        return -EEXIST;
    struct cpu_policy_errors err = { ~0u, ~0u, ~0u };
    struct cpu_policy_limits max, lim;
    cpu_policy_limits_of(&pv, &max);
    cpu_policy_limits_of(&pv, &lim);     /* the domain starts with the PV default */
    int rc;
    if (p->nr_leaves > CPU_POLICY_MAX_LEAVES || p->nr_msrs > CPU_POLICY_MAX_MSRS) {
        rc = -E2BIG;
    } else if ((p->nr_leaves && copy_from_guest(set_leaves, handle_addr(p->leaves.p),
                                                p->nr_leaves * sizeof(set_leaves[0])) < 0) ||
               (p->nr_msrs && copy_from_guest(set_msrs, handle_addr(p->msrs.p),
                                              p->nr_msrs * sizeof(set_msrs[0])) < 0)) {
        rc = -EFAULT;
    } else {
        rc = cpu_policy_check(&max, &lim, set_leaves, p->nr_leaves, set_msrs, p->nr_msrs, &err);
    }
    if (rc) {
        p->err_leaf = err.leaf;
        p->err_subleaf = err.subleaf;
        p->err_msr = err.msr;
    }
    return rc;
}
