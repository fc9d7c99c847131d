/*
 * Another domain's memory, as a domain builder in the control domain uses
 * it (libxc through Linux's privcmd): Xen 4.17's answers.
 *
 * As the control domain, for each target domain:
 *  - reservation ops on it inside one-entry multicalls (libxc's way):
 *    claim_pages, populate_physmap, increase/decrease_reservation charged
 *    to it and bounded by its max_pages; set_memory_map, maximum_gpfn;
 *  - mmu_update with foreigndom = target: its frames mapped writable and
 *    read-only into our own L1 entries (writes seen through both), the
 *    m2p written for its frames (MMU_MACHPHYS_UPDATE), our own frame and
 *    upper-level entries refused; its tables pinned (MMUEXT_PIN_L1/L4 with
 *    foreigndom) are refused writable, mapped read-only, unpinned;
 *  - GNTTABOP_setup_table for it: its grant frame mapped, entries 0 and 1
 *    seeded as the builder seeds them (console, xenstore), entry 1 then
 *    mapped by us through the grant table;
 *  - EVTCHNOP_alloc_unbound for it with us as the remote end, bound by us;
 *    and a port of our own bound to ourselves (xenstored's store port);
 *  - the memory-sharing counters (0); the m2p's first frame mapped
 *    read-only through foreigndom DOMID_XEN (writable -EBUSY).
 * Targets: a domain we create (XEN_DOMCTL_createdomain; its shared_info is
 * mapped too, and at the end it is destroyed while one of its frames is
 * still mapped: the frame stays ours to use until we unmap it, then the
 * domain is gone and memory comes back), and with "target=N" on the
 * command line an existing domain N as well (Tessera's boot-module pair,
 * where that domain runs this kernel unprivileged).
 *
 * Unprivileged (a domU), with "peer=N" the control domain (0 without):
 * every foreign path aimed at N is refused (mmu_update/mmuext_op/memory_op/
 * setup_table/alloc_unbound). With peer given it first gives 16 pages back
 * (room for the control domain's populate) and offers N a port, and waits
 * at the end until N signals it there that it is done with us.
 */
#define PVABI_TOOLSTACK
#include "guest.h"
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>

const char test_title[] = "foreign memory: a control domain builds and maps another domain";

#define MMU_NORMAL_PT_UPDATE_  0
#define MMU_MACHPHYS_UPDATE_   1
#define MAX_PAGES 24                    /* the created domain's limit */
#define XENMEM_get_sharing_freed_pages  18
#define XENMEM_get_sharing_shared_pages 19
#define XENMEM_claim_pages              24
#define ENTRIES 512

static char win_a[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char win_b[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char win_c[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char scratch[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* ---- hypercall helpers ---- */

static long domctl(struct xen_domctl *d)
{
    d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_domctl, (unsigned long)d);
}

static long sysctl(struct xen_sysctl *s)
{
    s->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_sysctl, (unsigned long)s);
}

/* memory_op as libxc issues it: the only entry of a multicall, the 64-bit result from the entry. */
static long memop(unsigned int cmd, void *arg)
{
    struct multicall_entry mc = { .op = __HYPERVISOR_memory_op,
                                  .args = { cmd, (unsigned long)arg } };
    long rc = hyp_multicall(&mc, 1);
    if (!CHECK_EQ(rc, 0, "multicall around memory_op"))
        return rc;
    return (long)mc.result;
}

static long reservation(unsigned int cmd, domid_t dom, xen_pfn_t *list, unsigned long n)
{
    struct xen_memory_reservation r = { .nr_extents = n, .extent_order = 0, .domid = dom };
    set_xen_guest_handle(r.extent_start, list);
    return memop(cmd, &r);
}

static uint64_t entry_mfn(uint64_t e) { return (e & 0x000FFFFFFFFFF000ULL) >> PAGE_SHIFT; }

/* A table of ours by its entry: our test kernels run at VIRT_BASE 0, so pfn << 12 is its address. */
static uint64_t *table_of(uint64_t e)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    return (uint64_t *)(m2p[entry_mfn(e)] << PAGE_SHIFT);
}

/* The machine address of the L1 entry that maps va (a page of our image). */
static uint64_t l1e_maddr(const void *va)
{
    unsigned long a = (unsigned long)va;
    uint64_t *t = (uint64_t *)guest_start_info->pt_base;
    for (int level = 4; level > 1; level--)
        t = table_of(t[(a >> (12 + 9 * (level - 1))) & 511]);
    return ((uint64_t)virt_to_mfn(t) << PAGE_SHIFT) + ((a >> 12) & 511) * 8;
}

/* One MMU_NORMAL_PT_UPDATE of va's L1 entry, mapping frame mfn of domain dom. */
static long map_foreign(void *va, uint64_t mfn, unsigned long flags, domid_t dom)
{
    struct mmu_update u = { .ptr = l1e_maddr(va) | MMU_NORMAL_PT_UPDATE_,
                            .val = (mfn << PAGE_SHIFT) | flags };
    unsigned int done = 0;
    long rc = hyp_mmu_update(&u, 1, &done, dom);
    CHECK(done == (rc == 0 ? 1u : 0u), "mmu_update done count %u for rc %ld", done, rc);
    if (rc == 0)
        hyp_mmuext_op(&(struct mmuext_op){ .cmd = MMUEXT_TLB_FLUSH_LOCAL }, 1, NULL, DOMID_SELF);
    return rc;
}

static long mmuext_on(unsigned int cmd, uint64_t mfn, domid_t dom)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return hyp_mmuext_op(&op, 1, NULL, dom);
}

