/*
 * A hostile unprivileged guest: from a seed, random hypercalls of every
 * number and sub-operation, with argument shapes chosen to hurt (pointers
 * into its own memory, other domains' frames, the hypervisor's L4 slots,
 * non-canonical addresses, huge counts, bad alignment), page-table entries
 * written at every level (mmu_update, update_va_mapping, and plain writes
 * into its own tables that the hypervisor emulates), descriptor writes,
 * grant entries it grants to itself and others. It survives its own
 * faults (each step runs under run_catching) and repairs what it broke of
 * its own set-up (trap table, callbacks, GS base, debug registers).
 *
 * Command line: seed=N calls=M [trace=K] [progress=P]. The same seed
 * replays the same run; trace=K prints every call from step K on, so a
 * failure found at step K can be read call by call.
 *
 * What it must not do to itself (the guard): map one of its protected
 * frames (image, boot tables, p2m, start_info, its own tables) writable
 * anywhere but where the builder put it, point a hypercall's output at
 * them, or change the page-table slots that map them. Protected frames
 * still appear, sometimes, in requests the hypervisor must refuse
 * (a writable mapping of a page table, a pin of the wrong level, giving
 * them back while in use). Its verdict is "alive at the end": the calls
 * it made, the faults it took, and its own image unchanged.
 */
#include "guest.h"
#include <pvabi/arch_x86_64.h>
#include <pvabi/physdev.h>
#include <pvabi/platform.h>

const char test_title[] = "hostile: seeded random hypercalls from an unprivileged guest";

#define ENTRIES      512
#define PTE_MFN_MASK 0x000ffffffffff000UL
#define PTE_PS       0x080UL
#define PTE_GLOBAL   0x100UL
#define PTE_NX       (1UL << 63)
#define PTE_GRANT    (1UL << 62)
#define PTE_TABLE    (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | PTE_DIRTY)
#define MAX_PFNS     16384          /* 64 MiB of guest memory at most */
#define ARENA_PAGES  16             /* argument buffers: the last pages of our memory */
#define WINDOW_L2_FIRST 64          /* live L2 slots from here (VA >= 128 MiB) are the fuzz window */
#define HV_SLOT_FIRST 256
#define HV_SLOT_LAST  271
#define GNT_FRAMES   4

/* ---- the seeded generator (splitmix64) ---- */

static uint64_t rng;

