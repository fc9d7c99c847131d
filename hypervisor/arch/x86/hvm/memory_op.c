/*
 * memory_op from an HVM/PVH guest (Xen's hvm_memory_op): its memory map
 * and putting the shared_info page into its physical address space. The
 * PV operations on machine frames (the m2p, exchanges, reservations) are
 * not offered yet: each is -ENOSYS, said once in the log.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <pvabi/hvm_start_info.h>
#include <pvabi/memory.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>
#include "hvm_internal.h"


static long add_to_physmap(struct vcpu *v, uint64_t arg)
{
    struct xen_add_to_physmap x;

    if (copy_from_guest(&x, arg, sizeof(x)) < 0)
        return -EFAULT;
    if (x.domid != DOMID_SELF && x.domid != v->domain->domain_id)
        return -EPERM;
    switch (x.space) {
    case XENMAPSPACE_shared_info:
        if (x.idx != 0)
            return -EINVAL;     /* the only page of that space */
        return hvm_map_shared_info(v->domain, x.gpfn);
    case XENMAPSPACE_grant_table:
        if (x.idx & XENMAPIDX_grant_table_status) {
            hvm_log_unsupported(v, "XENMEM_add_to_physmap of grant status frames (v2)", x.idx);
            return -EOPNOTSUPP;
        }
        return hvm_map_grant_frame(v->domain, (unsigned)x.idx, x.gpfn);
    default:
        hvm_log_unsupported(v, "XENMEM_add_to_physmap space", x.space);
        return -ENOSYS;
    }
}

/* XENMEM_memory_map: the map the start info holds too (hvm_memory_map). */
static long memory_map(struct vcpu *v, uint64_t arg)
{
    struct xen_memory_map m;
    struct hvm_memmap_table_entry map[HVM_MEMMAP_MAX];

    if (copy_from_guest(&m, arg, sizeof(m)) < 0)
        return -EFAULT;
    unsigned n = hvm_memory_map(v->domain, map);
    if (m.nr_entries < n)
        n = m.nr_entries;
    for (unsigned i = 0; i < n; i++) {
        /* The e820 entry: address, size, type, 20 bytes with no padding. */
        uint8_t e[20];
        memcpy(e, &map[i].addr, 8);
        memcpy(e + 8, &map[i].size, 8);
        memcpy(e + 16, &map[i].type, 4);
        if (copy_to_guest((uint64_t)(uintptr_t)m.buffer.p + i * sizeof(e), e, sizeof(e)) < 0)
            return -EFAULT;
    }
    m.nr_entries = n;
    return copy_to_guest(arg, &m, sizeof(m)) < 0 ? -EFAULT : 0;
}

long hvm_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg)
{
    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_add_to_physmap:
        return add_to_physmap(v, arg);
    case XENMEM_memory_map:
        return memory_map(v, arg);
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        domid_t domid;
        if (copy_from_guest(&domid, arg, sizeof(domid)) < 0)
            return -EFAULT;
        if (domid != DOMID_SELF && domid != v->domain->domain_id)
            return -EPERM;
        return (long)(cmd == XENMEM_current_reservation ? v->domain->tot_pages
                                                         : v->domain->max_pages);
    }
    default:
        hvm_log_unsupported(v, "memory_op", cmd & MEMOP_CMD_MASK);
        return -ENOSYS;
    }
}