static long machphys(uint64_t mfn, uint64_t pfn, domid_t dom)
{
    struct mmu_update u = { .ptr = (mfn << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE_, .val = pfn };
    return hyp_mmu_update(&u, 1, NULL, dom);
}

static uint64_t free_pages(void)
{
    struct xen_sysctl s = { .cmd = XEN_SYSCTL_physinfo };
    if (!CHECK_EQ(sysctl(&s), 0, "sysctl physinfo"))
        return 0;
    return s.u.physinfo.free_pages;
}

/* ---- the control domain's side ---- */

/* The m2p through foreigndom DOMID_XEN (what save/restore maps): read-only only. */
static void xen_frames(void)
{
    xen_pfn_t first = 0;
    struct xen_machphys_mfn_list ml = { .max_extents = 1 };
    set_xen_guest_handle(ml.extent_start, &first);
    if (!CHECK_EQ(memop(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list") ||
        !CHECK_EQ(ml.nr_extents, 1, "machphys_mfn_list extents"))
        return;
    if (CHECK_EQ(map_foreign(win_c, first, PTE_KERNEL_RO, DOMID_XEN), 0,
                 "the m2p's first frame read-only through DOMID_XEN")) {
        CHECK(!memcmp(win_c, (const void *)MACH2PHYS_VIRT_START, 64),
              "that frame is not the start of the m2p");
        CHECK_EQ(unmap_machine_page(win_c), 0, "unmap it");
    }
    CHECK_EQ(map_foreign(win_c, first, PTE_KERNEL_RW, DOMID_XEN), -XEN_EBUSY,
             "the m2p writable through DOMID_XEN");
}


/*
 * A reservation op long enough to be preempted, inside a one-entry
 * multicall: its result must still be the whole count. A continuation
 * leaves its resume point in the entry's cmd argument (bits above 6), which
 * says whether one happened.
 */
#define LONG_EXTENTS 4096
static xen_pfn_t long_list[LONG_EXTENTS];

static long long_memop(unsigned int cmd, domid_t t, unsigned long *continued_at)
{
    struct xen_memory_reservation r = { .nr_extents = LONG_EXTENTS, .domid = t };
    set_xen_guest_handle(r.extent_start, long_list);
    struct multicall_entry mc = { .op = __HYPERVISOR_memory_op,
                                  .args = { cmd, (unsigned long)&r } };
    if (!CHECK_EQ(hyp_multicall(&mc, 1), 0, "multicall around a long memory_op"))
        return -1;
    *continued_at = mc.args[0] >> 6;
    return (long)mc.result;
}

static void long_reservation(domid_t t, long have)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_max_mem, .domain = t };
    d.u.max_mem.max_memkb = (MAX_PAGES + LONG_EXTENTS) * 4;
    if (!CHECK_EQ(domctl(&d), 0, "max_mem raised"))
        return;
    unsigned long grow_at, shrink_at;
    for (unsigned i = 0; i < LONG_EXTENTS; i++)
        long_list[i] = 0x1000 + i;
    CHECK_EQ(long_memop(XENMEM_populate_physmap, t, &grow_at), LONG_EXTENTS,
             "populate_physmap of 4096 in one multicall");
    CHECK_EQ(memop(XENMEM_current_reservation, &t), have + LONG_EXTENTS, "its reservation then");
    CHECK_EQ(long_memop(XENMEM_decrease_reservation, t, &shrink_at), LONG_EXTENTS,
             "decrease_reservation of 4096 in one multicall");
    CHECK_EQ(memop(XENMEM_current_reservation, &t), have, "its reservation back");
    printk("foreign: 4096-extent populate and decrease in a multicall; last continued at %lu and %lu\n",
           grow_at, shrink_at);
    d.u.max_mem.max_memkb = MAX_PAGES * 4;
    CHECK_EQ(domctl(&d), 0, "max_mem back");
}

static void memory_ops(domid_t t, xen_pfn_t *mfns, bool created)
{
    char what[80];

    if (created) {
        struct xen_memory_reservation claim = { .nr_extents = 16, .domid = t };
        CHECK_EQ(memop(XENMEM_claim_pages, &claim), 0, "claim_pages 16");
        CHECK_EQ(memop(XENMEM_claim_pages, &claim), -XEN_EINVAL, "a second claim");
        claim.nr_extents = MAX_PAGES + 1;
        claim.extent_order = 1;
        CHECK_EQ(memop(XENMEM_claim_pages, &claim), -XEN_EINVAL, "claim with an extent order");
        claim.nr_extents = 0;
        claim.extent_order = 0;
        CHECK_EQ(memop(XENMEM_claim_pages, &claim), 0, "cancel the claim");
    }
    long before = memop(XENMEM_current_reservation, &t);
    CHECK(before >= 0, "current_reservation of d%u: %ld", t, before);
    for (unsigned i = 0; i < 8; i++)
        mfns[i] = 0x100 + i;        /* the pfns they are for */
    CHECK_EQ(reservation(XENMEM_populate_physmap, t, mfns, 8), 8, "populate_physmap 8 for it");
    CHECK_EQ(memop(XENMEM_current_reservation, &t), before + 8, "its reservation after populate");
    xen_pfn_t more[2];
    CHECK_EQ(reservation(XENMEM_increase_reservation, t, more, 2), 2, "increase_reservation 2");
    CHECK_EQ(reservation(XENMEM_decrease_reservation, t, more, 2), 2, "decrease_reservation 2");
    CHECK_EQ(memop(XENMEM_current_reservation, &t), before + 8, "its reservation back");
    if (created) {
        /* Its limit: only up to max_pages, the count says how many extents were done. */
        xen_pfn_t big[MAX_PAGES];
        for (unsigned i = 0; i < MAX_PAGES; i++)
            big[i] = 0x200 + i;
        snprintf(what, sizeof(what), "populate %u with %ld of %u used", MAX_PAGES, before + 8,
                 MAX_PAGES);
        long got = reservation(XENMEM_populate_physmap, t, big, MAX_PAGES);
        CHECK_EQ(got, MAX_PAGES - (before + 8), what);
        if (got > 0)
            CHECK_EQ(reservation(XENMEM_decrease_reservation, t, big, (unsigned long)got), got,
                     "give the extra frames back");
        long_reservation(t, before + 8);
        struct xen_foreign_memory_map fmap = { .domid = t, .map.nr_entries = 1 };
        struct __attribute__((packed)) { uint64_t addr, size; uint32_t type; } e820 = {
            0, (uint64_t)MAX_PAGES << PAGE_SHIFT, 1 };
        set_xen_guest_handle(fmap.map.buffer, &e820);
        CHECK_EQ(memop(XENMEM_set_memory_map, &fmap), 0, "set_memory_map for it");
        fmap.map.nr_entries = 1025;
        CHECK_EQ(memop(XENMEM_set_memory_map, &fmap), -XEN_EINVAL, "set_memory_map of 1025 entries");
    }
    CHECK_EQ(memop(XENMEM_get_sharing_freed_pages, NULL), 0, "get_sharing_freed_pages");
    CHECK_EQ(memop(XENMEM_get_sharing_shared_pages, NULL), 0, "get_sharing_shared_pages");
    CHECK(memop(XENMEM_maximum_ram_page, NULL) > 0, "maximum_ram_page");
    domid_t none = 0x7000;
    CHECK_EQ(memop(XENMEM_current_reservation, &none), -XEN_ESRCH, "reservation of no domain");
    CHECK_EQ(reservation(XENMEM_populate_physmap, none, mfns, 1), 0,
             "populate for no domain (no extent done)");
}

static void m2p_ops(domid_t t, const xen_pfn_t *mfns)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    CHECK_EQ(machphys(mfns[1], 0x4242, t), 0, "MMU_MACHPHYS_UPDATE of its frame");
    CHECK_EQ(m2p[mfns[1]], 0x4242, "the m2p says so");
    CHECK_EQ(machphys(mfns[1], 0x101, t), 0, "MMU_MACHPHYS_UPDATE back");
    CHECK_EQ(machphys(virt_to_mfn(scratch), 7, t), -XEN_EINVAL,
             "MMU_MACHPHYS_UPDATE of our frame with foreigndom");
}