static uint64_t rnd(void)
{
    uint64_t z = (rng += 0x9e3779b97f4a7c15UL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }
static bool one_in(unsigned n) { return below(n) == 0; }

/* ---- what we know of our memory ---- */

enum pfn_class { C_SCRATCH, C_PROT, C_TABLE, C_ARENA };

static unsigned long nr_pages;
static uint8_t pfn_class[MAX_PFNS];
static unsigned long cur_mfn[MAX_PFNS];     /* our belief of each pfn's frame */
static unsigned long scratch[MAX_PFNS], nr_scratch;
static unsigned long arena_pfn;             /* first of ARENA_PAGES */
static unsigned long prot_mfns[MAX_PFNS], nr_prot;    /* sorted */
static unsigned long table_mfns[64], nr_tables;       /* our live tables (protected) */
static unsigned long l4_mfn, l3_mfn, l2_mfn, alt_l4_mfn;
static unsigned long l1_of_slot[ENTRIES];   /* live L2 slot -> its L1's frame */
static unsigned long max_mfn = 0x100000;
static domid_t peer = 0;                    /* the other domain (the checker) */
static evtchn_port_t console_port, store_port;
static unsigned long gnt_mfn[GNT_FRAMES];
static unsigned nr_gnt;
static grant_entry_v1_t *gnt_va;
static char gnt_pages[GNT_FRAMES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static char vinfo_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static bool vinfo_registered;

/*
 * Shapes of known open bugs, left out on request (command-line words), so
 * that a run can look past them: "no-grant-bit" (issue 9 item 1: bit 62 in
 * a guest PTE), "no-exchange-dup" (item 3: one frame twice in an exchange),
 * "no-bad-bases" (item 4: non-canonical segment bases and contexts).
 */
static bool avoid_grant_bit, avoid_exchange_dup, avoid_bad_bases;
static bool selfcheck;

/* ---- counters ---- */

static unsigned long calls, mc_entries, traps, step_no, trace_from = ~0UL;
static unsigned long ok_results, fails_by_class[8];

static void *pfn_va(unsigned long pfn) { return (void *)(pfn << PAGE_SHIFT); }

static bool is_prot_mfn(unsigned long mfn)
{
    unsigned long lo = 0, hi = nr_prot;
    while (lo < hi) {
        unsigned long mid = (lo + hi) / 2;
        if (prot_mfns[mid] == mfn)
            return true;
        if (prot_mfns[mid] < mfn)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool is_table_mfn(unsigned long mfn)
{
    for (unsigned long i = 0; i < nr_tables; i++)
        if (table_mfns[i] == mfn)
            return true;
    return false;
}

/* ---- raw hypercalls: any number, counted, optionally traced ---- */

static long raw_hypercall(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                          uint64_t a5)
{
    register uint64_t r10 __asm__("r10") = a4;
    register uint64_t r8 __asm__("r8") = a5;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                     : "0"(nr)
                     : "memory", "rcx", "r11", "r9");
    return ret;
}

static char *arena;

/* In a trace, the operations of an mmu_update or mmuext_op list held in our arena. */
static void trace_list(uint64_t nr, uint64_t list, uint64_t count)
{
    if ((nr != __HYPERVISOR_mmu_update && nr != __HYPERVISOR_mmuext_op) || count > 16 ||
        list < (uint64_t)arena || list >= (uint64_t)arena + ARENA_PAGES * PAGE_SIZE)
        return;
    for (uint64_t i = 0; i < count; i++) {
        const uint64_t *w = (const uint64_t *)list + i * (nr == __HYPERVISOR_mmu_update ? 2 : 3);
        if ((uint64_t)(w + 3) > (uint64_t)arena + ARENA_PAGES * PAGE_SIZE)
            break;
        printk("hostile:   [%lu] %#lx %#lx %#lx\n", (unsigned long)i, (unsigned long)w[0],
               (unsigned long)w[1], nr == __HYPERVISOR_mmuext_op ? (unsigned long)w[2] : 0UL);
    }
}

static long hc(uint64_t nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    calls++;
    if (step_no >= trace_from) {
        printk("hostile: step %lu call %lu: op %lu (%#lx, %#lx, %#lx, %#lx, %#lx) ...\n",
               step_no, calls, (unsigned long)nr, (unsigned long)a1, (unsigned long)a2,
               (unsigned long)a3, (unsigned long)a4, (unsigned long)a5);
        trace_list(nr, a1, a2);
        console_flush();
    }
    long rc = raw_hypercall(nr, a1, a2, a3, a4, a5);
    if (step_no >= trace_from) {
        printk("hostile: step %lu call %lu: op %lu (%#lx, %#lx, %#lx, %#lx, %#lx) -> %ld\n",
               step_no, calls, (unsigned long)nr, (unsigned long)a1, (unsigned long)a2,
               (unsigned long)a3, (unsigned long)a4, (unsigned long)a5, rc);
        console_flush();    /* on the log before the next call, which may end the machine */
    }
    if (rc == 0)
        ok_results++;
    else
        fails_by_class[rc < 0 && rc > -64 ? (unsigned)(-rc) % 8 : 0]++;
    return rc;
}

/* ---- the argument arena: buffers for one step, at the end of our memory ---- */

/*
 * Each step starts on a zeroed arena, so that a count larger than what was
 * written, or a pointer into it, reads zeros rather than an older step's
 * structures (whose addresses, read as grant host addresses or PTE
 * pointers, could name the arena itself). A step's main list of
 * operations sits at the very end (list_alloc): a count past it runs into
 * unmapped memory, never into other buffers.
 */
#define ARENA_TAIL (8 * 1024)
static unsigned long arena_used, arena_high;
static unsigned gen_depth;           /* 0: the step's own call; 1: an entry of its multicall */

static void *arena_alloc(unsigned long bytes)
{
    bytes = (bytes + 15) & ~15UL;
    if (arena_used + bytes > ARENA_PAGES * PAGE_SIZE - ARENA_TAIL)
        arena_used = 0;
    void *p = arena + arena_used;
    arena_used += bytes;
    if (arena_used > arena_high)
        arena_high = arena_used;
    return p;
}

/* A list of operations: at the arena's end for the step's own call, else like any buffer. */
static void *list_alloc(unsigned long bytes)
{
    if (gen_depth || bytes > ARENA_TAIL)
        return arena_alloc(bytes);
    return arena + ARENA_PAGES * PAGE_SIZE - ((bytes + 15) & ~15UL);
}

static void arena_reset(void)
{
    memset(arena, 0, arena_high);
    memset(arena + ARENA_PAGES * PAGE_SIZE - ARENA_TAIL, 0, ARENA_TAIL);
    arena_used = arena_high = 0;
}

/* ---- value generators (the guard lives here) ---- */

static unsigned long scratch_mfn(void)
{
    return nr_scratch ? cur_mfn[scratch[below(nr_scratch)]] : 0;
}

static unsigned long scratch_pfn(void)
{
    return nr_scratch ? scratch[below(nr_scratch)] : arena_pfn;
}

/* A machine frame not among our protected ones: foreign, hypervisor, beyond RAM. */
static unsigned long foreign_mfn(void)
{
    unsigned long m;
    switch (below(6)) {
    case 0: m = below(0x200); break;                         /* low memory, the hypervisor's */
    case 1: m = max_mfn - 1 - below(64); break;
    case 2: m = max_mfn + below(1UL << 20); break;          /* beyond RAM */
    case 3: m = rnd() & 0xffffffffffUL; break;
    default: m = below(max_mfn); break;                     /* anyone's, the checker's too */
    }
    return is_prot_mfn(m) ? scratch_mfn() : m;
}

/* A frame for a request that may write it: never a protected one. */
static unsigned long data_mfn(void)
{
    switch (below(8)) {
    case 0: return foreign_mfn();
    case 1: return nr_gnt ? gnt_mfn[below(nr_gnt)] : scratch_mfn();
    case 2: return cur_mfn[arena_pfn + below(ARENA_PAGES)];
    default: return scratch_mfn();
    }
}

/* A frame for a request the hypervisor must refuse for protected frames, or that leaves them unharmed. */
static unsigned long any_mfn(void)
{
    if (one_in(6) && nr_prot)
        return prot_mfns[below(nr_prot)];
    if (one_in(8))
        return l4_mfn;
    return data_mfn();
}

/* Whether v, taken as a pointer, names one of our protected pages (image, tables, p2m). */
static bool names_protected(uint64_t v)
{
    return v < (uint64_t)nr_pages << PAGE_SHIFT &&
           pfn_class[v >> PAGE_SHIFT] != C_SCRATCH && pfn_class[v >> PAGE_SHIFT] != C_ARENA;
}

/* Where a list of operations may be, besides our own list: nowhere, or zeros (never a
 * scratch page, whose junk read as operations could name our own tables or image). */
static uint64_t ops_ptr(void)
{
    switch (below(6)) {
    case 0: return 0;
    case 1: return 0x0000800000000000UL + below(1UL << 40);
    case 2: return 0xffff800000000000UL + (below(16) << 39) + below(1UL << 30);
    case 3: return 0xffff880000000000UL + below(1UL << 30);
    case 4: return (uint64_t)arena + ARENA_PAGES * PAGE_SIZE - below(64);
    default: return 0;
    }
}

/* A guest-virtual address that is safe to have the hypervisor write: arena, scratch, or nowhere. */
static uint64_t out_ptr(unsigned long bytes)
{
    switch (below(16)) {
    case 0: return 0;
    case 1: return (uint64_t)pfn_va(scratch_pfn()) + (below(PAGE_SIZE) & ~7UL);
    case 2: return 0x0000800000000000UL - below(4096);               /* last canonical bytes */
    case 3: return 0x0000800000000000UL + below(1UL << 40);          /* non-canonical */
    case 4: return 0xffff800000000000UL + (below(16) << 39) + below(1UL << 30);  /* hypervisor */
    case 5: return 0xffff880000000000UL + below(1UL << 30);          /* guest upper half, unmapped */
    case 6:
        /* Off the end, but never over the step's own multicall list, which sits there: an
         * entry's output written over a later entry made it VCPUOP_down of vCPU 0 (seed
         * 1180101744 on two CPUs, where the written values differ). */
        if (gen_depth)
            return (uint64_t)arena + ARENA_PAGES * PAGE_SIZE - ARENA_TAIL - below(64);
        return (uint64_t)arena + ARENA_PAGES * PAGE_SIZE - below(64);
    case 7: return (uint64_t)arena_alloc(bytes) + 1 + below(7);      /* misaligned */
    case 8: {
        uint64_t v = rnd();
        return names_protected(v) ? (uint64_t)arena_alloc(bytes) : v;
    }
    default: return (uint64_t)arena_alloc(bytes);
    }
}

static uint16_t any_domid(void)
{
    static const uint16_t ids[] = { DOMID_SELF, 0, 1, 2, DOMID_IO, DOMID_XEN, 0x7ff4, 0x7fff,
                                    0xffff, 0x7ff3 };
    if (one_in(3))
        return guest_domid;
    if (one_in(3))
        return peer;
    return ids[below(ARRAY_SIZE(ids))];
}

static uint64_t any_word_unchecked(void);

/* Any 64-bit value a hypercall argument could be, but never one of our protected pages
 * (a small power of two such as 1 MiB would be our entry code). */
static uint64_t any_word(void)
{
    uint64_t v = any_word_unchecked();
    return names_protected(v) ? (uint64_t)pfn_va(scratch_pfn()) + (v & (PAGE_SIZE - 1)) : v;
}

static uint64_t any_word_unchecked(void)
{
    switch (below(14)) {
    case 0: return 0;
    case 1: return below(16);
    case 2: return ~0UL - below(4);
    case 3: return 0x7fffffffUL + below(3) - 1;
    case 4: return 0xffffffffUL - below(2);
    case 5: return 1UL << below(64);
    case 6: return data_mfn();
    case 7: return out_ptr(64);
    case 8: return any_domid();
    case 9: return (data_mfn() << PAGE_SHIFT) | below(PAGE_SIZE);
    case 10: return below(1UL << 16);
    default: return rnd();
    }
}

static void fill_words(void *buf, unsigned long bytes)
{
    uint64_t *w = buf;
    for (unsigned long i = 0; i < bytes / 8; i++)
        w[i] = any_word();
}

/* A page-table entry value for a level-'level' slot. */
static uint64_t gen_pte(unsigned level)
{
    uint64_t flags, mfn;

    if (one_in(8))
        return one_in(2) ? 0 : rnd() & ~PTE_PRESENT;
    flags = PTE_PRESENT | (one_in(4) ? 0 : PTE_RW) | (one_in(8) ? 0 : PTE_USER | PTE_ACCESSED) |
            (one_in(3) ? PTE_DIRTY : 0) | (one_in(8) ? PTE_NX : 0);
    if (one_in(12)) flags |= PTE_PS;
    if (one_in(12) && !avoid_grant_bit) flags |= PTE_GRANT;
    if (one_in(12)) flags |= PTE_GLOBAL;
    if (one_in(16))                                       /* avail, PWT/PCD, high bits */
        flags |= rnd() & (avoid_grant_bit ? 0x3ff0000000000e18UL : 0x7ff0000000000e18UL);
    if (level == 1) {
        switch (below(10)) {
        case 0: mfn = foreign_mfn(); break;
        case 1:                                       /* one of our tables: only writable (refused) */
            mfn = nr_tables ? table_mfns[below(nr_tables)] : l4_mfn;
            flags |= PTE_RW;
            break;
        case 2:                                       /* our image read-only: harmless */
            mfn = nr_prot ? prot_mfns[below(nr_prot)] : scratch_mfn();
            if (is_table_mfn(mfn))
                flags |= PTE_RW;
            else
                flags &= ~PTE_RW;
            break;
        default: mfn = data_mfn(); break;
        }
    } else {
        /* Never one of our own tables: an alias of them would let a window VA reach our image. */
        mfn = one_in(5) ? foreign_mfn() : scratch_mfn();
    }
    return (mfn << PAGE_SHIFT) | flags;
}

/* The machine address of a page-table slot we may change (the guard: none that maps us). */
static uint64_t gen_slot(unsigned *level)
{
    unsigned long pfn;
    switch (below(10)) {
    case 0: case 1: case 2:              /* an L1 entry of a scratch page of ours */
        pfn = scratch_pfn();
        *level = 1;
        if (l1_of_slot[pfn / ENTRIES])
            return (l1_of_slot[pfn / ENTRIES] << PAGE_SHIFT) + (pfn % ENTRIES) * 8;
        break;
    case 3:
        *level = 2;
        return (l2_mfn << PAGE_SHIFT) + (WINDOW_L2_FIRST + below(ENTRIES - WINDOW_L2_FIRST)) * 8;
    case 4:
        *level = 3;
        return (l3_mfn << PAGE_SHIFT) + (1 + below(ENTRIES - 1)) * 8;
    case 5: {
        unsigned slot = 1 + below(ENTRIES - 1);
        *level = 4;
        if (slot >= HV_SLOT_FIRST && slot <= HV_SLOT_LAST && !one_in(8))
            slot = HV_SLOT_LAST + 1 + below(ENTRIES - HV_SLOT_LAST - 1);
        return ((one_in(3) && alt_l4_mfn ? alt_l4_mfn : l4_mfn) << PAGE_SHIFT) + slot * 8;
    }
    case 6:
        *level = 1 + below(4);
        return ((uint64_t)foreign_mfn() << PAGE_SHIFT) + below(ENTRIES) * 8;
    default:
        break;
    }
    *level = 1 + below(4);                /* whatever a scratch frame is now */
    return ((uint64_t)scratch_mfn() << PAGE_SHIFT) + below(ENTRIES) * 8 + (one_in(32) ? 4 : 0);
}

/* A guest-virtual address whose mapping we may replace: never the arena or our image. */
static uint64_t gen_va(void)
{
    uint64_t va;
    switch (below(10)) {
    case 0: return (WINDOW_L2_FIRST + below(ENTRIES - WINDOW_L2_FIRST)) * (2UL << 20) +
                   below(ENTRIES) * PAGE_SIZE;
    case 1: return (1 + below(511)) * (1UL << 30) + below(1UL << 18) * PAGE_SIZE;
    case 2: va = out_ptr(8) & ~(PAGE_SIZE - 1); break;
    case 3: va = rnd(); break;
    default: return (uint64_t)pfn_va(scratch_pfn());
    }
    if (va < (uint64_t)nr_pages << PAGE_SHIFT)
        return (uint64_t)pfn_va(scratch_pfn()) + (va & 7);
    return va;
}

/* ---- set-up the steps may break, and its repair ---- */

enum { R_TRAPS = 1, R_CALLBACKS = 2, R_GS = 4, R_DR = 8, R_EVENTS = 16 };

static unsigned repair_for(uint64_t op)
{
    switch (op) {
    case __HYPERVISOR_set_trap_table: return R_TRAPS;
    case __HYPERVISOR_set_callbacks: case __HYPERVISOR_callback_op: case __HYPERVISOR_nmi_op:
        return R_CALLBACKS;
    case __HYPERVISOR_set_segment_base: return R_GS;
    case __HYPERVISOR_set_debugreg: return R_DR;
    case __HYPERVISOR_sched_op: case __HYPERVISOR_sched_op_compat: case __HYPERVISOR_vcpu_op:
        return R_EVENTS;
    default: return 0;
    }
}

static void repair(unsigned what)
{
    if (what & R_TRAPS)
        trap_table_install();
    if (what & R_CALLBACKS) {
        struct callback_unregister nmi = { .type = CALLBACKTYPE_nmi };
        callbacks_install();
        hyp_callback_op(CALLBACKOP_unregister, &nmi);
    }
    if (what & R_GS) {
        /* Null data selectors: one loaded from our GDT (SEGBASE_GS_USER_SEL) that a later
         * set_gdt removed would fail to load at our next switch-in, and Xen then calls the
         * failsafe callback. Loading GS clears its base: percpu_init puts it back. */
        __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%fs; mov %0, %%gs"
                         :: "r"(0) : "memory");
        percpu_init(0);
    }
    if (what & R_DR)
        hypercall2(__HYPERVISOR_set_debugreg, 7, 0);
    if (what & R_EVENTS) {
        /* Registered at our spare page (offset 0) if the time there started moving. */
        vcpu_info_t *spare = (vcpu_info_t *)vinfo_page;
        if (!vinfo_registered && spare->time.version) {
            percpu_area[0].vcpu_info = spare;
            vinfo_registered = true;
            printk("hostile: step %lu: vcpu_info now in our spare page\n", step_no);
        }
        guest_shared_info->vcpu_info[0].evtchn_upcall_mask = 1;
        spare->evtchn_upcall_mask = 1;
    }
}

/* ---- one call of each family: (op, args) ---- */

struct call {
    uint64_t op, a[5];
};

static void gen_call(struct call *c, unsigned depth);

/* A mapping of our image replaced by one the hypervisor must refuse (else we die here). */
static void gen_refused_remap(struct call *c)
{
    unsigned long pfn;
    do
        pfn = below(nr_pages);
    while (pfn_class[pfn] != C_PROT);
    c->a[0] = (uint64_t)pfn_va(pfn);
    switch (below(3)) {
    case 0: c->a[1] = ((max_mfn + 1 + below(1UL << 20)) << PAGE_SHIFT) | PTE_KERNEL_RW; break;
    case 1: c->a[1] = (cur_mfn[pfn] << PAGE_SHIFT) | PTE_KERNEL_RW | PTE_PS; break;
    default:
        c->a[1] = ((uint64_t)(nr_tables ? table_mfns[below(nr_tables)] : l4_mfn) << PAGE_SHIFT) |
                  PTE_KERNEL_RW;
        break;
    }
}


/* A count: mostly sane, sometimes huge (only for the step's own call, whose list ends the arena). */
static uint64_t gen_count(unsigned long max_sane)
{
    if (gen_depth)
        return 1 + below(max_sane);
    switch (below(12)) {
    case 0: return 0;
    case 1: return 0x7fffffffUL + below(2);
    case 2: return ~0UL;
    case 3: return 0x80000000UL | below(1UL << 31);
    default: return 1 + below(max_sane);
    }
}

static void gen_mmu_update(struct call *c)
{
    unsigned n = 1 + below(12);
    struct mmu_update *req = list_alloc(n * sizeof(*req));
    for (unsigned i = 0; i < n; i++) {
        unsigned level;
        uint64_t ptr = gen_slot(&level);
        unsigned cmd = one_in(10) ? below(8) : one_in(6) ? MMU_PT_UPDATE_PRESERVE_AD
                                                         : MMU_NORMAL_PT_UPDATE;
        if (cmd == MMU_MACHPHYS_UPDATE) {
            req[i].ptr = ((uint64_t)any_mfn() << PAGE_SHIFT) | cmd;
            req[i].val = one_in(2) ? below(nr_pages) : any_word();
        } else {
            req[i].ptr = ptr | cmd;
            req[i].val = gen_pte(level);
        }
    }
    c->a[0] = one_in(20) ? ops_ptr() : (uint64_t)req;
    c->a[1] = one_in(10) ? gen_count(n) : n;
    c->a[2] = one_in(3) ? 0 : out_ptr(4);
    c->a[3] = one_in(6) ? any_domid() : DOMID_SELF;
}

static void gen_mmuext(struct call *c)
{
    unsigned n = 1 + below(6);
    struct mmuext_op *op = list_alloc(n * sizeof(*op));
    for (unsigned i = 0; i < n; i++) {
        unsigned cmd = one_in(12) ? (unsigned)any_word() : below(21);
        op[i].cmd = cmd;
        switch (cmd) {
        case MMUEXT_PIN_L1_TABLE: case MMUEXT_PIN_L2_TABLE: case MMUEXT_PIN_L3_TABLE:
        case MMUEXT_PIN_L4_TABLE: case MMUEXT_UNPIN_TABLE: case MMUEXT_MARK_SUPER:
        case MMUEXT_UNMARK_SUPER:
            op[i].arg1.mfn = any_mfn();
            break;
        case MMUEXT_NEW_BASEPTR:
            /* Our own L4 or its copy, or a frame that cannot be one (refused). */
            switch (below(4)) {
            case 0: op[i].arg1.mfn = l4_mfn; break;
            case 1: op[i].arg1.mfn = alt_l4_mfn ? alt_l4_mfn : l4_mfn; break;
            /* Not foreign_mfn(): a random frame may be one of ours (an untracked new one,
             * or a scratch page a random pin made an L4), and switching to it ends us. */
            case 2: op[i].arg1.mfn = one_in(2) ? below(0x100) : max_mfn + below(1UL << 20); break;
            default: op[i].arg1.mfn = nr_tables ? table_mfns[below(nr_tables)] : l4_mfn; break;
            }
            break;
        case MMUEXT_NEW_USER_BASEPTR:
            op[i].arg1.mfn = one_in(4) ? 0 : any_mfn();
            break;
        case MMUEXT_CLEAR_PAGE: case MMUEXT_COPY_PAGE:
            op[i].arg1.mfn = data_mfn();
            op[i].arg2.src_mfn = one_in(2) ? any_mfn() : data_mfn();
            break;
        default:
            op[i].arg1.linear_addr = one_in(2) ? gen_va() : any_word();
            op[i].arg2.vcpumask.p = (void *)(one_in(2) ? out_ptr(8) : any_word());
            break;
        }
    }
    c->a[0] = one_in(20) ? ops_ptr() : (uint64_t)op;
    c->a[1] = one_in(10) ? gen_count(n) : n;
    c->a[2] = one_in(3) ? 0 : out_ptr(4);
    c->a[3] = one_in(6) ? any_domid() : DOMID_SELF;
}

static void gen_memory_op(struct call *c)
{
    static const unsigned cmds[] = { 0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                                     23, 25, 26, 28 };
    unsigned cmd = one_in(10) ? (unsigned)any_word() : cmds[below(ARRAY_SIZE(cmds))];
    unsigned n = 1 + below(8);
    xen_pfn_t *list = arena_alloc(n * 8 + 64);

    c->a[0] = cmd;
    switch (cmd) {
    case XENMEM_increase_reservation: case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap: {
        struct xen_memory_reservation *r = arena_alloc(sizeof(*r));
        for (unsigned i = 0; i < n; i++)
            list[i] = cmd == XENMEM_populate_physmap ? (one_in(4) ? any_word() : below(nr_pages))
                                                     : any_mfn();
        r->extent_start.p = one_in(10) ? (void *)out_ptr(8) : list;
        r->nr_extents = one_in(8) ? gen_count(n) : n;
        r->extent_order = one_in(4) ? (unsigned)any_word() : below(3);
        r->mem_flags = one_in(4) ? (unsigned)any_word() : 0;
        r->domid = one_in(4) ? any_domid() : DOMID_SELF;
        c->a[1] = one_in(20) ? out_ptr(40) : (uint64_t)r;
        if (one_in(8))
            c->a[0] |= below(1UL << 20) << 6;    /* a start_extent in the command */
        break;
    }
    case XENMEM_exchange: {
        struct xen_memory_exchange *x = arena_alloc(sizeof(*x));
        xen_pfn_t *out = arena_alloc(n * 8 + 64);
        for (unsigned i = 0; i < n; i++)
            list[i] = one_in(5) && i && !avoid_exchange_dup ? list[below(i)] : any_mfn();
        x->in.extent_start.p = list;
        x->in.nr_extents = one_in(8) ? gen_count(n) : n;
        x->in.extent_order = one_in(4) ? (unsigned)any_word() : below(2);
        x->in.domid = one_in(4) ? any_domid() : DOMID_SELF;
        x->out.extent_start.p = one_in(10) ? (void *)out_ptr(8) : out;
        x->out.nr_extents = one_in(3) ? gen_count(n) : (n >> below(3)) ?: 1;
        x->out.extent_order = one_in(4) ? (unsigned)any_word() : below(3);
        x->out.mem_flags = one_in(4) ? (unsigned)any_word() : (unsigned)below(40) << 8;
        x->out.domid = x->in.domid;
        x->nr_exchanged = one_in(6) ? any_word() : 0;
        c->a[1] = (uint64_t)x;
        break;
    }
    default: {
        void *buf = arena_alloc(256);
        fill_words(buf, 256);
        c->a[1] = one_in(3) ? out_ptr(256) : (uint64_t)buf;
        break;
    }
    }
}

static void gen_grant_op(struct call *c)
{
    unsigned cmd = one_in(10) ? (unsigned)any_word() : below(14);
    unsigned n = 1 + below(6);
    c->a[0] = cmd;
    c->a[2] = one_in(10) ? gen_count(n) : n;
    switch (cmd) {
    case GNTTABOP_map_grant_ref: {
        struct gnttab_map_grant_ref *m = list_alloc(n * sizeof(*m));
        for (unsigned i = 0; i < n; i++) {
            unsigned level;
            m[i].flags = (one_in(6) ? (uint32_t)any_word() : 0) |
                         (one_in(4) ? 0 : GNTMAP_host_map) | (one_in(2) ? GNTMAP_readonly : 0) |
                         (one_in(4) ? GNTMAP_contains_pte : 0) |
                         (one_in(6) ? GNTMAP_device_map : 0) |
                         (one_in(8) ? GNTMAP_application_map : 0);
            m[i].host_addr = (m[i].flags & GNTMAP_contains_pte) ? gen_slot(&level) : gen_va();
            m[i].ref = one_in(4) ? (uint32_t)any_word() : below(16);
            m[i].dom = one_in(2) ? guest_domid : any_domid();
        }
        c->a[1] = (uint64_t)m;
        break;
    }
    case GNTTABOP_unmap_grant_ref: {
        struct gnttab_unmap_grant_ref *u = list_alloc(n * sizeof(*u));
        for (unsigned i = 0; i < n; i++) {
            unsigned level;
            u[i].host_addr = one_in(3) ? gen_slot(&level) : gen_va();
            u[i].dev_bus_addr = one_in(2) ? 0 : any_word();
            u[i].handle = one_in(4) ? (uint32_t)any_word() : below(16);
        }
        c->a[1] = (uint64_t)u;
        break;
    }
    case GNTTABOP_unmap_and_replace: {
        struct gnttab_unmap_and_replace *u = list_alloc(n * sizeof(*u));
        for (unsigned i = 0; i < n; i++) {
            u[i].host_addr = gen_va();
            u[i].new_addr = one_in(3) ? 0 : gen_va();   /* never one of our own mappings */
            u[i].handle = one_in(4) ? (uint32_t)any_word() : below(16);
        }
        c->a[1] = (uint64_t)u;
        break;
    }
    case GNTTABOP_copy: {
        struct gnttab_copy *g = list_alloc(n * sizeof(*g));
        for (unsigned i = 0; i < n; i++) {
            g[i].flags = (one_in(2) ? GNTCOPY_source_gref : 0) | (one_in(2) ? GNTCOPY_dest_gref : 0) |
                         (one_in(10) ? (uint16_t)any_word() : 0);
            if (g[i].flags & GNTCOPY_source_gref)
                g[i].source.u.ref = one_in(4) ? (uint32_t)any_word() : below(16);
            else
                g[i].source.u.gmfn = any_mfn();
            if (g[i].flags & GNTCOPY_dest_gref)
                g[i].dest.u.ref = one_in(4) ? (uint32_t)any_word() : below(16);
            else
                g[i].dest.u.gmfn = data_mfn();
            g[i].source.domid = one_in(2) ? DOMID_SELF : any_domid();
            g[i].dest.domid = one_in(2) ? DOMID_SELF : any_domid();
            g[i].source.offset = one_in(4) ? (uint16_t)any_word() : below(PAGE_SIZE) & ~7;
            g[i].dest.offset = one_in(4) ? (uint16_t)any_word() : below(PAGE_SIZE) & ~7;
            g[i].len = one_in(4) ? (uint16_t)any_word() : below(512);
        }
        c->a[1] = (uint64_t)g;
        break;
    }
    case GNTTABOP_transfer: {
        struct gnttab_transfer *t = list_alloc(n * sizeof(*t));
        for (unsigned i = 0; i < n; i++) {
            t[i].mfn = any_mfn();
            t[i].domid = any_domid();
            t[i].ref = below(16);
        }
        c->a[1] = (uint64_t)t;
        break;
    }
    case GNTTABOP_setup_table: {
        struct gnttab_setup_table *s = arena_alloc(sizeof(*s));
        s->dom = one_in(2) ? DOMID_SELF : any_domid();
        s->nr_frames = one_in(4) ? (uint32_t)any_word() : below(40);
        s->frame_list.p = (void *)(one_in(4) ? out_ptr(8) : (uint64_t)arena_alloc(320));
        c->a[1] = (uint64_t)s;
        c->a[2] = one_in(8) ? gen_count(1) : 1;
        break;
    }
    default: {
        void *buf = arena_alloc(n * 64);
        fill_words(buf, n * 64);
        /* Never version 2: our entries are written in the v1 layout, and read as v2 they
         * could grant a page of ours writable. */
        if (cmd == GNTTABOP_set_version)
            *(uint32_t *)buf = one_in(3) ? 1 : 3 + below(1000);
        c->a[1] = one_in(4) ? out_ptr(64) : (uint64_t)buf;
        break;
    }
    }
    if (one_in(20))
        c->a[1] = ops_ptr();
}

static evtchn_port_t any_port(void)
{
    evtchn_port_t p = one_in(6) ? (evtchn_port_t)any_word() : below(64);
    return p == console_port || p == store_port ? p + 64 : p;
}

/* The event-channel argument for cmd, in buf (a struct evtchn_op's union, or the whole op). */
static void fill_evtchn(unsigned cmd, uint32_t *w)
{
    for (unsigned i = 0; i < 16; i++)
        w[i] = one_in(3) ? (uint32_t)any_word() : below(64);
    switch (cmd) {
    case EVTCHNOP_bind_interdomain: case EVTCHNOP_alloc_unbound:
        ((uint16_t *)w)[0] = any_domid();
        ((uint16_t *)w)[1] = any_domid();
        break;
    case EVTCHNOP_close: case EVTCHNOP_unmask: case EVTCHNOP_send: case EVTCHNOP_bind_vcpu:
        w[0] = any_port();
        break;
    case EVTCHNOP_reset:        /* never our own: we would lose the console */
        ((uint16_t *)w)[0] = peer;
        break;
    case EVTCHNOP_init_control: {
        struct evtchn_init_control *ic = (void *)w;
        ic->control_gfn = any_mfn();
        ic->offset = one_in(3) ? (uint32_t)any_word() : below(PAGE_SIZE);
        ic->vcpu = below(3);
        break;
    }
    case EVTCHNOP_expand_array:
        *(uint64_t *)w = any_mfn();
        break;
    default:
        w[0] = any_port();
        break;
    }
}

static void gen_evtchn(struct call *c, bool compat)
{
    unsigned cmd = one_in(10) ? (unsigned)any_word() : below(15);
    if (cmd == EVTCHNOP_reset && one_in(2))
        cmd = EVTCHNOP_status;
    uint32_t *buf = arena_alloc(80);
    if (compat) {               /* struct evtchn_op: cmd, then the union */
        buf[0] = cmd;
        fill_evtchn(cmd, buf + 1);
        c->a[0] = (uint64_t)buf;
        return;
    }
    fill_evtchn(cmd, buf);
    c->a[0] = cmd;
    c->a[1] = one_in(10) ? out_ptr(64) : (uint64_t)buf;
}

static void gen_vcpu_op(struct call *c)
{
    unsigned cmd = one_in(10) ? (unsigned)any_word() : below(15);
    unsigned vcpu = one_in(4) ? (unsigned)any_word() : below(3);
    /* Taking vCPU 0 down, or starting another on a random context, would end the run:
     * down only for the others, up only for vCPUs that do not exist. */
    if (cmd == VCPUOP_down && vcpu == 0)
        vcpu = 1;
    if (cmd == VCPUOP_up && vcpu < 64)
        vcpu += 64;
    void *buf = arena_alloc(sizeof(struct vcpu_guest_context));
    fill_words(buf, 128);
    switch (cmd) {
    case VCPUOP_initialise:
        fill_words(buf, sizeof(struct vcpu_guest_context));
        break;
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info *r = buf;
        /* Our spare page at offset 0 (or offsets that cannot fit), or frames that cannot take
         * it: a random page of ours would be written by the hypervisor from then on. */
        r->mfn = one_in(2) ? virt_to_mfn(vinfo_page) : foreign_mfn();
        r->offset = one_in(2) ? 0 : PAGE_SIZE - below(64);
        if (r->mfn != virt_to_mfn(vinfo_page))
            r->offset = (uint32_t)any_word();
        r->rsvd = one_in(6) ? (uint32_t)any_word() : 0;
        break;
    }
    case VCPUOP_send_nmi:       /* a callback registered in the same multicall would run */
        cmd = VCPUOP_get_physid;
        break;
    case VCPUOP_set_singleshot_timer: case VCPUOP_set_periodic_timer:
        *(uint64_t *)buf = one_in(3) ? any_word() : system_time_ns() + below(10000000);
        break;
    default:
        break;
    }
    c->a[0] = cmd;
    c->a[1] = vcpu;
    c->a[2] = one_in(8) ? out_ptr(64) : (uint64_t)buf;
}

static void gen_sched_op(struct call *c, bool compat)
{
    /* yield, poll (always with a near timeout), shutdown_code, remote_shutdown, watchdog, ... */
    static const unsigned cmds[] = { SCHEDOP_yield, SCHEDOP_poll, SCHEDOP_shutdown_code,
                                     SCHEDOP_remote_shutdown, SCHEDOP_watchdog,
                                     SCHEDOP_pin_override, 8, 9, 100 };
    unsigned cmd = cmds[below(ARRAY_SIZE(cmds))];
    void *buf = arena_alloc(64);
    fill_words(buf, 64);
    if (cmd == SCHEDOP_poll) {
        struct sched_poll *p = buf;
        evtchn_port_t *ports = arena_alloc(32);
        for (unsigned i = 0; i < 8; i++)
            ports[i] = any_port();
        p->ports.p = one_in(8) ? (void *)out_ptr(4) : ports;
        p->nr_ports = one_in(6) ? (unsigned)any_word() : below(9);
        p->timeout = system_time_ns() + below(200000) + 1;
    } else if (cmd == SCHEDOP_watchdog) {
        /* Destroy only (a nonzero id, no timeout): a new watchdog, even of 0 s, would
         * shut us down (Xen 4.17 fires one of 0 s at once). */
        struct sched_watchdog *w = buf;
        w->id = w->id ? w->id : 1 + (uint32_t)below(4);
        w->timeout = 0;
    } else if (cmd == SCHEDOP_remote_shutdown) {
        struct sched_remote_shutdown *r = buf;
        r->domain_id = one_in(2) ? peer : any_domid();
        if (r->domain_id == guest_domid || r->domain_id == DOMID_SELF)
            r->domain_id = peer;
    }
    if (compat && (cmd == SCHEDOP_poll || cmd == SCHEDOP_watchdog))
        cmd = SCHEDOP_yield;
    c->a[0] = cmd;
    c->a[1] = compat ? (cmd == SCHEDOP_shutdown_code ? any_word() : 0) : (uint64_t)buf;
}

static void gen_multicall(struct call *c, unsigned depth)
{
    unsigned n = 1 + below(8);
    struct multicall_entry *e = list_alloc(n * sizeof(*e));
    for (unsigned i = 0; i < n; i++) {
        struct call sub;
        gen_depth = depth + 1;
        gen_call(&sub, depth + 1);
        gen_depth = depth;
        e[i].op = sub.op;
        e[i].result = any_word();
        for (unsigned k = 0; k < 5; k++)
            e[i].args[k] = sub.a[k];
        e[i].args[5] = any_word();
    }
    mc_entries += n;
    c->a[0] = one_in(20) ? ops_ptr() : (uint64_t)e;
    c->a[1] = one_in(20) ? gen_count(n) : n;
}

static void gen_call(struct call *c, unsigned depth)
{
    for (unsigned k = 0; k < 5; k++)
        c->a[k] = any_word();
    c->op = below(100) < 92 ? below(40) : one_in(2) ? 40 + below(88) : any_word();
    switch (c->op) {
    case __HYPERVISOR_set_trap_table: {
        struct trap_info *t = arena_alloc(8 * sizeof(*t));
        fill_words(t, 8 * sizeof(*t));
        c->a[0] = one_in(3) ? out_ptr(64) : (uint64_t)t;
        break;
    }
    case __HYPERVISOR_mmu_update: gen_mmu_update(c); break;
    case __HYPERVISOR_set_gdt: {
        unsigned long *frames = arena_alloc(16 * 8);
        for (unsigned i = 0; i < 16; i++)
            frames[i] = any_mfn();
        c->a[0] = one_in(6) ? out_ptr(8) : (uint64_t)frames;
        c->a[1] = one_in(4) ? any_word() : below(FIRST_RESERVED_GDT_ENTRY + 2);
        break;
    }
    case __HYPERVISOR_update_descriptor: {
        unsigned level;
        c->a[0] = one_in(3) ? gen_slot(&level) : ((uint64_t)data_mfn() << PAGE_SHIFT) +
                                                 (one_in(8) ? below(PAGE_SIZE) : below(512) * 8);
        c->a[1] = one_in(2) ? any_word() : (rnd() & ~(0xfUL << 40)) | (rnd() & (0xfUL << 40));
        break;
    }
    case __HYPERVISOR_memory_op: gen_memory_op(c); break;
    case __HYPERVISOR_multicall:
        if (depth == 0 || one_in(16))
            gen_multicall(c, depth);
        break;
    case __HYPERVISOR_update_va_mapping: case __HYPERVISOR_update_va_mapping_otherdomain:
        c->a[0] = gen_va();
        c->a[1] = gen_pte(1);
        c->a[2] = one_in(4) ? any_word() : (one_in(3) ? out_ptr(8) & ~7UL : 0) | below(8);
        if (c->op == __HYPERVISOR_update_va_mapping && one_in(64))
            gen_refused_remap(c);
        if (c->op == __HYPERVISOR_update_va_mapping_otherdomain)
            c->a[3] = any_domid();
        break;
    case __HYPERVISOR_set_timer_op:
        c->a[0] = one_in(3) ? any_word() : system_time_ns() + below(5000000);
        break;
    case __HYPERVISOR_event_channel_op_compat: gen_evtchn(c, true); break;
    case __HYPERVISOR_event_channel_op: gen_evtchn(c, false); break;
    case __HYPERVISOR_xen_version:
        c->a[0] = one_in(6) ? any_word() : below(14);
        c->a[1] = out_ptr(1024);
        break;
    case __HYPERVISOR_console_io:
        /* A write reaches the log: rare, short and printable (or from nowhere). */
        c->a[0] = one_in(4) ? any_word() : (uint64_t)(1 + one_in(8));
        c->a[1] = any_word();
        c->a[2] = out_ptr(64);
        if ((uint32_t)c->a[0] == CONSOLEIO_write || one_in(32)) {
            char *text = arena_alloc(32);
            for (unsigned i = 0; i < 31; i++)
                text[i] = (char)('a' + below(26));
            text[31] = '\n';
            c->a[0] = CONSOLEIO_write;
            c->a[1] = 1 + below(32);
            c->a[2] = one_in(4) ? (out_ptr(8) | (1UL << 63)) : (uint64_t)text;
        }
        break;
    case __HYPERVISOR_physdev_op_compat: case __HYPERVISOR_physdev_op: {
        void *buf = arena_alloc(128);
        fill_words(buf, 128);
        if (c->op == __HYPERVISOR_physdev_op_compat) {
            *(uint32_t *)buf = one_in(4) ? (uint32_t)any_word() : below(32);
            c->a[0] = (uint64_t)buf;
        } else {
            c->a[0] = one_in(6) ? any_word() : below(32);
            c->a[1] = one_in(6) ? out_ptr(64) : (uint64_t)buf;
        }
        break;
    }
    case __HYPERVISOR_platform_op: {
        struct xen_platform_op *p = arena_alloc(sizeof(*p));
        fill_words(p, sizeof(*p));
        p->cmd = one_in(2) ? (one_in(2) ? XENPF_settime32 : XENPF_settime64) : (uint32_t)any_word();
        p->interface_version = one_in(4) ? (uint32_t)any_word() : XENPF_INTERFACE_VERSION;
        c->a[0] = one_in(6) ? out_ptr(128) : (uint64_t)p;
        break;
    }
    case __HYPERVISOR_grant_table_op: gen_grant_op(c); break;
    case __HYPERVISOR_vm_assist:
        c->a[0] = one_in(4) ? any_word() : below(2);
        c->a[1] = one_in(4) ? any_word() : below(40);
        break;
    case __HYPERVISOR_iret:
        c->op = __HYPERVISOR_xen_version;   /* an iret from here would jump anywhere */
        c->a[0] = XENVER_version;
        break;
    case __HYPERVISOR_vcpu_op: gen_vcpu_op(c); break;
    case __HYPERVISOR_set_segment_base:
        c->a[0] = one_in(4) ? any_word() : below(5);
        if (depth && c->a[0] == SEGBASE_GS_USER_SEL)   /* not with a set_gdt after it */
            c->a[0] = SEGBASE_GS_USER;
        c->a[1] = one_in(2) ? out_ptr(8) : any_word();
        if (avoid_bad_bases)
            c->a[1] &= 0x00007fffffffffffUL;
        break;
    case __HYPERVISOR_mmuext_op: gen_mmuext(c); break;
    case __HYPERVISOR_sched_op_compat: gen_sched_op(c, true); break;
    case __HYPERVISOR_sched_op: gen_sched_op(c, false); break;
    case __HYPERVISOR_callback_op: {
        struct callback_register *r = arena_alloc(sizeof(*r));
        r->type = one_in(4) ? (uint16_t)any_word() : below(8);
        r->flags = (uint16_t)any_word();
        r->address = one_in(2) ? out_ptr(8) : any_word();
        c->a[0] = one_in(4) ? any_word() : below(3);
        c->a[1] = one_in(6) ? out_ptr(16) : (uint64_t)r;
        break;
    }
    case __HYPERVISOR_set_debugreg:
        c->a[0] = one_in(4) ? any_word() : below(8);
        c->a[1] = one_in(2) ? out_ptr(8) : any_word();
        break;
    case __HYPERVISOR_get_debugreg:
        c->a[0] = one_in(4) ? any_word() : below(8);
        break;
    case __HYPERVISOR_stack_switch:
        c->a[0] = one_in(2) ? FLAT_KERNEL_SS : any_word();
        c->a[1] = out_ptr(8);
        break;
    case __HYPERVISOR_set_callbacks:
        c->a[0] = out_ptr(8);
        c->a[1] = out_ptr(8);
        c->a[2] = out_ptr(8);
        break;
    case __HYPERVISOR_fpu_taskswitch:
        c->a[0] = one_in(4) ? any_word() : below(2);
        break;
    default:    /* everything else: any words, pointers into the arena among them */
        break;
    }
}

/* ---- steps: one generated call, or a direct write into our own memory ---- */

/* Scratch pages given back get new frames (populate_physmap), mapped where they were. */
static void replenish(const struct xen_memory_reservation *r, unsigned long done)
{
    const xen_pfn_t *list = r->extent_start.p;
    if (r->extent_order || (uint64_t)list < (uint64_t)arena ||
        (uint64_t)list >= (uint64_t)arena + ARENA_PAGES * PAGE_SIZE)
        return;
    for (unsigned long i = 0; i < done && i < 8; i++) {
        for (unsigned long k = 0; k < nr_scratch; k++) {
            unsigned long pfn = scratch[k];
            if (cur_mfn[pfn] != list[i])
                continue;
            xen_pfn_t *gpfn = arena_alloc(8);
            struct xen_memory_reservation *pr = arena_alloc(sizeof(*pr));
            *gpfn = pfn;
            *pr = (struct xen_memory_reservation){ .nr_extents = 1, .domid = DOMID_SELF };
            pr->extent_start.p = gpfn;
            if (hc(__HYPERVISOR_memory_op, XENMEM_populate_physmap, (uint64_t)pr, 0, 0, 0) == 1) {
                cur_mfn[pfn] = *gpfn;
                hc(__HYPERVISOR_update_va_mapping, (uint64_t)pfn_va(pfn),
                   (*gpfn << PAGE_SHIFT) | PTE_KERNEL_RW, UVMF_INVLPG, 0, 0);
            }
            break;
        }
    }
}

static unsigned step_repairs;

static void step_call(void *arg)
{
    (void)arg;
    struct call c;
    gen_call(&c, 0);
    /* Set before the call: a fault on the way back must not skip the repair. */
    step_repairs |= repair_for(c.op);
    if (c.op == __HYPERVISOR_multicall)
        step_repairs |= R_TRAPS | R_CALLBACKS | R_GS | R_DR | R_EVENTS;
    long rc = hc(c.op, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4]);
    if (rc > 0 && c.op == __HYPERVISOR_memory_op && c.a[0] == XENMEM_decrease_reservation)
        replenish((const struct xen_memory_reservation *)c.a[1], (unsigned long)rc);
}

