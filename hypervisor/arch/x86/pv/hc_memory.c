/*
 * memory_op for PV guests: the reservation and m2p queries, the memory
 * maps (the machine's for the control domain, a pseudo-physical one for
 * the others, or the one its toolstack set), the reservation changes
 * (pv/reservation.c), and the toolstack's operations on the domains it
 * builds (pv/memory_toolstack.c).
 */
#include <stdint.h>
#include <asm/layout.h>
#include <asm/m2p.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/setup.h>
#include <pvabi/memory.h>
#include <pvabi/xen.h>
#include <tessera/bootinfo.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>

/*
 * Toolstack-only operation numbers (Xen's public memory.h has them under
 * __XEN_TOOLS__; the guest ABI header keeps them free).
 */
#define XENMEM_get_sharing_freed_pages  18
#define XENMEM_get_sharing_shared_pages 19
#define XENMEM_claim_pages              24

/*
 * The domain a reservation query names: itself, or any if privileged. As
 * in Xen, a domain that does not exist is -ESRCH before privilege is
 * looked at.
 */
static long target_domain(struct vcpu *v, domid_t id, struct domain **out)
{
    if (id == DOMID_SELF || id == v->domain->domain_id) {
        *out = v->domain;
        return 0;
    }
    struct domain *d = domain_get(id);
    if (!d)
        return -ESRCH;
    if (!v->domain->is_privileged) {
        domain_put(d);
        return -EPERM;
    }
    *out = d;
    return 0;
}

static long reservation_query(struct vcpu *v, unsigned cmd, uint64_t arg)
{
    domid_t id;
    struct domain *d;

    if (copy_from_guest(&id, arg, sizeof(id)) < 0)
        return -EFAULT;
    long rc = target_domain(v, id, &d);
    if (rc)
        return rc;
    long pages = (long)(cmd == XENMEM_current_reservation ? d->tot_pages : d->max_pages);
    if (d != v->domain)
        domain_put(d);
    return pages;
}

static long machphys_mfn_list(uint64_t arg)
{
    struct xen_machphys_mfn_list ml;
    uint64_t first, frames;

    if (copy_from_guest(&ml, arg, sizeof(ml)) < 0)
        return -EFAULT;
    m2p_frames(&first, &frames);
    /* One extent per 2 MiB of the table, as Xen reports them. */
    unsigned n = (unsigned)((frames + 511) / 512);
    if (n > ml.max_extents)
        n = ml.max_extents;
    for (unsigned i = 0; i < n; i++) {
        xen_pfn_t mfn = first + (uint64_t)i * 512;
        if (copy_to_guest((uint64_t)(uintptr_t)ml.extent_start.p + i * sizeof(mfn), &mfn,
                          sizeof(mfn)) < 0)
            return -EFAULT;
    }
    ml.nr_extents = n;
    return copy_to_guest(arg, &ml, sizeof(ml)) < 0 ? -EFAULT : 0;
}

static long machine_memory_map(struct vcpu *v, uint64_t arg)
{
    struct xen_memory_map map;

    if (copy_from_guest(&map, arg, sizeof(map)) < 0)
        return -EFAULT;
    if (!v->domain->is_privileged)
        return -EPERM;
    unsigned n = MIN(map.nr_entries, boot_info.nr_mem);
    for (unsigned i = 0; i < n; i++) {
        struct __attribute__((packed)) { uint64_t addr, size; uint32_t type; } e = {
            boot_info.mem[i].base, boot_info.mem[i].length, boot_info.mem[i].type };
        if (copy_to_guest((uint64_t)(uintptr_t)map.buffer.p + i * sizeof(e), &e, sizeof(e)) < 0)
            return -EFAULT;
    }
    map.nr_entries = n;
    return copy_to_guest(arg, &map, sizeof(map)) < 0 ? -EFAULT : 0;
}

/*
 * An unprivileged domain sees its memory as one RAM region
 * from pseudo-physical 0, as Xen's toolstack sets it up for PV guests; the
 * initial domain has none (it reads the machine map instead).
 */
static long pseudo_physical_map(struct vcpu *v, uint64_t arg)
{
    struct xen_memory_map map;
    struct __attribute__((packed)) { uint64_t addr, size; uint32_t type; } ram = {
        0, v->domain->max_pages << PAGE_SHIFT, 1 /* E820 RAM */ };

    if (copy_from_guest(&map, arg, sizeof(map)) < 0)
        return -EFAULT;
    if (v->domain->is_privileged)
        return -ENOSYS;
    map.nr_entries = MIN(map.nr_entries, 1u);
    if (map.nr_entries &&
        copy_to_guest((uint64_t)(uintptr_t)map.buffer.p, &ram, sizeof(ram)) < 0)
        return -EFAULT;
    return copy_to_guest(arg, &map, sizeof(map)) < 0 ? -EFAULT : 0;
}

long hc_memory_op(struct vcpu *v, uint64_t op, uint64_t arg)
{
    unsigned cmd = (unsigned)op & MEMOP_CMD_MASK;
    uint64_t start = op >> MEMOP_EXTENT_SHIFT;   /* the reservation ops resume; acquire_resource takes a start too */

    if (start != 0 && cmd != XENMEM_increase_reservation &&
        cmd != XENMEM_decrease_reservation && cmd != XENMEM_populate_physmap &&
        cmd != XENMEM_acquire_resource)
        return -ENOSYS;
    switch (cmd) {
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
        return reservation_query(v, cmd, arg);
    case XENMEM_maximum_ram_page:
        return (long)m2p_nr_entries();
    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = RO_MPT_VIRT_START,
            .v_end = RO_MPT_VIRT_START + m2p_nr_entries() * sizeof(uint64_t),
            .max_mfn = m2p_nr_entries() - 1,
        };
        return copy_to_guest(arg, &m, sizeof(m)) < 0 ? -EFAULT : 0;
    }
    case XENMEM_machphys_mfn_list:
        return machphys_mfn_list(arg);
    case XENMEM_machine_memory_map:
        return machine_memory_map(v, arg);
    case XENMEM_memory_map: {
        long rc;
        if (pv_memory_map_from_toolstack(v, arg, &rc))
            return rc;
        return pseudo_physical_map(v, arg);
    }
    case XENMEM_set_memory_map:
        return pv_memory_set_map(v, arg);
    case XENMEM_maximum_gpfn:
        return pv_memory_maximum_gpfn(v, arg);
    case XENMEM_claim_pages:
        return pv_memory_claim(v, arg);
    case XENMEM_get_sharing_freed_pages:
    case XENMEM_get_sharing_shared_pages:
        return 0;   /* no memory sharing */
    case XENMEM_acquire_resource:
        return pv_memory_acquire_resource(v, start, arg);
    case XENMEM_add_to_physmap: {
        struct xen_add_to_physmap atp;
        if (copy_from_guest(&atp, arg, sizeof(atp)) < 0)
            return -EFAULT;
        return -EACCES;   /* PV guests map frames themselves */
    }
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return pv_memory_reservation(v, cmd, start, arg);
    case XENMEM_exchange:
        return pv_memory_exchange(v, arg);
    default:
        return -ENOSYS;
    }
}