static void map_ops(domid_t t, const xen_pfn_t *mfns)
{
    volatile uint64_t *a = (volatile uint64_t *)win_a, *b = (volatile uint64_t *)win_b;

    if (!CHECK_EQ(map_foreign(win_a, mfns[0], PTE_KERNEL_RW, t), 0, "map its frame writable"))
        return;
    for (unsigned i = 0; i < ENTRIES; i++)
        a[i] = 0xf0e1d2c3b4a59687ULL + i;
    CHECK_EQ(map_foreign(win_b, mfns[0], PTE_KERNEL_RO, t), 0, "map the same frame read-only");
    CHECK(b[0] == 0xf0e1d2c3b4a59687ULL && b[ENTRIES - 1] == 0xf0e1d2c3b4a59687ULL + 511,
          "read-only view does not show the writes: %#lx", (unsigned long)b[0]);
    a[3] = 0x1234;
    CHECK_EQ(b[3], 0x1234, "a write through the writable view");
    CHECK_EQ(map_foreign(win_c, mfns[2], PTE_KERNEL_RO, t), 0, "map another frame read-only");

    /* Refusals, Xen's answers. */
    CHECK_EQ(map_foreign(win_c, virt_to_mfn(scratch), PTE_KERNEL_RO, t), -XEN_EBUSY,
             "our own frame with foreigndom");
    CHECK_EQ(map_foreign(win_c, mfns[2], PTE_KERNEL_RO, 0x7000), -XEN_ESRCH,
             "foreigndom that does not exist");
    CHECK_EQ(map_foreign(win_c, mfns[2], PTE_KERNEL_RO, guest_domid), -XEN_ESRCH,
             "our own id as foreigndom");
    /* Entry 0 of our L3, rewritten unchanged: refused before anything is written. */
    const uint64_t *l3 = table_of(((uint64_t *)guest_start_info->pt_base)[0]);
    struct mmu_update up = { .ptr = ((uint64_t)virt_to_mfn(l3) << PAGE_SHIFT) | MMU_NORMAL_PT_UPDATE_,
                             .val = l3[0] };
    CHECK_EQ(hyp_mmu_update(&up, 1, NULL, t), -XEN_EINVAL, "an L3 entry with foreigndom");

    /* Its tables: pinned for it, never writable, readable. */
    memset((void *)a, 0, PAGE_SIZE);
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, mfns[0], t), -XEN_EINVAL,
             "pin an L1 of its still mapped writable");
    CHECK_EQ(unmap_machine_page(win_a), 0, "unmap the writable view");
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, mfns[0], t), 0, "pin its L1 (foreigndom)");
    CHECK_EQ(map_foreign(win_a, mfns[0], PTE_KERNEL_RW, t), -XEN_EBUSY,
             "its pinned L1 writable");
    CHECK_EQ(b[0], 0, "its L1 read through the read-only view");
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, mfns[0], t), -XEN_EINVAL, "pin it again");
    CHECK_EQ(mmuext_on(MMUEXT_UNPIN_TABLE, mfns[0], t), 0, "unpin it");
    CHECK_EQ(mmuext_on(MMUEXT_UNPIN_TABLE, mfns[0], t), -XEN_EINVAL, "unpin it again");
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, virt_to_mfn(scratch), t), -XEN_EINVAL,
             "pin our frame for it");
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, mfns[3], guest_domid), -XEN_ESRCH,
             "pin with our own id as foreigndom");
    CHECK_EQ(mmuext_on(MMUEXT_TLB_FLUSH_LOCAL, 0, t), -XEN_EPERM,
             "a flush with foreigndom");
    /* An L4 of its (all zero but the hypervisor's slots), the builder's pin. */
    if (CHECK_EQ(map_foreign(win_a, mfns[3], PTE_KERNEL_RW, t), 0, "map its next frame")) {
        memset(win_a, 0, PAGE_SIZE);
        CHECK_EQ(unmap_machine_page(win_a), 0, "unmap it");
    }
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L4_TABLE, mfns[3], t), 0, "pin its L4 (foreigndom)");
    CHECK_EQ(map_foreign(win_a, mfns[3], PTE_KERNEL_RW, t), -XEN_EBUSY, "its L4 writable");
    CHECK_EQ(mmuext_on(MMUEXT_UNPIN_TABLE, mfns[3], t), 0, "unpin its L4");
    CHECK_EQ(map_foreign(win_a, mfns[3], PTE_KERNEL_RW, t), 0, "writable again once unpinned");
    CHECK_EQ(unmap_machine_page(win_a), 0, "unmap");
    CHECK_EQ(unmap_machine_page(win_b), 0, "unmap the read-only view");
    CHECK_EQ(unmap_machine_page(win_c), 0, "unmap the other frame");
}