/* A plain write into a scratch page: data, or a page table whose writes are emulated. */
static void step_write(void *arg)
{
    (void)arg;
    unsigned long pfn = scratch_pfn();
    unsigned idx = below(ENTRIES);
    uint64_t *slot = (uint64_t *)pfn_va(pfn) + idx;
    uint64_t v = gen_pte(1 + below(4));

    switch (below(8)) {
    case 0: __atomic_exchange_n(slot, v, __ATOMIC_SEQ_CST); break;
    case 1: {
        uint64_t old = *slot;
        __atomic_compare_exchange_n(slot, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
        break;
    }
    case 2: __atomic_fetch_or(slot, v & 0xfff, __ATOMIC_SEQ_CST); break;
    case 3: __atomic_fetch_and(slot, v | ~0xfffUL, __ATOMIC_SEQ_CST); break;
    case 4: *(volatile uint32_t *)((char *)slot + 4 * below(2)) = (uint32_t)v; break;
    case 5: *(volatile uint64_t *)((char *)slot + 1 + below(7)) = v; break;      /* misaligned */
    case 6: __asm__ volatile("lock btsq %1, %0" : "+m"(*slot)
                             : "r"(below(avoid_grant_bit ? 62 : 64)) : "memory"); break;
    default: *(volatile uint64_t *)slot = v; break;
    }
}

/* Turn a scratch page into a table, a descriptor page or a grant entry page (deep states). */
static void step_build(void *arg)
{
    (void)arg;
    unsigned long pfn = scratch_pfn(), mfn = cur_mfn[pfn];
    uint64_t *page = pfn_va(pfn);
    unsigned kind = below(6);

    if (kind == 4 && nr_gnt) {          /* grant entries: to ourselves, the peer, anyone */
        grant_entry_v1_t *g = &gnt_va[below(nr_gnt * PAGE_SIZE / sizeof(*g))];
        unsigned long f = one_in(6) && nr_prot ? prot_mfns[below(nr_prot)] : data_mfn();
        g->domid = one_in(2) ? guest_domid : any_domid();
        g->frame = (uint32_t)f;
        g->flags = (one_in(8) ? (uint16_t)any_word() : GTF_permit_access) |
                   (is_prot_mfn(f) || one_in(2) ? GTF_readonly : 0);
        return;
    }
    if (kind == 5) {                    /* exchange an unmapped page (or the same one twice) */
        xen_pfn_t *in = arena_alloc(16), *out = arena_alloc(16);
        struct xen_memory_exchange *x = arena_alloc(sizeof(*x));
        unsigned n = 1 + below(2);
        hc(__HYPERVISOR_update_va_mapping, (uint64_t)page, 0, UVMF_INVLPG, 0, 0);
        in[0] = mfn;
        in[1] = avoid_exchange_dup || one_in(2) ? scratch_mfn() : mfn;
        *x = (struct xen_memory_exchange){
            .in = { .nr_extents = n, .domid = DOMID_SELF },
            .out = { .nr_extents = n, .domid = DOMID_SELF },
        };
        x->in.extent_start.p = in;
        x->out.extent_start.p = out;
        if (hc(__HYPERVISOR_memory_op, XENMEM_exchange, (uint64_t)x, 0, 0, 0) == 0 &&
            x->nr_exchanged == n) {
            for (unsigned i = 0; i < n; i++)
                for (unsigned long k = 0; k < nr_scratch; k++)
                    if (cur_mfn[scratch[k]] == in[i]) {
                        cur_mfn[scratch[k]] = out[i];
                        break;
                    }
        }
        for (unsigned long k = 0; k < nr_scratch; k++)    /* both pages where they were */
            if (scratch[k] == pfn || cur_mfn[scratch[k]] == in[1])
                hc(__HYPERVISOR_update_va_mapping, (uint64_t)pfn_va(scratch[k]),
                   (cur_mfn[scratch[k]] << PAGE_SHIFT) | PTE_KERNEL_RW, UVMF_INVLPG, 0, 0);
        return;
    }
    hc(__HYPERVISOR_update_va_mapping, (uint64_t)page, (mfn << PAGE_SHIFT) | PTE_KERNEL_RW,
       UVMF_INVLPG, 0, 0);
    if (kind == 3) {                    /* descriptors, mostly valid, then set_gdt */
        for (unsigned i = 0; i < 16; i++)
            page[i] = one_in(4) ? rnd() : (rnd() & ~(0xfUL << 40)) | (0x9aUL << 40) |
                                           (3UL << 45);
        hc(__HYPERVISOR_update_va_mapping, (uint64_t)page, (mfn << PAGE_SHIFT) | PTE_KERNEL_RO,
           UVMF_INVLPG, 0, 0);
        unsigned long *frames = arena_alloc(8);
        frames[0] = mfn;
        hc(__HYPERVISOR_set_gdt, (uint64_t)frames, 1 + below(ENTRIES), 0, 0, 0);
        return;
    }
    unsigned level = 1 + kind;          /* L1-L3 with entries we choose, then pinned or linked */
    for (unsigned i = 0; i < ENTRIES; i++)
        page[i] = one_in(8) ? gen_pte(level) : 0;
    if (level == 1)
        for (unsigned i = 0; i < 8; i++)
            page[below(ENTRIES)] = ((uint64_t)scratch_mfn() << PAGE_SHIFT) | PTE_KERNEL_RO;
    hc(__HYPERVISOR_update_va_mapping, (uint64_t)page, (mfn << PAGE_SHIFT) | PTE_KERNEL_RO,
       UVMF_INVLPG, 0, 0);
    if (one_in(2)) {
        struct mmuext_op *op = arena_alloc(sizeof(*op));
        op->cmd = MMUEXT_PIN_L1_TABLE + level - 1;
        op->arg1.mfn = mfn;
        hc(__HYPERVISOR_mmuext_op, (uint64_t)op, 1, 0, DOMID_SELF, 0);
    } else {
        struct mmu_update *u = arena_alloc(sizeof(*u));
        uint64_t parent = level == 1 ? l2_mfn : level == 2 ? l3_mfn : l4_mfn;
        unsigned slot = level == 1 ? WINDOW_L2_FIRST + below(ENTRIES - WINDOW_L2_FIRST)
                                   : 1 + below(HV_SLOT_FIRST - 1);
        u->ptr = (parent << PAGE_SHIFT) + slot * 8;
        u->val = (mfn << PAGE_SHIFT) | PTE_TABLE;
        hc(__HYPERVISOR_mmu_update, (uint64_t)u, 1, 0, DOMID_SELF, 0);
    }
}

/* ---- set-up: our memory map, an identity map of every page, an L4 copy, grants ---- */

static const uint64_t *table_va(unsigned long mfn)
{
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    unsigned long pfn = m2p[mfn];
    if (pfn >= nr_pages)
        panic("table frame %#lx is not ours (pfn %#lx)", mfn, pfn);
    return pfn_va(pfn);
}

static void add_table(unsigned long mfn)
{
    if (nr_tables < ARRAY_SIZE(table_mfns))
        table_mfns[nr_tables++] = mfn;
}

static void sort_prot(void)
{
    nr_prot = 0;
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++)
        if (pfn_class[pfn] == C_PROT || pfn_class[pfn] == C_TABLE)
            prot_mfns[nr_prot++] = cur_mfn[pfn];
    for (unsigned long i = 1; i < nr_prot; i++)        /* insertion sort: a few hundred */
        for (unsigned long j = i; j > 0 && prot_mfns[j - 1] > prot_mfns[j]; j--) {
            unsigned long t = prot_mfns[j];
            prot_mfns[j] = prot_mfns[j - 1];
            prot_mfns[j - 1] = t;
        }
}

