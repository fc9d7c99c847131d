/*
 * The PV MMU as a Linux PV kernel drives it: pages of the guest's own
 * memory become page tables (L1 and L4), are pinned, linked into the live
 * tables with mmu_update, switched to with MMUEXT_NEW_BASEPTR, unpinned,
 * unlinked and made ordinary writable pages again. Every refusal on the
 * way must carry the error real Xen 4.17 gives (a table of them is in
 * docs/guest-tests.md).
 *
 * The rule behind most answers: a frame has one type at a time (writable
 * page, L1, L2, L3, L4) and a count of references to that type. A writable
 * mapping holds a "writable" reference; a pin or an entry of a higher
 * table holds a table-type reference. A frame changes type only when its
 * count is zero, and becoming a table means Xen validates every entry.
 */
#include "guest.h"

const char test_title[] = "PV MMU: page-table types, pinning, linking, new address spaces";

#define ENTRIES        512
#define PTE_FRAME_MASK 0x000ffffffffff000UL
#define L2_SHIFT       21
#define FIRST_XEN_SLOT 256      /* L4 slots 256-271 are the hypervisor's */
#define LAST_XEN_SLOT  271
#define RO_M2P_SLOT    256
#define LINEAR_SLOT    258      /* Xen's self-map of the running L4 */
#define ALIAS_SLOT     1        /* a second view of our memory, 512 GiB up */
/* What an upper-level entry of ours carries (Linux's _PAGE_TABLE). */
#define PTE_TABLE (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)

#define PAGE_ALIGNED __attribute__((aligned(PAGE_SIZE)))

/* Each array is one page of our image, used as a table at some point. */
static uint64_t new_l1[ENTRIES] PAGE_ALIGNED;      /* steps 1-3 */
static uint64_t garbage_l1[ENTRIES] PAGE_ALIGNED;  /* maps a frame we do not own */
static uint64_t zero_l1[ENTRIES] PAGE_ALIGNED;     /* linked while unmapped */
static uint64_t self_l1[ENTRIES] PAGE_ALIGNED;     /* maps itself */
static uint64_t doomed_l1[ENTRIES] PAGE_ALIGNED;   /* given back while pinned */
static uint64_t new_l4[ENTRIES] PAGE_ALIGNED;      /* pinned, then run on */
static uint64_t loose_l4[ENTRIES] PAGE_ALIGNED;    /* run on without a pin */
/* What the new L1 maps. */
static char data[3][PAGE_SIZE] PAGE_ALIGNED;

static volatile unsigned long canary = 0x5eed;

/* ---- small helpers ---- */

static const char *err_name(long rc)
{
    static const struct { long rc; const char *name; } names[] = {
        { 0, "0" }, { -XEN_EPERM, "-EPERM" }, { -XEN_ENOENT, "-ENOENT" },
        { -XEN_ESRCH, "-ESRCH" }, { -XEN_ENXIO, "-ENXIO" }, { -XEN_ENOMEM, "-ENOMEM" },
        { -XEN_EACCES, "-EACCES" }, { -XEN_EFAULT, "-EFAULT" }, { -XEN_EBUSY, "-EBUSY" },
        { -XEN_EEXIST, "-EEXIST" }, { -XEN_EINVAL, "-EINVAL" }, { -XEN_ENOSYS, "-ENOSYS" },
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
        if (names[i].rc == rc)
            return names[i].name;
    return "?";
}

/* Log what Xen answered to `what`, and fail unless it is `want`. */
static bool expect(long got, long want, const char *what)
{
    printk("pv_mmu: %s -> %ld (%s)\n", what, got, err_name(got));
    return CHECK(got == want, "%s: got %ld (%s), want %ld (%s)", what, got, err_name(got),
                 want, err_name(want));
}

static unsigned long mfn_of(const void *page) { return virt_to_mfn(page); }

static long mmuext(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    unsigned int done = 0;
    long rc = hyp_mmuext_op(&op, 1, &done, DOMID_SELF);
    /* A single op reports done = 1 only when it succeeded. */
    if (rc == 0)
        CHECK_EQ(done, 1, "mmuext_op done count after success");
    return rc;
}

static long pin(unsigned int cmd, const void *page) { return mmuext(cmd, mfn_of(page)); }
static long unpin(const void *page) { return mmuext(MMUEXT_UNPIN_TABLE, mfn_of(page)); }
static long flush_tlb(void) { return mmuext(MMUEXT_TLB_FLUSH_LOCAL, 0); }

/* Remap a page of our image at its own address, read-only or writable. */
static long map_ro(const void *page)
{
    return map_machine_page((void *)page, mfn_of(page), PTE_KERNEL_RO);
}

static long map_rw(const void *page)
{
    return map_machine_page((void *)page, mfn_of(page), PTE_KERNEL_RW);
}

/* MMU_NORMAL_PT_UPDATE of entry `index` of the table in frame `table_mfn`. */
static long set_entry(unsigned long table_mfn, unsigned int index, uint64_t val)
{
    struct mmu_update req = {
        .ptr = ((uint64_t)table_mfn << PAGE_SHIFT) + index * sizeof(uint64_t) +
               MMU_NORMAL_PT_UPDATE,
        .val = val,
    };
    unsigned int done = 0;
    long rc = hyp_mmu_update(&req, 1, &done, DOMID_SELF);
    if (rc == 0)
        CHECK_EQ(done, 1, "mmu_update done count after success");
    return rc;
}

static uint64_t pte(const void *page, uint64_t flags)
{
    return ((uint64_t)mfn_of(page) << PAGE_SHIFT) | flags;
}

static unsigned long entry_mfn(uint64_t entry) { return (entry & PTE_FRAME_MASK) >> PAGE_SHIFT; }

/* Where a table an entry points at is mapped in our image: its frame's
 * pseudo-physical number from the m2p, which is also its virtual address
 * (VIRT_BASE 0). The domain builder maps the boot page tables read-only. */
static const uint64_t *table_of(uint64_t entry)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    unsigned long pfn = m2p[entry_mfn(entry)];
    if (!(entry & PTE_PRESENT) || pfn >= guest_start_info->nr_pages)
        panic("entry %#lx names no page of ours (pfn %#lx)", (unsigned long)entry, pfn);
    return (const uint64_t *)(pfn << PAGE_SHIFT);
}