#define STORE_MARK "the builder's xenstore page"
static void strcpy_mark(char *page)
{
    memcpy(page, STORE_MARK, sizeof(STORE_MARK));
}

static void grant_ops(domid_t t, const xen_pfn_t *mfns)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = t, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    if (!CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table for it") ||
        !CHECK_EQ(st.status, GNTST_okay, "setup_table status"))
        return;
    struct gnttab_query_size qs = { .dom = t };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_query_size, &qs, 1), 0, "query_size for it");
    CHECK(qs.status == GNTST_okay && qs.nr_frames >= 1, "query_size: status %d, %u frames",
          qs.status, qs.nr_frames);
    if (!CHECK_EQ(map_foreign(win_a, frame, PTE_KERNEL_RW, t), 0, "map its grant frame 0"))
        return;
    /* The page grant 1 will name, marked so that the grant mapping shows it. */
    if (CHECK_EQ(map_foreign(win_c, mfns[5], PTE_KERNEL_RW, t), 0, "map its store page")) {
        strcpy_mark(win_c);
        CHECK_EQ(unmap_machine_page(win_c), 0, "unmap its store page");
    }
    grant_entry_v1_t *gt = (grant_entry_v1_t *)win_a;
    /* As the builder: console (ref 0) and xenstore (ref 1) pages, granted to us. */
    gt[0].domid = 0;
    gt[0].frame = (uint32_t)mfns[4];
    gt[1].domid = 0;
    gt[1].frame = (uint32_t)mfns[5];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[0].flags = GTF_permit_access;
    gt[1].flags = GTF_permit_access;
    CHECK_EQ(unmap_machine_page(win_a), 0, "unmap its grant frame");

    struct gnttab_map_grant_ref map = { .host_addr = (unsigned long)win_b, .flags = GNTMAP_host_map,
                                        .ref = 1, .dom = t };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &map, 1), 0, "map its grant 1");
    if (CHECK_EQ(map.status, GNTST_okay, "map its grant 1: status")) {
        CHECK_EQ(map.dev_bus_addr >> PAGE_SHIFT, mfns[5], "grant 1 is the frame seeded");
        CHECK(!memcmp(win_b, STORE_MARK, sizeof(STORE_MARK)), "grant 1 does not show the mark");
        struct gnttab_unmap_grant_ref un = { .host_addr = (unsigned long)win_b,
                                             .handle = map.handle };
        CHECK_EQ(hyp_grant_table_op(GNTTABOP_unmap_grant_ref, &un, 1), 0, "unmap grant 1");
        CHECK_EQ(un.status, GNTST_okay, "unmap grant 1: status");
        CHECK_EQ(unmap_machine_page(win_b), 0, "our own page back under the grant's address");
    }
    st.dom = 0x7000;
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table for no domain");
    CHECK_EQ(st.status, GNTST_bad_domain, "setup_table for no domain: status");
}