static long map_page(unsigned long va, unsigned long mfn, unsigned long flags)
{
    return hypercall3(__HYPERVISOR_update_va_mapping, va, (mfn << PAGE_SHIFT) | flags, UVMF_INVLPG);
}

static void setup_memory(void)
{
    nr_pages = guest_start_info->nr_pages;
    if (nr_pages > MAX_PFNS)
        nr_pages = MAX_PFNS;
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        cur_mfn[pfn] = pfn_to_mfn(pfn);
        pfn_class[pfn] = C_SCRATCH;
    }
    /* What the builder mapped is ours to keep: L4[0] -> L3[0] -> L2 -> L1s. */
    const uint64_t *l4 = (const uint64_t *)guest_start_info->pt_base;
    l4_mfn = virt_to_mfn(l4);
    l3_mfn = (l4[0] & PTE_MFN_MASK) >> PAGE_SHIFT;
    const uint64_t *l3 = table_va(l3_mfn);
    l2_mfn = (l3[0] & PTE_MFN_MASK) >> PAGE_SHIFT;
    const uint64_t *l2 = table_va(l2_mfn);
    add_table(l4_mfn);
    add_table(l3_mfn);
    add_table(l2_mfn);
    for (unsigned s = 0; s < ENTRIES; s++) {
        if (!(l2[s] & PTE_PRESENT))
            continue;
        l1_of_slot[s] = (l2[s] & PTE_MFN_MASK) >> PAGE_SHIFT;
        add_table(l1_of_slot[s]);
        const uint64_t *l1 = table_va(l1_of_slot[s]);
        for (unsigned i = 0; i < ENTRIES; i++)
            if ((l1[i] & PTE_PRESENT) && s * ENTRIES + i < nr_pages)
                pfn_class[s * ENTRIES + i] = C_PROT;
    }
    for (unsigned long i = 0; i < guest_start_info->nr_pt_frames; i++)
        pfn_class[(guest_start_info->pt_base >> PAGE_SHIFT) + i] = C_TABLE;
    /* The builder's frames not mapped (none expected), and the tables, by frame. */
    for (unsigned long i = 0; i < nr_tables; i++) {
        unsigned long pfn = ((const unsigned long *)MACH2PHYS_VIRT_START)[table_mfns[i]];
        if (pfn < nr_pages)
            pfn_class[pfn] = C_TABLE;
    }
    /* Nothing below our image: a run of writes from a pointer there (NULL and a huge count,
     * say) would go on into our image; unmapped, it faults at once. */
    for (unsigned long pfn = 0; pfn < ((unsigned long)_image_start >> PAGE_SHIFT) && pfn < nr_pages; pfn++) {
        if (pfn_class[pfn] == C_PROT && hypercall3(__HYPERVISOR_update_va_mapping,
                                                  pfn << PAGE_SHIFT, 0, UVMF_INVLPG))
            panic("unmapping pfn %#lx below our image", pfn);
        pfn_class[pfn] = C_PROT;
    }
    /* The arena: the last pages. */
    arena_pfn = nr_pages - ARENA_PAGES;
    for (unsigned long i = 0; i < ARENA_PAGES; i++)
        if (pfn_class[arena_pfn + i] == C_SCRATCH)
            pfn_class[arena_pfn + i] = C_ARENA;
    /* L1 tables (scratch pages, still unmapped) for the slots that have none, then every
     * other page at its own address. */
    unsigned long t = nr_pages - ARENA_PAGES - 1;
    for (unsigned s = 0; s * ENTRIES < nr_pages; s++) {
        if (l1_of_slot[s])
            continue;
        while (pfn_class[t] != C_SCRATCH || t / ENTRIES == s)
            t--;
        struct mmu_update u = { .ptr = (l2_mfn << PAGE_SHIFT) + s * 8,
                                .val = (cur_mfn[t] << PAGE_SHIFT) | PTE_TABLE };
        long rc = hyp_mmu_update(&u, 1, NULL, DOMID_SELF);
        if (rc)
            panic("linking an L1 for slot %u: %ld", s, rc);
        pfn_class[t] = C_TABLE;
        l1_of_slot[s] = cur_mfn[t];
    }
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++) {
        if (pfn_class[pfn] != C_SCRATCH && pfn_class[pfn] != C_ARENA)
            continue;
        long rc = map_page(pfn << PAGE_SHIFT, cur_mfn[pfn], PTE_KERNEL_RW);
        if (rc)
            panic("mapping pfn %#lx: %ld", pfn, rc);
    }
    arena = pfn_va(arena_pfn);
    /* A copy of our L4, pinned: NEW_BASEPTR may move between the two. */
    unsigned long alt = arena_pfn - 1;
    while (pfn_class[alt] != C_SCRATCH)
        alt--;
    memcpy(pfn_va(alt), l4, PAGE_SIZE);
    if (map_page(alt << PAGE_SHIFT, cur_mfn[alt], PTE_KERNEL_RO) == 0) {
        struct mmuext_op op = { .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = cur_mfn[alt] };
        if (hyp_mmuext_op(&op, 1, NULL, DOMID_SELF) == 0)
            alt_l4_mfn = cur_mfn[alt];
    }
    /* Protected, but not among the tables the generators map only writable (to be refused):
     * once the fuzzing unpins it, it is an ordinary frame, and a writable mapping of it would
     * be accepted, over our own code if that was the address. */
    pfn_class[alt] = C_PROT;
    /* The tables always in use: our L3, L2 and every L1 (both L4s name the L3). Not the L4s:
     * with the other one current and its pin dropped, either is an ordinary frame. */
    nr_tables = 0;
    add_table(l3_mfn);
    add_table(l2_mfn);
    for (unsigned s = 0; s < ENTRIES; s++)
        if (l1_of_slot[s])
            add_table(l1_of_slot[s]);
    for (unsigned long pfn = 0; pfn < nr_pages; pfn++)
        if (pfn_class[pfn] == C_SCRATCH)
            scratch[nr_scratch++] = pfn;
    sort_prot();
}