static unsigned long read_cr3(void)
{
    unsigned long cr3;
    __asm__ volatile("mov %%cr3, %0" : "=r"(cr3));      /* emulated for PV */
    return cr3;
}

static const uint64_t *our_l4(void) { return (const uint64_t *)guest_start_info->pt_base; }

/* The L2 covering our image: L4[0] -> L3[0] -> L2. */
struct l2_view {
    const uint64_t *table;      /* its read-only mapping */
    unsigned long mfn;
};

static struct l2_view find_our_l2(void)
{
    const uint64_t *l3 = table_of(our_l4()[0]);
    struct l2_view l2 = { .table = table_of(l3[0]), .mfn = entry_mfn(l3[0]) };
    CHECK(mfn_of(l2.table) == l2.mfn, "p2m says our L2 is frame %#lx, L3 says %#lx",
          mfn_of(l2.table), l2.mfn);
    printk("pv_mmu: L4 frame %#lx, L3 frame %#lx, L2 frame %#lx\n",
           mfn_of(our_l4()), entry_mfn(our_l4()[0]), l2.mfn);
    return l2;
}

/* The highest empty L2 slot other than `taken`: 2 MiB of virtual space
 * nothing of ours uses. */
static unsigned int free_l2_slot(const struct l2_view *l2, unsigned int taken)
{
    for (unsigned int i = ENTRIES - 1; i > 0; i--)
        if (l2->table[i] == 0 && i != taken)
            return i;
    panic("no free L2 slot");
}

static volatile const char *window_page(unsigned int slot, unsigned int page)
{
    return (volatile const char *)(((unsigned long)slot << L2_SHIFT) + page * PAGE_SIZE);
}

static void fill_data_pages(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(data); i++) {
        memset(data[i], 0x11 * (int)(i + 1), PAGE_SIZE);
        snprintf(data[i], 32, "data page %u", i);
    }
}

/* ---- 1. a new L1 table ---- */

static void new_l1_table(void)
{
    fill_data_pages();
    new_l1[0] = pte(data[0], PTE_KERNEL_RO);
    new_l1[1] = pte(data[1], PTE_KERNEL_RW);
    new_l1[2] = pte(data[2], PTE_KERNEL_RO);

    /* Our boot L1 still maps the page writable: it is a writable page with
     * a non-zero count and cannot change type. */
    expect(pin(MMUEXT_PIN_L1_TABLE, new_l1), -XEN_EINVAL,
           "PIN_L1 of a page still mapped writable (want -EINVAL)");
    expect(map_ro(new_l1), 0, "remap the new L1 read-only (want 0)");
    if (!expect(pin(MMUEXT_PIN_L1_TABLE, new_l1), 0, "PIN_L1 once only read-only (want 0)"))
        panic("cannot go on without a pinned L1");
    expect(pin(MMUEXT_PIN_L1_TABLE, new_l1), -XEN_EINVAL,
           "PIN_L1 of an L1 already pinned (want -EINVAL)");
    expect(map_rw(new_l1), -XEN_EBUSY, "writable mapping of a pinned L1 (want -EBUSY)");

    CHECK(entry_mfn(new_l1[0]) == mfn_of(data[0]) && (new_l1[0] & PTE_PRESENT),
          "entry 0 after validation is %#lx, want frame %#lx present",
          (unsigned long)new_l1[0], mfn_of(data[0]));
    printk("pv_mmu: validated L1 entries: %#lx %#lx %#lx\n", (unsigned long)new_l1[0],
           (unsigned long)new_l1[1], (unsigned long)new_l1[2]);

    /* Writes into a table go through the hypervisor. */
    expect(set_entry(mfn_of(new_l1), 3, pte(data[2], PTE_KERNEL_RO)), 0,
           "mmu_update of entry 3 of the pinned L1 (want 0)");
    CHECK(entry_mfn(new_l1[3]) == mfn_of(data[2]) && (new_l1[3] & PTE_PRESENT),
          "entry 3 reads %#lx after mmu_update, want frame %#lx present",
          (unsigned long)new_l1[3], mfn_of(data[2]));
    /* An entry granting a writable view of the table itself would let the
     * guest edit it behind the hypervisor's back; read-only is harmless. */
    expect(set_entry(mfn_of(new_l1), 4, pte(new_l1, PTE_KERNEL_RW)), -XEN_EBUSY,
           "mmu_update: L1 entry mapping the L1 itself writable (want -EBUSY)");
    CHECK(new_l1[4] == 0, "refused entry 4 reads %#lx, want 0", (unsigned long)new_l1[4]);
    expect(set_entry(mfn_of(new_l1), 4, pte(new_l1, PTE_KERNEL_RO)), 0,
           "mmu_update: L1 entry mapping the L1 itself read-only (want 0)");
    /* mmu_update on an ordinary page is a plain write of the value. */
    uint64_t *plain = (uint64_t *)data[2] + 100;
    expect(set_entry(mfn_of(data[2]), 100, 0x1234567812345678UL), 0,
           "mmu_update into an ordinary writable page (want 0: a plain write)");
    CHECK(*plain == 0x1234567812345678UL, "plain mmu_update left %#lx", (unsigned long)*plain);
    *plain = 0x3333333333333333UL;
}

