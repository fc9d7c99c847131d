/*
 * The machine as sysctl describes it to a toolstack (xl info, xl create's
 * placement): CPU topology, NUMA nodes, the one CPU pool, per-CPU idle
 * time. Tessera sees one node and one pool holding every CPU, and treats
 * each CPU as a core of its own. Answers and partial-copy rules as Xen
 * 4.17's. CPU policies and featuresets: arch/x86/cpu_policy.c.
 */
#define PVABI_TOOLSTACK 1
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu_policy.h>
#include <asm/percpu.h>
#include <pvabi/control/sysctl.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

/* Xen's distance of a node to itself. */
#define NODE_LOCAL_DISTANCE 10

static uint64_t handle_addr(const void *p)
{
    return (uint64_t)(uintptr_t)p;
}

/* A null handle asks for the count; else up to num_cpus entries, num_cpus = how many there are. */
static long cputopoinfo(struct xen_sysctl_cputopoinfo *ti)
{
    uint32_t n = nr_cpus_online, i;

    if (ti->cputopo.p) {
        if (n > ti->num_cpus)
            n = ti->num_cpus;
        for (i = 0; i < n; i++) {
            struct xen_sysctl_cputopo t = { .core = i, .socket = 0, .node = 0 };
            if (copy_to_guest(handle_addr(ti->cputopo.p) + i * sizeof(t), &t, sizeof(t)) < 0)
                return -EFAULT;
        }
    }
    ti->num_cpus = ti->cputopo.p ? n : nr_cpus_online;
    return 0;
}

static long numainfo(struct xen_sysctl_numainfo *ni)
{
    uint32_t n = 1;

    if (ni->meminfo.p || ni->distance.p) {
        if (n > ni->num_nodes)
            n = ni->num_nodes;
        if (n && ni->meminfo.p) {
            struct page_alloc_stats st;
            page_alloc_stats(arch_frame_allocator(), &st);
            struct xen_sysctl_meminfo m = { .memsize = st.managed << PAGE_SHIFT,
                                            .memfree = st.free << PAGE_SHIFT };
            if (copy_to_guest(handle_addr(ni->meminfo.p), &m, sizeof(m)) < 0)
                return -EFAULT;
        }
        if (n && ni->distance.p) {
            uint32_t d = NODE_LOCAL_DISTANCE;
            if (copy_to_guest(handle_addr(ni->distance.p), &d, sizeof(d)) < 0)
                return -EFAULT;
        }
    }
    ni->num_nodes = n;
    return 0;
}

static void count_domain(struct domain *d, void *ctx)
{
    (void)d;
    (*(uint32_t *)ctx)++;
}

/* The caller's nr_bits of a CPU mask (CPUs past 63 never set). */
static long cpumap_out(struct xenctl_bitmap *b, uint64_t mask)
{
    uint32_t bytes = (b->nr_bits + 7) / 8;

    for (uint32_t i = 0; i < bytes; i++) {
        uint8_t byte = i < 8 ? (uint8_t)(mask >> (8 * i)) : 0;
        if (i == bytes - 1 && (b->nr_bits & 7))
            byte &= (uint8_t)((1u << (b->nr_bits & 7)) - 1);
        if (copy_to_guest(handle_addr(b->bitmap.p) + i, &byte, 1) < 0)
            return -EFAULT;
    }
    return 0;
}

/* Pool 0 holds every CPU and domain. INFO: the first pool with an id >= the one asked, -ENOENT past it. */
static long cpupool_op(struct xen_sysctl_cpupool_op *op)
{
    uint64_t all = nr_cpus_online >= 64 ? ~0ull : (1ull << nr_cpus_online) - 1;

    switch (op->op) {
    case XEN_SYSCTL_CPUPOOL_OP_INFO:
        if (op->cpupool_id != 0)
            return -ENOENT;
        op->cpupool_id = 0;
        op->sched_id = XEN_SCHEDULER_CREDIT;
        op->n_dom = 0;
        domain_for_each(count_domain, &op->n_dom);
        return cpumap_out(&op->cpumap, all);
    case XEN_SYSCTL_CPUPOOL_OP_FREEINFO:
        return cpumap_out(&op->cpumap, 0);      /* no CPU is outside the pool */
    default:
        return -EOPNOTSUPP;                     /* one pool, fixed */
    }
}

static long getcpuinfo(struct xen_sysctl_getcpuinfo *ci)
{
    uint32_t n = MIN(ci->max_cpus, (uint32_t)nr_cpus_online), i;

    for (i = 0; i < n; i++) {
        const struct percpu *c = percpu_table[i];
        struct xen_sysctl_cpuinfo info = {
            .idletime = c ? __atomic_load_n(&c->idle_ns, __ATOMIC_RELAXED) : 0,
        };
        if (copy_to_guest(handle_addr(ci->info.p) + i * sizeof(info), &info, sizeof(info)) < 0)
            return -EFAULT;
    }
    ci->nr_cpus = i;
    return 0;
}

long arch_do_sysctl(struct xen_sysctl *op)
{
    switch (op->cmd) {
    case XEN_SYSCTL_cputopoinfo:
        return cputopoinfo(&op->u.cputopoinfo);
    case XEN_SYSCTL_numainfo:
        return numainfo(&op->u.numainfo);
    case XEN_SYSCTL_cpupool_op:
        return cpupool_op(&op->u.cpupool_op);
    case XEN_SYSCTL_getcpuinfo:
        return getcpuinfo(&op->u.getcpuinfo);
    case XEN_SYSCTL_get_cpu_featureset:
        return cpu_policy_sysctl_featureset(&op->u.cpu_featureset);
    case XEN_SYSCTL_get_cpu_policy:
        return cpu_policy_sysctl_get(&op->u.cpu_policy);
    default:
        return -ENOSYS;
    }
}