static void setup_grants(void)
{
    unsigned long frames[GNT_FRAMES];
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = GNT_FRAMES };
    st.frame_list.p = frames;
    if (hyp_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status)
        return;
    for (unsigned i = 0; i < GNT_FRAMES; i++) {
        if (map_machine_page(gnt_pages[i], frames[i], PTE_KERNEL_RW))
            break;
        gnt_mfn[nr_gnt++] = frames[i];
    }
    gnt_va = (grant_entry_v1_t *)gnt_pages[0];
}

/* Our code and read-only data, page by page: what a stray write of the hypervisor's would break. */
#define MAX_IMAGE_PAGES 512
static uint64_t page_sums[MAX_IMAGE_PAGES];

static uint64_t page_sum(unsigned long va)
{
    const uint64_t *p = (const uint64_t *)va;
    uint64_t sum = 0;
    for (unsigned i = 0; i < ENTRIES; i++)
        sum = (sum ^ p[i]) * 0x100000001b3UL;
    return sum;
}

/* Fills page_sums (record) or compares with them; the number of pages that changed. */
static unsigned image_check(bool record)
{
    extern char _rodata_end[];
    unsigned long first = (unsigned long)_image_start, end = (unsigned long)_rodata_end;
    unsigned changed = 0;
    for (unsigned i = 0; i < MAX_IMAGE_PAGES && first + i * PAGE_SIZE < end; i++) {
        uint64_t sum = page_sum(first + i * PAGE_SIZE);
        if (record)
            page_sums[i] = sum;
        else if (sum != page_sums[i] && changed++ < 8)
            printk("hostile: our page at %#lx (mfn %#lx) changed\n", first + i * PAGE_SIZE,
                   virt_to_mfn((void *)(first + i * PAGE_SIZE)));
    }
    return changed;
}