static void event_ops(domid_t t)
{
    struct evtchn_alloc_unbound alloc = { .dom = t, .remote_dom = 0 };
    if (CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), 0,
                 "alloc_unbound in it for us")) {
        struct evtchn_status s = { .dom = t, .port = alloc.port };
        CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &s), 0, "status of its port");
        CHECK(s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == 0,
              "its port: status %u, remote %u", s.status, s.u.unbound.dom);
        struct evtchn_bind_interdomain bind = { .remote_dom = t, .remote_port = alloc.port };
        if (CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bind), 0, "bind to it"))
            CHECK_EQ(evtchn_close_port(bind.local_port), 0, "close our end");
    }
    /* Our own store port, as Linux dom0 makes it and xenstored binds it. */
    struct evtchn_alloc_unbound self = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &self), 0, "alloc_unbound for ourselves"))
        return;
    struct evtchn_bind_interdomain loop = { .remote_dom = guest_domid, .remote_port = self.port };
    if (CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_interdomain, &loop), 0,
                 "bind to our own unbound port")) {
        evtchn_mask_port(self.port);
        (void)evtchn_test_and_clear_pending(self.port);
        CHECK_EQ(evtchn_send_port(loop.local_port), 0, "send on the bound end");
        CHECK(evtchn_test_and_clear_pending(self.port), "the other end is pending");
        CHECK_EQ(evtchn_close_port(loop.local_port), 0, "close the bound end");
        evtchn_unmask_port(self.port);
    }
    CHECK_EQ(evtchn_close_port(self.port), 0, "close the store port");
}