/* ---- 2. linking into our L2 ---- */

struct fault_probe { volatile const char *addr; char value; };
static void read_probe(void *arg)
{
    struct fault_probe *p = arg;
    p->value = *p->addr;
}

static unsigned int link_and_read(const struct l2_view *l2)
{
    unsigned int slot = free_l2_slot(l2, 0);
    printk("pv_mmu: linking the new L1 into L2 slot %u (virtual %#lx)\n", slot,
           (unsigned long)slot << L2_SHIFT);
    if (!expect(set_entry(l2->mfn, slot, pte(new_l1, PTE_TABLE)), 0,
                "mmu_update: L2 entry -> the pinned L1 (want 0)"))
        return slot;
    CHECK(entry_mfn(l2->table[slot]) == mfn_of(new_l1), "L2 slot %u reads %#lx, want frame %#lx",
          slot, (unsigned long)l2->table[slot], mfn_of(new_l1));

    for (unsigned int i = 0; i < 3; i++) {
        volatile const char *w = window_page(slot, i);
        CHECK(!memcmp((const void *)w, data[i], PAGE_SIZE),
              "window page %u does not show data page %u ('%.12s')", i, i, (const char *)w);
    }
    CHECK(!memcmp((const void *)window_page(slot, 3), data[2], PAGE_SIZE),
          "window page 3 (set by mmu_update) does not show data page 2");
    CHECK(!memcmp((const void *)window_page(slot, 4), new_l1, PAGE_SIZE),
          "window page 4 does not show the L1 itself");
    /* Entry 1 is writable: a write through the window lands in data[1]. */
    ((volatile char *)window_page(slot, 1))[200] = 'W';
    CHECK(data[1][200] == 'W', "write through the window not seen in the data page");
    printk("pv_mmu: window reads '%s', '%s', '%s'\n", (const char *)window_page(slot, 0),
           (const char *)window_page(slot, 1), (const char *)window_page(slot, 2));

    /* A page that is still a writable page cannot become an L1 under us. */
    unsigned int slot2 = free_l2_slot(l2, slot);
    expect(set_entry(l2->mfn, slot2, pte(garbage_l1, PTE_TABLE)), -XEN_EINVAL,
           "mmu_update: L2 entry -> a page still mapped writable (want -EINVAL)");

    /* A read-only page whose contents fail validation as an L1: one entry
     * maps a frame of the hypervisor's (the first m2p frame). */
    xen_pfn_t m2p_frame = 0;
    struct xen_machphys_mfn_list ml = { .max_extents = 1 };
    set_xen_guest_handle(ml.extent_start, &m2p_frame);
    CHECK_EQ(hyp_memory_op(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list");
    garbage_l1[0] = ((uint64_t)m2p_frame << PAGE_SHIFT) | PTE_KERNEL_RO;
    expect(map_ro(garbage_l1), 0, "remap the garbage page read-only (want 0)");
    expect(set_entry(l2->mfn, slot2, pte(garbage_l1, PTE_TABLE)), -XEN_EBUSY,
           "mmu_update: L2 entry -> an L1 mapping a hypervisor frame (want -EBUSY)");
    CHECK(l2->table[slot2] == 0, "refused L2 slot %u reads %#lx", slot2,
          (unsigned long)l2->table[slot2]);
    /* Failed validation leaves no type behind. */
    expect(map_rw(garbage_l1), 0, "writable mapping of the refused page (want 0)");
    garbage_l1[0] = 0;

    /* An unmapped zeroed page is validated as an (empty) L1 on the fly. */
    expect(hyp_update_va_mapping((unsigned long)zero_l1, 0, UVMF_INVLPG | UVMF_LOCAL), 0,
           "unmap the zeroed page (want 0)");
    if (expect(set_entry(l2->mfn, slot2, pte(zero_l1, PTE_TABLE)), 0,
               "mmu_update: L2 entry -> an unmapped zeroed page (want 0)")) {
        struct fault_probe probe = { .addr = window_page(slot2, 5) };
        struct trap_record rec;
        int vec = run_catching(read_probe, &probe, &rec);
        CHECK(vec == 14 && rec.cr2 == (unsigned long)probe.addr,
              "reading through the empty L1: vector %d cr2 %#lx, want #PF at %p", vec,
              (unsigned long)rec.cr2, (const void *)probe.addr);
        expect(map_rw(zero_l1), -XEN_EBUSY,
               "writable mapping of the linked empty L1 (want -EBUSY)");
        expect(set_entry(l2->mfn, slot2, 0), 0, "mmu_update: clear that L2 entry (want 0)");
        flush_tlb();
    }
    expect(map_rw(zero_l1), 0, "writable mapping of the unlinked empty L1 (want 0)");
    bool zero = true;
    for (unsigned int i = 0; i < ENTRIES; i++)
        zero = zero && zero_l1[i] == 0;
    CHECK(zero, "the empty L1 changed while it was a table");
    return slot;
}

/* ---- 3. unpinning ---- */

static void unpin_and_unlink(const struct l2_view *l2, unsigned int slot)
{
    expect(unpin(new_l1), 0, "UNPIN of the L1 while still linked (want 0)");
    expect(unpin(new_l1), -XEN_EINVAL, "UNPIN again (want -EINVAL)");
    expect(unpin(data[0]), -XEN_EINVAL, "UNPIN of a frame never pinned (want -EINVAL)");
    /* The L2 entry still holds an L1 reference. */
    CHECK(!memcmp((const void *)window_page(slot, 0), data[0], PAGE_SIZE),
          "window page 0 after unpin does not show data page 0");
    expect(map_rw(new_l1), -XEN_EBUSY,
           "writable mapping of the unpinned but linked L1 (want -EBUSY)");

    expect(set_entry(l2->mfn, slot, 0), 0, "mmu_update: clear the L2 entry (want 0)");
    CHECK(l2->table[slot] == 0, "L2 slot %u reads %#lx after clearing", slot,
          (unsigned long)l2->table[slot]);
    flush_tlb();
    if (expect(map_rw(new_l1), 0, "writable mapping of the unlinked, unpinned L1 (want 0)")) {
        new_l1[0] = 0x1234;
        CHECK(((volatile uint64_t *)new_l1)[0] == 0x1234, "the former L1 does not hold a write");
        memset(new_l1, 0, PAGE_SIZE);
    }
}

/* ---- 4. a whole new address space ---- */

/* A copy of our L4's guest slots; `lure` goes into the hypervisor slots. */
static void copy_l4(uint64_t *dst, uint64_t lure)
{
    const uint64_t *l4 = our_l4();
    for (unsigned int i = 0; i < ENTRIES; i++)
        dst[i] = (i >= FIRST_XEN_SLOT && i <= LAST_XEN_SLOT) ? lure : l4[i];
}

/*
 * After validation the hypervisor slots are the hypervisor's, whatever we
 * wrote: the same as in our running L4, except where Xen 4.17 differs by
 * design (its linear self-map in slot 258 names the table's own frame;
 * slot 256, the m2p, is filled only once a vCPU runs on the table). A
 * hypervisor without those quirks (Tessera) copies every slot.
 */
static void check_xen_slots(const uint64_t *l4, bool running, uint64_t lure)
{
    const uint64_t *ours = our_l4();
    for (unsigned int i = FIRST_XEN_SLOT; i <= LAST_XEN_SLOT; i++) {
        uint64_t want = ours[i];
        if (i == LINEAR_SLOT && l4[i] != ours[i])       /* the table's own frame */
            want = (ours[i] & ~PTE_FRAME_MASK) | ((uint64_t)mfn_of(l4) << PAGE_SHIFT);
        else if (i == RO_M2P_SLOT && !running && l4[i] != ours[i])
            want = 0;               /* filled when a vCPU runs on it */
        CHECK(l4[i] != lure || lure == want, "L4 slot %u kept the guest's %#lx", i,
              (unsigned long)lure);
        CHECK(l4[i] == want, "L4 slot %u is %#lx, want %#lx", i, (unsigned long)l4[i],
              (unsigned long)want);
    }
    for (unsigned int i = 0; i < ENTRIES; i++)
        if (i < FIRST_XEN_SLOT || i > LAST_XEN_SLOT)
            CHECK(l4[i] == ours[i], "guest L4 slot %u is %#lx, want %#lx", i,
                  (unsigned long)l4[i], (unsigned long)ours[i]);
}

/* Switch to `l4`, prove we run there, switch back. */
static void run_on(const uint64_t *l4, const char *name)
{
    unsigned long home = mfn_of(our_l4());
    if (!expect(mmuext(MMUEXT_NEW_BASEPTR, mfn_of(l4)), 0, name))
        return;
    unsigned long cr3 = read_cr3();
    unsigned long seen = canary++;
    printk("pv_mmu: running on L4 frame %#lx: cr3 %#lx, canary %#lx\n", mfn_of(l4), cr3, seen);
    CHECK(cr3 == xen_pfn_to_cr3(mfn_of(l4)), "cr3 %#lx on the new L4, want frame %#lx", cr3,
          mfn_of(l4));
    CHECK(seen == 0x5eed + (l4 == loose_l4), "canary %#lx on the new L4", seen);
    if (l4 == new_l4) {
        /* Slot 1 repeats slot 0: our variable seen 512 GiB higher. */
        const volatile unsigned long *alias = (const volatile unsigned long *)
            ((unsigned long)&canary + ((unsigned long)ALIAS_SLOT << 39));
        CHECK(*alias == canary, "canary through L4 slot %u reads %#lx, want %#lx", ALIAS_SLOT,
              *alias, canary);
        printk("pv_mmu: canary through L4 slot %u at %p: %#lx\n", ALIAS_SLOT,
               (const void *)alias, *alias);
    }
    /* The m2p appears once a vCPU runs on the table. */
    CHECK(l4[RO_M2P_SLOT] == our_l4()[RO_M2P_SLOT], "m2p slot %#lx while running, want %#lx",
          (unsigned long)l4[RO_M2P_SLOT], (unsigned long)our_l4()[RO_M2P_SLOT]);
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    CHECK(m2p[mfn_of(l4)] == (unsigned long)l4 >> PAGE_SHIFT, "m2p unreadable on the new L4");
    expect(mmuext(MMUEXT_NEW_BASEPTR, home), 0, "NEW_BASEPTR back to the boot L4 (want 0)");
    CHECK(read_cr3() == xen_pfn_to_cr3(home), "cr3 %#lx after switching back", read_cr3());
}

static void new_address_space(void)
{
    const uint64_t lure = our_l4()[0];      /* our own L3, offered in Xen's slots */
    copy_l4(new_l4, lure);
    expect(pin(MMUEXT_PIN_L4_TABLE, new_l4), -XEN_EINVAL,
           "PIN_L4 of a page still mapped writable (want -EINVAL)");
    expect(map_ro(new_l4), 0, "remap the new L4 read-only (want 0)");
    if (!expect(pin(MMUEXT_PIN_L4_TABLE, new_l4), 0,
                "PIN_L4 of a copy of our L4 with our L3 in Xen's slots (want 0)"))
        return;
    check_xen_slots(new_l4, false, lure);
    printk("pv_mmu: Xen's slots after the pin: 256 %#lx, 258 %#lx (self), 261 %#lx\n",
           (unsigned long)new_l4[RO_M2P_SLOT], (unsigned long)new_l4[LINEAR_SLOT],
           (unsigned long)new_l4[261]);
    /* The pinned L4 takes guest entries through mmu_update, never Xen's. */
    expect(set_entry(mfn_of(new_l4), FIRST_XEN_SLOT + 5, lure), -XEN_EINVAL,
           "mmu_update of a Xen slot of the pinned L4 (want -EINVAL)");
    CHECK(new_l4[FIRST_XEN_SLOT + 5] == our_l4()[FIRST_XEN_SLOT + 5],
          "Xen slot %u changed to %#lx", FIRST_XEN_SLOT + 5,
          (unsigned long)new_l4[FIRST_XEN_SLOT + 5]);
    CHECK(our_l4()[ALIAS_SLOT] == 0, "our L4 slot %u is in use (%#lx)", ALIAS_SLOT,
          (unsigned long)our_l4()[ALIAS_SLOT]);
    expect(set_entry(mfn_of(new_l4), ALIAS_SLOT, lure), 0,
           "mmu_update: guest slot 1 of the pinned L4 -> our L3 (want 0)");
    expect(map_rw(new_l4), -XEN_EBUSY, "writable mapping of the pinned L4 (want -EBUSY)");
    run_on(new_l4, "NEW_BASEPTR to the pinned L4 (want 0)");
    expect(unpin(new_l4), 0, "UNPIN of the L4 (want 0)");
    expect(map_rw(new_l4), 0, "writable mapping of the unpinned L4 (want 0)");
    memset(new_l4, 0, PAGE_SIZE);

    /* NEW_BASEPTR without a pin: a writable page cannot become an L4; a
     * read-only one is validated on the spot and dropped again when we
     * leave it. */
    copy_l4(loose_l4, 0);
    expect(mmuext(MMUEXT_NEW_BASEPTR, mfn_of(loose_l4)), -XEN_EINVAL,
           "NEW_BASEPTR to an unpinned page mapped writable (want -EINVAL)");
    expect(map_ro(loose_l4), 0, "remap the unpinned L4 copy read-only (want 0)");
    run_on(loose_l4, "NEW_BASEPTR to an unpinned, unvalidated read-only L4 (want 0)");
    expect(unpin(loose_l4), -XEN_EINVAL,
           "UNPIN of the L4 we ran on without pinning (want -EINVAL)");
    expect(map_rw(loose_l4), 0, "writable mapping of it once we left it (want 0)");
    memset(loose_l4, 0, PAGE_SIZE);
}

/* ---- 5. refusals ---- */

static void self_mapping_l1(void)
{
    self_l1[0] = pte(self_l1, PTE_KERNEL_RW);
    expect(map_ro(self_l1), 0, "remap the self-mapping page read-only (want 0)");
    expect(pin(MMUEXT_PIN_L1_TABLE, self_l1), -XEN_EBUSY,
           "PIN_L1 of an L1 mapping itself writable (want -EBUSY)");
    expect(map_rw(self_l1), 0, "writable mapping after the refused pin (want 0)");

    self_l1[0] = pte(self_l1, PTE_KERNEL_RO);
    expect(map_ro(self_l1), 0, "remap it read-only again (want 0)");
    if (!expect(pin(MMUEXT_PIN_L1_TABLE, self_l1), 0,
                "PIN_L1 of an L1 mapping itself read-only (want 0)"))
        return;
    expect(pin(MMUEXT_PIN_L2_TABLE, self_l1), -XEN_EINVAL,
           "PIN_L2 of a frame pinned as L1 (want -EINVAL)");
    expect(pin(MMUEXT_PIN_L4_TABLE, self_l1), -XEN_EINVAL,
           "PIN_L4 of a frame pinned as L1 (want -EINVAL)");
    expect(map_rw(self_l1), -XEN_EBUSY,
           "update_va_mapping: writable view of a pinned L1 (want -EBUSY)");
    expect(unpin(self_l1), 0, "UNPIN of the self-mapping L1 (want 0)");
    expect(map_rw(self_l1), 0, "writable mapping of it again (want 0)");
    self_l1[0] = 0;
}

static long reservation(void)
{
    domid_t self = DOMID_SELF;
    return hyp_memory_op(XENMEM_current_reservation, &self);
}

/*
 * decrease_reservation of a pinned L1. Xen 4.17 takes the page out of the
 * reservation at once (1 extent) but the frame lives on, still pinned and
 * ours, until its last reference goes: only then does the reservation drop.
 */
static void give_back_pinned(void)
{
    unsigned long pfn = (unsigned long)doomed_l1 >> PAGE_SHIFT;
    unsigned long mfn = mfn_of(doomed_l1);
    unsigned long *p2m = (unsigned long *)guest_start_info->mfn_list;

    expect(map_ro(doomed_l1), 0, "remap the page to give back read-only (want 0)");
    if (!expect(pin(MMUEXT_PIN_L1_TABLE, doomed_l1), 0, "PIN_L1 of it (want 0)"))
        return;
    long before = reservation();
    xen_pfn_t extent = mfn;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    set_xen_guest_handle(r.extent_start, &extent);
    long done = hyp_memory_op(XENMEM_decrease_reservation, &r);
    printk("pv_mmu: decrease_reservation of a pinned L1 -> %ld extent(s)\n", done);
    CHECK(done == 1, "decrease_reservation of a pinned L1 gave back %ld extents, want 1", done);
    CHECK_EQ(reservation(), before,
             "reservation while the given-back L1 is still pinned and mapped");
    expect(map_rw(doomed_l1), -XEN_EBUSY,
           "writable mapping of the given-back, pinned L1 (want -EBUSY)");
    expect(unpin(doomed_l1), 0, "UNPIN of the given-back L1 (want 0)");
    if (done != 1) {
        expect(map_rw(doomed_l1), 0, "writable mapping of the L1 we kept");
        return;
    }
    /* Our read-only mapping holds the last reference. */
    expect(hyp_update_va_mapping((unsigned long)doomed_l1, 0, UVMF_INVLPG | UVMF_LOCAL), 0,
           "unmap the given-back frame (want 0)");
    CHECK_EQ(reservation(), before - 1, "reservation once the given-back frame is unused");
    expect(map_machine_page(doomed_l1, mfn, PTE_KERNEL_RO), -XEN_EBUSY,
           "mapping the frame we gave back (want -EBUSY)");

    /* Refill the hole as the memory test does: PFN in, new frame out. */
    p2m[pfn] = ~0UL;
    extent = pfn;
    CHECK_EQ(hyp_memory_op(XENMEM_populate_physmap, &r), 1, "populate_physmap of the hole");
    p2m[pfn] = extent;
    struct mmu_update mu = { .ptr = ((uint64_t)extent << PAGE_SHIFT) | MMU_MACHPHYS_UPDATE,
                             .val = pfn };
    CHECK_EQ(hyp_mmu_update(&mu, 1, NULL, DOMID_SELF), 0, "MMU_MACHPHYS_UPDATE for the new frame");
    CHECK_EQ(map_rw(doomed_l1), 0, "map the new frame in the hole");
    CHECK_EQ(reservation(), before, "reservation after refilling the hole");
}

/* ---- 6. cleanup ---- */

static void all_writable_again(void)
{
    uint64_t *pages[] = { new_l1, garbage_l1, zero_l1, self_l1, doomed_l1, new_l4, loose_l4 };
    unsigned int ok = 0;
    for (unsigned int i = 0; i < ARRAY_SIZE(pages); i++) {
        volatile uint64_t *p = pages[i];
        p[7] = 0xc1ea2 + i;
        if (p[7] == 0xc1ea2 + i && map_rw(pages[i]) == 0)
            ok++;
        p[7] = 0;
    }
    CHECK_EQ(ok, ARRAY_SIZE(pages), "table pages writable again at the end");
    printk("pv_mmu: all %u table pages are unpinned, unlinked and writable again\n", ok);
}

/* ---- 7. flush scopes and the LDT ---- */

#define UNMAPPED_ADDR 0x40000000000UL      /* canonical, never mapped here */

static void flushes_and_ldt(void)
{
    static unsigned long vcpus = 1;          /* a bitmap with vCPU 0 */
    unsigned long va = (unsigned long)new_l1;
    struct mmuext_op op = { .cmd = MMUEXT_TLB_FLUSH_MULTI };

    expect(hyp_update_va_mapping(va, pte(new_l1, PTE_KERNEL_RW), UVMF_INVLPG | (unsigned long)&vcpus),
           0, "update_va_mapping flushing a vCPU bitmap (UVMF_MULTI, want 0)");
    expect(hyp_update_va_mapping(va, pte(new_l1, PTE_KERNEL_RW), UVMF_INVLPG | UNMAPPED_ADDR),
           -XEN_EFAULT, "update_va_mapping with an unmapped vCPU bitmap (want -EFAULT)");
    set_xen_guest_handle(op.arg2.vcpumask, &vcpus);
    expect(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF), 0, "TLB_FLUSH_MULTI (want 0)");
    op.cmd = MMUEXT_INVLPG_MULTI;
    op.arg1.linear_addr = va;
    expect(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF), 0, "INVLPG_MULTI (want 0)");
    set_xen_guest_handle(op.arg2.vcpumask, (void *)UNMAPPED_ADDR);
    /* Xen 4.17 answers an unreadable bitmap here with -EINVAL (update_va_mapping: -EFAULT). */
    expect(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL,
           "INVLPG_MULTI with an unmapped bitmap (want -EINVAL)");
    op = (struct mmuext_op){ .cmd = MMUEXT_SET_LDT };
    expect(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF), 0, "SET_LDT with no entries (want 0)");
    op.arg1.linear_addr = 8;
    op.arg2.nr_ents = 1;
    expect(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF), -XEN_EINVAL,
           "SET_LDT at a misaligned address (want -EINVAL)");
}