/*
 * The checker (tests/guests/checker) stops on this note in the page it
 * grants us as ref 8. The note is copied from an arena page: any frame of
 * ours may have been given back by the run (a copy from it is refused),
 * so each arena page is tried in turn.
 */
static void tell_checker(unsigned long seed)
{
    long rc = 0;
    struct gnttab_copy c = { .status = GNTST_general_error };

    for (unsigned i = 0; i < ARENA_PAGES && (rc || c.status); i++) {
        uint64_t *note = pfn_va(arena_pfn + i);
        memcpy(&note[0], "HSTLDONE", 8);
        note[1] = seed;
        note[2] = (seed ^ 0x5bd1e9955bd1e995UL) * 0x9e3779b97f4a7c15UL;
        c = (struct gnttab_copy){
            .source.u.gmfn = cur_mfn[arena_pfn + i], .source.domid = DOMID_SELF,
            .dest.u.ref = 8, .dest.domid = peer, .len = 24, .flags = GNTCOPY_dest_gref,
        };
        rc = hyp_grant_table_op(GNTTABOP_copy, &c, 1);
    }
    if (rc || c.status)
        printk("hostile: could not tell domain %u we are done (%ld, status %d)\n", peer, rc,
               c.status);
}

/* selfcheck: our own bookkeeping after every step (slow); names the step that broke it. */
static bool own_state_sane(void)
{
    for (unsigned long i = 0; i < nr_scratch; i++)
        if (scratch[i] >= nr_pages || pfn_class[scratch[i]] != C_SCRATCH)
            return false;
    return true;
}