static domid_t create_target(void)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_createdomain, .domain = 0xffff };
    d.u.createdomain = (struct xen_domctl_createdomain){
        .max_vcpus = 1, .max_evtchn_port = 1023, .max_grant_frames = 4,
        .max_maptrack_frames = 128, .grant_opts = XEN_DOMCTL_GRANT_version(1) };
    long rc = domctl(&d);
    if (rc) {
        test_fail("createdomain: %ld", rc);
        return DOMID_INVALID;
    }
    domid_t t = d.domain;
    d = (struct xen_domctl){ .cmd = XEN_DOMCTL_max_mem, .domain = t };
    d.u.max_mem.max_memkb = MAX_PAGES * 4;
    CHECK_EQ(domctl(&d), 0, "max_mem");
    printk("foreign: created domain %u\n", t);
    return t;
}

static struct xen_domctl_getdomaininfo info_of(domid_t t, long *rc)
{
    struct xen_domctl d = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = t };
    *rc = domctl(&d);
    if (*rc == 0 && d.u.getdomaininfo.domain != t)
        *rc = -XEN_ESRCH;    /* the next domain after it */
    return d.u.getdomaininfo;
}

/* Its shared_info is the builder's to fill: mapped writable, max_pfn read back as maximum_gpfn. */
static void shared_info_ops(domid_t t)
{
    long rc;
    struct xen_domctl_getdomaininfo di = info_of(t, &rc);
    if (!CHECK_EQ(rc, 0, "getdomaininfo of it"))
        return;
    if (!CHECK_EQ(map_foreign(win_a, di.shared_info_frame, PTE_KERNEL_RW, t), 0,
                  "map its shared_info writable"))
        return;
    shared_info_t *si = (shared_info_t *)win_a;
    si->arch.max_pfn = 0x108;
    CHECK_EQ(unmap_machine_page(win_a), 0, "unmap its shared_info");
    CHECK_EQ(memop(XENMEM_maximum_gpfn, &t), 0x107, "maximum_gpfn from its max_pfn");
}

/* Destroyed while one of its frames is mapped: the frame outlives it until unmapped. */
static void destroy_while_mapped(domid_t t, const xen_pfn_t *mfns)
{
    volatile uint64_t *a = (volatile uint64_t *)win_a;
    if (!CHECK_EQ(map_foreign(win_a, mfns[6], PTE_KERNEL_RW, t), 0, "map a frame to keep"))
        return;
    a[0] = 0xdeadbeefcafe;
    struct xen_domctl d = { .cmd = XEN_DOMCTL_destroydomain, .domain = t };
    CHECK_EQ(domctl(&d), 0, "destroydomain");
    uint64_t free_mapped = free_pages();
    CHECK_EQ(a[0], 0xdeadbeefcafe, "the kept frame after the destroy");
    a[1] = 77;
    CHECK_EQ(a[1], 77, "the kept frame is still writable");
    CHECK_EQ(map_foreign(win_b, mfns[7], PTE_KERNEL_RO, t), -XEN_EBUSY,
             "a new mapping of the destroyed domain's frame");
    CHECK_EQ(unmap_machine_page(win_a), 0, "unmap the kept frame");
    uint64_t free_after = free_pages();
    long rc;
    (void)info_of(t, &rc);
    CHECK_EQ(rc, -XEN_ESRCH, "the domain once its last frame is unmapped");
    CHECK(free_after > free_mapped, "free pages %lu after the unmap, %lu while mapped",
          (unsigned long)free_after, (unsigned long)free_mapped);
    printk("foreign: free pages %lu while mapped, %lu after the unmap\n",
           (unsigned long)free_mapped, (unsigned long)free_after);
}

/*
 * Frames a destroyed domain held reach the next domain zeroed (Xen scrubs a
 * dying domain's pages): one domain's frames filled with a pattern, the
 * domain destroyed, a new one populated and every frame of it read.
 */
#define SCRUB_PAGES 16