/* ---- 8. writes into a live L1 (the writable-page-tables assist) ---- */

static uint64_t live_l1[ENTRIES] PAGE_ALIGNED;

struct entry_write {
    volatile uint64_t *entry;
    uint64_t value;
};

static void write_entry(void *arg)
{
    struct entry_write *w = arg;
    *w->entry = w->value;
}

static void poke(void *arg)
{
    *(volatile char *)arg = 'Q';
}

static void emulated_pt_writes(const struct l2_view *l2)
{
    struct trap_record rec;
    xen_pfn_t m2p_frame = 0;
    struct xen_machphys_mfn_list ml = { .max_extents = 1 };
    set_xen_guest_handle(ml.extent_start, &m2p_frame);
    hyp_memory_op(XENMEM_machphys_mfn_list, &ml);

    memset(live_l1, 0, PAGE_SIZE);
    live_l1[0] = pte(data[0], PTE_KERNEL_RO);
    expect(map_ro(live_l1), 0, "remap the live L1 read-only (want 0)");
    if (!expect(pin(MMUEXT_PIN_L1_TABLE, live_l1), 0, "PIN_L1 of the live L1 (want 0)"))
        return;
    unsigned int slot = free_l2_slot(l2, 0);
    expect(set_entry(l2->mfn, slot, pte(live_l1, PTE_TABLE)), 0, "link the live L1 (want 0)");

    /* Xen 4.17 emulates these writes for a PV domain without being asked; asking again is fine. */
    struct entry_write w = { &live_l1[1], pte(data[1], PTE_KERNEL_RO) };
    CHECK(run_catching(write_entry, &w, &rec) < 0, "mov into a live L1 faulted");
    expect(hyp_vm_assist(VMASST_CMD_enable, VMASST_TYPE_writable_pagetables), 0,
           "vm_assist: writable page tables (want 0)");
    flush_tlb();
    CHECK(!memcmp((const void *)window_page(slot, 1), data[1], PAGE_SIZE),
          "page 1 not readable through the emulated mov");

    uint64_t old = __atomic_exchange_n(&live_l1[1], 0, __ATOMIC_SEQ_CST);
    CHECK(entry_mfn(old) == mfn_of(data[1]), "xchg on a live L1 returned %#lx", (unsigned long)old);
    CHECK(live_l1[1] == 0, "entry 1 after xchg: %#lx", (unsigned long)live_l1[1]);

    uint64_t want = 0;
    CHECK(__atomic_compare_exchange_n(&live_l1[2], &want, pte(data[2], PTE_KERNEL_RW), false,
                                      __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST),
          "cmpxchg of an empty live L1 entry failed (it held %#lx)", (unsigned long)want);
    want = 0;
    CHECK(!__atomic_compare_exchange_n(&live_l1[2], &want, 0, false, __ATOMIC_SEQ_CST,
                                       __ATOMIC_SEQ_CST) && entry_mfn(want) == mfn_of(data[2]),
          "cmpxchg with a stale value: got back %#lx", (unsigned long)want);
    flush_tlb();
    CHECK(run_catching(poke, (void *)window_page(slot, 2), &rec) < 0 && data[2][0] == 'Q',
          "write through the cmpxchg'd writable entry");

    __atomic_fetch_and((volatile uint8_t *)&live_l1[2], (uint8_t)~PTE_RW, __ATOMIC_SEQ_CST);
    CHECK(!(live_l1[2] & PTE_RW), "lock and left RW set: %#lx", (unsigned long)live_l1[2]);
    flush_tlb();
    CHECK_EQ(run_catching(poke, (void *)window_page(slot, 2), &rec), 14,
             "write through the entry whose RW bit lock-and cleared");
    uint8_t was_set;
    __asm__ volatile("lock btsq $1, %0; setc %1" : "+m"(live_l1[2]), "=q"(was_set) : : "memory", "cc");
    CHECK(!was_set && (live_l1[2] & PTE_RW), "lock bts: CF %u, entry %#lx", was_set,
          (unsigned long)live_l1[2]);

    w = (struct entry_write){ &live_l1[3], ((uint64_t)m2p_frame << PAGE_SHIFT) | PTE_KERNEL_RO };
    CHECK_EQ(run_catching(write_entry, &w, &rec), 14,
             "an emulated write mapping a frame not ours is a page fault");
    CHECK(live_l1[3] == 0, "refused entry 3 reads %#lx", (unsigned long)live_l1[3]);

    /*
     * Bit 62 is spare for software: Tessera reserves it for its grant
     * mappings and refuses it in a guest's entries (as a debug Xen does),
     * Xen 4.17's release build takes it as an ordinary bit on our own
     * frames. It must never get a frame not ours mapped (it once skipped
     * Tessera's ownership check), and an entry with it stays ours to change.
     */
    const uint64_t bit62 = 1ull << 62;
    w = (struct entry_write){ &live_l1[4],
                              ((uint64_t)m2p_frame << PAGE_SHIFT) | PTE_KERNEL_RW | bit62 };
    CHECK_EQ(run_catching(write_entry, &w, &rec), 14,
             "an emulated write mapping a frame not ours with bit 62 is a page fault");
    CHECK(live_l1[4] == 0, "refused entry 4 reads %#lx", (unsigned long)live_l1[4]);
    long rc = set_entry(mfn_of(live_l1), 4, ((uint64_t)m2p_frame << PAGE_SHIFT) | PTE_KERNEL_RW | bit62);
    printk("pv_mmu: mmu_update mapping a frame not ours with bit 62 -> %ld (%s)\n", rc, err_name(rc));
    CHECK(rc == -XEN_EBUSY || rc == -XEN_EINVAL, "mmu_update mapping a frame not ours with bit 62: %ld", rc);
    CHECK(live_l1[4] == 0, "entry 4 after the refused mmu_update reads %#lx", (unsigned long)live_l1[4]);

    w.value = pte(data[0], PTE_KERNEL_RW) | bit62;
    int vec = run_catching(write_entry, &w, &rec);
    printk("pv_mmu: emulated write of our own frame with bit 62 -> vector %d, entry %#lx\n", vec,
           (unsigned long)live_l1[4]);
    /* Accepted: our frame with bit 62 (Xen adds its own bits: user, and 52 for kernel entries). */
    CHECK((vec == 14 && live_l1[4] == 0) ||
              (vec < 0 && entry_mfn(live_l1[4]) == mfn_of(data[0]) && (live_l1[4] & bit62)),
          "emulated write of our frame with bit 62: vector %d, entry %#lx", vec,
          (unsigned long)live_l1[4]);
    w.value = 0;
    CHECK(run_catching(write_entry, &w, &rec) < 0 && live_l1[4] == 0,
          "clearing entry 4 by an emulated write");
    rc = set_entry(mfn_of(live_l1), 4, pte(data[0], PTE_KERNEL_RW) | bit62);
    printk("pv_mmu: mmu_update of our own frame with bit 62 -> %ld (%s)\n", rc, err_name(rc));
    CHECK(rc == 0 || rc == -XEN_EINVAL, "mmu_update of our own frame with bit 62: %ld", rc);
    expect(set_entry(mfn_of(live_l1), 4, 0), 0, "clear entry 4 by mmu_update (want 0)");
    CHECK(live_l1[4] == 0, "entry 4 reads %#lx after clearing", (unsigned long)live_l1[4]);
    printk("pv_mmu: live L1 after the emulated writes: %#lx %#lx %#lx %#lx\n",
           (unsigned long)live_l1[0], (unsigned long)live_l1[1], (unsigned long)live_l1[2],
           (unsigned long)live_l1[3]);

    expect(set_entry(l2->mfn, slot, 0), 0, "unlink the live L1 (want 0)");
    expect(unpin(live_l1), 0, "UNPIN of the live L1 (want 0)");
    expect(map_rw(live_l1), 0, "the live L1 page writable again (want 0)");
}