void test_main(void)
{
    unsigned long seed = (unsigned long)cmdline_number("seed", 1);
    unsigned long steps = (unsigned long)cmdline_number("calls", 20000);
    unsigned long progress = (unsigned long)cmdline_number("progress", 10000);
    unsigned long t0;
    long max;

    trace_from = (unsigned long)cmdline_number("trace", -1);
    avoid_grant_bit = cmdline_has("no-grant-bit");
    selfcheck = cmdline_has("selfcheck");
    avoid_exchange_dup = cmdline_has("no-exchange-dup");
    avoid_bad_bases = cmdline_has("no-bad-bases");
    peer = (domid_t)cmdline_number("peer", 0);
    rng = seed;
    if (guest_start_info->flags & SIF_INITDOMAIN) {
        /* A control domain may map any frame: its random writes would hit the machine. */
        test_skip("the hostile guest runs only as an unprivileged domain");
        return;
    }
    printk("hostile: seed=%lu calls=%lu domain %u, %lu pages\n", seed, steps, guest_domid,
           guest_start_info->nr_pages);
    console_port = guest_start_info->console.domU.evtchn;
    store_port = guest_start_info->store_evtchn;
    max = hyp_memory_op(XENMEM_maximum_ram_page, NULL);
    if (max > 0)
        max_mfn = (unsigned long)max;
    setup_memory();
    setup_grants();
    image_check(true);
    printk("hostile: %lu scratch pages, %lu protected, %lu tables, alt L4 %#lx, %u grant frames, "
           "max mfn %#lx\n", nr_scratch, nr_prot, nr_tables, alt_l4_mfn, nr_gnt, max_mfn);
    printk("hostile: L4 %#lx, L3 %#lx, L2 %#lx, L1s %#lx %#lx %#lx %#lx %#lx %#lx %#lx %#lx\n",
           l4_mfn, l3_mfn, l2_mfn, l1_of_slot[0], l1_of_slot[1], l1_of_slot[2], l1_of_slot[3],
           l1_of_slot[4], l1_of_slot[5], l1_of_slot[6], l1_of_slot[7]);

    t0 = system_time_ns();
    unsigned long start_calls = calls;
    for (step_no = 0; calls - start_calls < steps; step_no++) {
        struct trap_record rec;
        unsigned kind = below(16);
        step_repairs = 0;
        arena_reset();
        gen_depth = 0;
        if (step_no >= trace_from) {
            printk("hostile: step %lu: %s\n", step_no,
                   kind < 12 ? "call" : kind < 15 ? "write into a scratch page" : "build");
            console_flush();
        }
        int v = run_catching(kind < 12 ? step_call : kind < 15 ? step_write : step_build, NULL,
                             &rec);
        if (v >= 0) {
            traps++;
            if (step_no >= trace_from)
                printk("hostile: step %lu: trap %d at %#lx, cr2 %#lx\n", step_no, v,
                       (unsigned long)rec.rip, (unsigned long)rec.cr2);
        }
        if (step_repairs)
            repair(step_repairs);
        if (selfcheck && !own_state_sane())
            panic("step %lu (%s) left our own bookkeeping corrupt", step_no,
                  kind < 12 ? "call" : kind < 15 ? "write" : "build");
        if (progress && step_no % progress == 0 && step_no)
            printk("hostile: step %lu, %lu calls, %lu multicall entries, %lu traps, %lu ms\n",
                   step_no, calls, mc_entries, traps, (unsigned long)((system_time_ns() - t0) / 1000000));
    }
    unsigned long ms = (unsigned long)((system_time_ns() - t0) / 1000000);
    printk("hostile: done: seed %lu, %lu steps, %lu calls, %lu multicall entries, %lu traps, "
           "%lu succeeded, %lu ms, %lu calls/s\n", seed, step_no, calls, mc_entries, traps,
           ok_results, ms, ms ? calls * 1000 / ms : 0);
    CHECK(image_check(false) == 0, "our own code changed under us");
    tell_checker(seed);
    (void)vinfo_registered;
}