/* A new domain with SCRUB_PAGES frames (pfns 0x100 on): *n of them, in frames. */
static domid_t populated_target(xen_pfn_t *frames, long *n)
{
    domid_t t = create_target();
    *n = 0;
    if (t == DOMID_INVALID)
        return t;
    for (unsigned i = 0; i < SCRUB_PAGES; i++)
        frames[i] = 0x100 + i;
    *n = reservation(XENMEM_populate_physmap, t, frames, SCRUB_PAGES);
    CHECK_EQ(*n, SCRUB_PAGES, "populate a new domain");
    return t;
}

static void frames_zeroed_between_domains(void)
{
    xen_pfn_t old[SCRUB_PAGES], got[SCRUB_PAGES];
    long n, m;
    domid_t a = populated_target(old, &n);
    if (a == DOMID_INVALID)
        return;
    for (long i = 0; i < n; i++) {
        if (!CHECK_EQ(map_foreign(win_a, old[i], PTE_KERNEL_RW, a), 0, "map its frame"))
            break;
        for (unsigned w = 0; w < ENTRIES; w++)
            ((volatile uint64_t *)win_a)[w] = 0x5ec7e75ec7e70000ULL + w;
        CHECK_EQ(unmap_machine_page(win_a), 0, "unmap its frame");
    }
    struct xen_domctl d = { .cmd = XEN_DOMCTL_destroydomain, .domain = a };
    CHECK_EQ(domctl(&d), 0, "destroy the first domain");

    domid_t b = populated_target(got, &m);
    if (b == DOMID_INVALID)
        return;
    unsigned dirty = 0, reused = 0;
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++)
            reused += got[i] == old[j];
        if (!CHECK_EQ(map_foreign(win_a, got[i], PTE_KERNEL_RO, b), 0, "map the new frame"))
            break;
        for (unsigned w = 0; w < ENTRIES; w++)
            if (((volatile uint64_t *)win_a)[w]) {
                dirty++;
                break;
            }
        CHECK_EQ(unmap_machine_page(win_a), 0, "unmap the new frame");
    }
    CHECK(dirty == 0, "%u of %ld frames populated for a new domain held another domain's data",
          dirty, m);
    printk("foreign: a new domain's %ld frames read zero (%u were the destroyed domain's)\n", m,
           reused);
    d = (struct xen_domctl){ .cmd = XEN_DOMCTL_destroydomain, .domain = b };
    CHECK_EQ(domctl(&d), 0, "destroy the second domain");
}

/*
 * A running target (Tessera's boot-module pair) first makes room under its
 * limit for what we populate, then offers us a port: found by its status.
 */
static evtchn_port_t wait_for_target(domid_t t)
{
    uint64_t deadline = system_time_ns() + 60000000000ULL;
    do {
        long now = hyp_memory_op(XENMEM_current_reservation, &t);
        long max = hyp_memory_op(XENMEM_maximum_reservation, &t);
        /* Its pages given back, it makes the port: its newest, so the highest unbound to us. */
        for (evtchn_port_t p = 63; now >= 0 && now + 16 <= max && p > 0; p--) {
            struct evtchn_status s = { .dom = t, .port = p };
            if (hyp_event_channel_op(EVTCHNOP_status, &s) == 0 &&
                s.status == EVTCHNSTAT_unbound && s.u.unbound.dom == guest_domid)
                return p;
        }
        guest_sleep_ns(10000000);
    } while (system_time_ns() < deadline);
    test_fail("domain %u never offered a port", t);
    return 0;
}

static void control_domain(void)
{
    xen_pfn_t mfns[8];
    long target = cmdline_number("target", -1);

    if (target >= 0) {
        domid_t t = (domid_t)target;
        evtchn_port_t done_port = wait_for_target(t);
        printk("foreign: existing domain %u, its port %u waits for us\n", t, done_port);
        memory_ops(t, mfns, false);
        m2p_ops(t, mfns);
        map_ops(t, mfns);
        grant_ops(t, mfns);
        event_ops(t);
        CHECK_EQ(reservation(XENMEM_decrease_reservation, t, mfns, 8), 8,
                 "give its 8 frames back");
        /* Done with it: tell it so on the port it offered. */
        struct evtchn_bind_interdomain bind = { .remote_dom = t, .remote_port = done_port };
        if (done_port &&
            CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bind), 0, "bind its port"))
            CHECK_EQ(evtchn_send_port(bind.local_port), 0, "signal it");
        if (cmdline_has("no-create")) {
            xen_frames();
            return;
        }
    }
    xen_frames();
    uint64_t free_before = free_pages();
    domid_t t = create_target();
    if (t == DOMID_INVALID)
        return;
    memory_ops(t, mfns, true);
    m2p_ops(t, mfns);
    map_ops(t, mfns);
    grant_ops(t, mfns);
    event_ops(t);
    shared_info_ops(t);
    destroy_while_mapped(t, mfns);
    printk("foreign: free pages %lu before the create\n", (unsigned long)free_before);
    frames_zeroed_between_domains();
}