/*
 * Linear (recursive) page tables: an upper-level entry naming a page table
 * of its own level, read-only, so the guest reads its tables through its
 * own address space. A self-map (the table naming itself) and an entry to
 * another table of the level are accepted read-only, writable ones are
 * refused. A table that is mapped this way may not map others this way
 * (and the reverse), which keeps references from forming a cycle.
 */
static uint64_t lin_a[ENTRIES] PAGE_ALIGNED;
static uint64_t lin_b[ENTRIES] PAGE_ALIGNED;
#define PTE_TABLE_RO (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

static void linear_tables(const struct l2_view *l2)
{
    unsigned int slot = free_l2_slot(l2, 0);
    uint64_t self = ((uint64_t)l2->mfn << PAGE_SHIFT);

    expect(set_entry(l2->mfn, slot, self | PTE_TABLE_RO), 0,
           "read-only self-map in our L2 (want 0)");
    flush_tlb();
    CHECK(!memcmp((const void *)window_page(slot, 0), table_of(l2->table[0]), PAGE_SIZE),
          "the self-map does not show our first L1 at its first page");
    CHECK(!memcmp((const void *)window_page(slot, slot), l2->table, PAGE_SIZE),
          "the self-map does not show our L2 itself at its own slot");
    expect(set_entry(l2->mfn, slot, 0), 0, "remove the self-map (want 0)");
    expect(set_entry(l2->mfn, slot, self | PTE_TABLE), -XEN_EINVAL,
           "writable self-map in our L2 (want -EINVAL)");

    memset(lin_a, 0, PAGE_SIZE);
    memset(lin_b, 0, PAGE_SIZE);
    expect(map_ro(lin_a), 0, "lin_a read-only (want 0)");
    expect(map_ro(lin_b), 0, "lin_b read-only (want 0)");
    if (!expect(pin(MMUEXT_PIN_L2_TABLE, lin_a), 0, "PIN_L2 of lin_a (want 0)") ||
        !expect(pin(MMUEXT_PIN_L2_TABLE, lin_b), 0, "PIN_L2 of lin_b (want 0)"))
        return;
    expect(set_entry(l2->mfn, slot, pte(lin_a, PTE_TABLE)), -XEN_EINVAL,
           "writable entry of our L2 to another L2 (want -EINVAL)");
    expect(set_entry(l2->mfn, slot, pte(lin_a, PTE_TABLE_RO)), 0,
           "read-only entry of our L2 to another L2 (want 0)");
    /* lin_a is now mapped linearly: it may not take linear entries itself. */
    expect(set_entry(mfn_of(lin_a), 3, pte(lin_b, PTE_TABLE_RO)), -XEN_EINVAL,
           "linear entry in a linearly mapped L2 (want -EINVAL)");
    expect(set_entry(l2->mfn, slot, 0), 0, "remove it (want 0)");
    /* lin_a maps lin_b linearly: then lin_b may not map lin_a back. */
    expect(set_entry(mfn_of(lin_a), 3, pte(lin_b, PTE_TABLE_RO)), 0,
           "read-only entry of lin_a to lin_b (want 0)");
    expect(set_entry(mfn_of(lin_b), 4, pte(lin_a, PTE_TABLE_RO)), -XEN_EINVAL,
           "lin_b back to lin_a, a cycle (want -EINVAL)");
    expect(set_entry(mfn_of(lin_a), 3, 0), 0, "remove lin_a's entry (want 0)");
    expect(unpin(lin_a), 0, "UNPIN of lin_a (want 0)");
    expect(unpin(lin_b), 0, "UNPIN of lin_b (want 0)");
    expect(map_rw(lin_a), 0, "lin_a writable again (want 0)");
    expect(map_rw(lin_b), 0, "lin_b writable again (want 0)");
}

void test_main(void)
{
    struct l2_view l2 = find_our_l2();

    printk("pv_mmu: --- 1. a new L1 table\n");
    new_l1_table();
    printk("pv_mmu: --- 2. linking it into our L2\n");
    unsigned int slot = link_and_read(&l2);
    printk("pv_mmu: --- 3. unpinning and unlinking\n");
    unpin_and_unlink(&l2, slot);
    printk("pv_mmu: --- 4. a whole new address space\n");
    new_address_space();
    printk("pv_mmu: --- 5. refusals\n");
    self_mapping_l1();
    give_back_pinned();
    printk("pv_mmu: --- 7. flush scopes and the LDT\n");
    flushes_and_ldt();
    printk("pv_mmu: --- 8. writes into a live L1\n");
    emulated_pt_writes(&l2);
    printk("pv_mmu: --- 9. linear page tables\n");
    linear_tables(&l2);
    printk("pv_mmu: --- 6. cleanup\n");
    all_writable_again();
    printk("pv_mmu: the kernel still runs after all of it (canary %#lx)\n", canary);
}