/* ---- an unprivileged domain: every foreign path aimed at the control domain refused ---- */

static void unprivileged(domid_t peer)
{
    xen_pfn_t list[1] = { 0x100 };
    CHECK_EQ(map_foreign(win_a, 1, PTE_KERNEL_RO, peer), -XEN_EPERM, "mmu_update foreigndom");
    CHECK_EQ(map_foreign(win_a, 1, PTE_KERNEL_RO, DOMID_XEN), -XEN_EPERM,
             "mmu_update foreigndom DOMID_XEN");
    CHECK_EQ(machphys(virt_to_mfn(scratch), 1, peer), -XEN_EPERM,
             "MMU_MACHPHYS_UPDATE with foreigndom");
    CHECK_EQ(mmuext_on(MMUEXT_PIN_L1_TABLE, 1, peer), -XEN_EPERM, "pin with foreigndom");
    CHECK_EQ(mmuext_on(MMUEXT_UNPIN_TABLE, 1, peer), -XEN_EPERM, "unpin with foreigndom");
    /* Xen's answer to a reservation op it may not do: no extent done. */
    CHECK_EQ(reservation(XENMEM_populate_physmap, peer, list, 1), 0, "populate_physmap for it");
    CHECK_EQ(reservation(XENMEM_increase_reservation, peer, list, 1), 0,
             "increase_reservation for it");
    CHECK_EQ(reservation(XENMEM_decrease_reservation, peer, list, 1), 0,
             "decrease_reservation for it");
    CHECK_EQ(memop(XENMEM_current_reservation, &peer), -XEN_EPERM, "current_reservation of it");
    CHECK_EQ(memop(XENMEM_maximum_gpfn, &peer), -XEN_EPERM, "maximum_gpfn of it");
    struct xen_memory_reservation claim = { .nr_extents = 1, .domid = guest_domid };
    CHECK_EQ(memop(XENMEM_claim_pages, &claim), -XEN_EPERM, "claim_pages even for ourselves");
    struct xen_foreign_memory_map fmap = { .domid = peer };
    CHECK_EQ(memop(XENMEM_set_memory_map, &fmap), -XEN_EPERM, "set_memory_map for it");
    xen_pfn_t frame;
    struct gnttab_setup_table st = { .dom = peer, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table for it");
    CHECK_EQ(st.status, GNTST_permission_denied, "setup_table for it: status");
    struct evtchn_alloc_unbound alloc = { .dom = peer, .remote_dom = guest_domid };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), -XEN_EPERM,
             "alloc_unbound in it");
    printk("foreign: unprivileged checks done\n");
}

/* Room for the control domain's populate (below our limit), then a port for its "done". */
#define SPARE 16
static char spare[SPARE][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static evtchn_port_t offer_to_control_domain(domid_t peer)
{
    xen_pfn_t mfns[SPARE];
    for (unsigned i = 0; i < SPARE; i++) {
        mfns[i] = virt_to_mfn(spare[i]);
        CHECK_EQ(hyp_update_va_mapping((unsigned long)spare[i], 0, UVMF_INVLPG | UVMF_LOCAL), 0,
                 "unmap a spare page");
    }
    struct xen_memory_reservation r = { .nr_extents = SPARE, .domid = DOMID_SELF };
    set_xen_guest_handle(r.extent_start, mfns);
    CHECK_EQ(hyp_memory_op(XENMEM_decrease_reservation, &r), SPARE, "give spare pages back");
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = peer };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc), 0, "a port for it"))
        return 0;
    return alloc.port;
}

static void wait_for_control_domain(evtchn_port_t port)
{
    events_enable();
    uint64_t deadline = system_time_ns() + 120000000000ULL;
    for (;;) {
        if (guest_port_hits[port])
            return;
        if (system_time_ns() > deadline) {
            test_fail("the control domain never said it was done");
            return;
        }
        guest_sleep_ns(10000000);
    }
}

void test_main(void)
{
    if (guest_start_info->flags & SIF_PRIVILEGED) {
        control_domain();
        return;
    }
    long peer = cmdline_number("peer", -1);
    evtchn_port_t port = peer >= 0 ? offer_to_control_domain((domid_t)peer) : 0;
    unprivileged(peer >= 0 ? (domid_t)peer : 0);
    if (port)
        wait_for_control_domain(port);
}
