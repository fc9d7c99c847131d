/*
 * Building a PV domain from an ELF kernel with Xen notes, laid out as Xen's
 * own builder does, so a guest written for Xen finds what it expects:
 *
 *   [kernel image][initrd][p2m list][start_info][page tables][boot stack] ... v_end
 *
 * all mapped from the image's virtual base, guest virtual = base + pfn *
 * 4096, the page-table frames read-only, v_end rounded up to 4 MiB with at
 * least 512 KiB free after the stack. The guest starts in 64-bit mode at
 * its entry point with RSI = start_info, RSP = top of the boot stack, and
 * events masked on every vCPU.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <asm/time.h>
#include <pvabi/elfnote.h>
#include <pvabi/xen.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/grant_table.h>
#include <tessera/guest_elf.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

#define GUEST_PTE_PAGE  (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)
#define GUEST_PTE_RO    (PTE_P | PTE_U | PTE_A)
#define GUEST_PTE_TABLE (PTE_P | PTE_W | PTE_U | PTE_A)
#define FOUR_MIB        (4ull << 20)

_Static_assert(GUEST_CS64 == FLAT_RING3_CS64 && GUEST_CS32 == FLAT_RING3_CS32 &&
               GUEST_DS == FLAT_RING3_SS64, "the GDT must hold the guest ABI's selectors");

struct layout {
    uint64_t v_start, kern_start, kern_end;
    uint64_t initrd_start, initrd_end;    /* equal when there is none */
    uint64_t p2m_start, si_start, pt_start, pt_end, stack_start, stack_end, v_end;
    uint64_t console_va, store_va;     /* unprivileged domains: their rings */
    uint64_t nr_pt_frames;
};

/* Pseudo-physical frames [pfn, pfn + count) are machine frames [mfn, mfn + count). */
struct chunk {
    uint64_t pfn, mfn, count;
};
#define MAX_CHUNKS 64

struct builder {
    const struct pv_build_request *req;
    struct guest_elf_info *elf;
    struct layout l;
    uint64_t first_mfn, nr_pages;   /* chunk 0 starts at first_mfn and covers [0, v_end) */
    struct chunk chunks[MAX_CHUNKS];
    unsigned nr_chunks;
    uint64_t next_pt_pfn;
};

static uint64_t va_to_pfn(const struct builder *b, uint64_t va)
{
    return (va - b->l.v_start) >> PAGE_SHIFT;
}

static void *pfn_to_hv(const struct builder *b, uint64_t pfn)
{
    return phys_to_virt((b->first_mfn + pfn) << PAGE_SHIFT);
}

/* Page-table frames needed to map [start, end) with 4 KiB pages. */
static uint64_t tables_needed(uint64_t start, uint64_t end)
{
    uint64_t n = 1;   /* L4 */
    for (unsigned shift = 39; shift >= 21; shift -= 9) {
        uint64_t first = start >> shift, last = (end - 1) >> shift;
        n += last - first + 1;
    }
    return n;
}

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

static int plan_layout(struct builder *b)
{
    struct layout *l = &b->l;
    const struct guest_elf_info *e = b->elf;

    l->v_start = e->virt_base;
    l->kern_start = e->virt_kstart;
    l->kern_end = round_up(e->virt_kend, PAGE_SIZE);
    l->initrd_start = l->kern_end;
    l->initrd_end = round_up(l->initrd_start + b->req->initrd_len, PAGE_SIZE);
    l->p2m_start = l->initrd_end;
    l->si_start = round_up(l->p2m_start + b->nr_pages * sizeof(uint64_t), PAGE_SIZE);
    l->pt_start = l->si_start + PAGE_SIZE;
    for (l->nr_pt_frames = 1;; l->nr_pt_frames++) {
        l->pt_end = l->pt_start + l->nr_pt_frames * PAGE_SIZE;
        l->stack_start = l->pt_end;
        l->stack_end = l->stack_start + PAGE_SIZE;
        l->console_va = l->stack_end;
        l->store_va = l->console_va + PAGE_SIZE;
        uint64_t used_end = b->req->privileged ? l->stack_end : l->store_va + PAGE_SIZE;
        l->v_end = round_up(used_end, FOUR_MIB);
        if (l->v_end - used_end < (512u << 10))
            l->v_end += FOUR_MIB;
        if (tables_needed(l->v_start, l->v_end) <= l->nr_pt_frames)
            break;
        if (l->nr_pt_frames > 1024)
            return -E2BIG;
    }
    if (l->kern_start < l->v_start || va_to_pfn(b, l->v_end) > b->nr_pages)
        return -ENOMEM;
    /* Nothing of the guest may overlap the hypervisor's slots. */
    if (l->v_end > HYPERVISOR_VIRT_START && l->v_start < HYPERVISOR_VIRT_END)
        return -EINVAL;
    return 0;
}

static uint64_t *alloc_pt(struct builder *b)
{
    uint64_t *t = pfn_to_hv(b, b->next_pt_pfn++);
    memset(t, 0, PAGE_SIZE);
    return t;
}

static uint64_t *pt_next(struct builder *b, uint64_t *entry)
{
    if (!(*entry & PTE_P)) {
        uint64_t *t = alloc_pt(b);
        *entry = virt_to_phys(t) | GUEST_PTE_TABLE;
    }
    return phys_to_virt(*entry & 0x000FFFFFFFFFF000ull);
}

static uint64_t build_page_tables(struct builder *b)
{
    b->next_pt_pfn = va_to_pfn(b, b->l.pt_start);
    uint64_t *l4 = alloc_pt(b);
    uint64_t pt_first = va_to_pfn(b, b->l.pt_start), pt_last = va_to_pfn(b, b->l.pt_end);

    for (uint64_t va = b->l.v_start; va < b->l.v_end; va += PAGE_SIZE) {
        uint64_t *l3 = pt_next(b, &l4[(va >> 39) & 511]);
        uint64_t *l2 = pt_next(b, &l3[(va >> 30) & 511]);
        uint64_t *l1 = pt_next(b, &l2[(va >> 21) & 511]);
        uint64_t pfn = va_to_pfn(b, va);
        /* The guest may read its page tables but change them only through us. */
        uint64_t flags = pfn >= pt_first && pfn < pt_last ? GUEST_PTE_RO : GUEST_PTE_PAGE;
        l1[(va >> 12) & 511] = ((b->first_mfn + pfn) << PAGE_SHIFT) | flags;
    }
    paging_copy_hypervisor_slots(l4);
    return virt_to_phys(l4);
}

static void fill_start_info(struct builder *b, struct domain *d)
{
    struct start_info *si = pfn_to_hv(b, va_to_pfn(b, b->l.si_start));

    memset(si, 0, PAGE_SIZE);
    strlcpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic));
    si->nr_pages = b->nr_pages;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = b->req->privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0;
    si->pt_base = b->l.pt_start;
    si->nr_pt_frames = b->l.nr_pt_frames;
    si->mfn_list = b->l.p2m_start;
    if (b->req->initrd_len) {
        /* A kernel that says MOD_START_PFN takes a frame number, others an address. */
        bool as_pfn = b->elf->mod_start_pfn != 0;
        si->mod_start = as_pfn ? va_to_pfn(b, b->l.initrd_start) : b->l.initrd_start;
        si->mod_len = b->req->initrd_len;
        if (as_pfn)
            si->flags |= SIF_MOD_START_PFN;
    }
    strlcpy((char *)si->cmd_line, b->req->cmdline ? b->req->cmdline : "",
            sizeof(si->cmd_line));
}

static unsigned order_for(uint64_t pages)
{
    unsigned order = 0;
    while ((1ull << order) < pages)
        order++;
    return order;
}

/*
 * The domain's memory, as single frames it can give back one by one. The
 * initial mapping [0, v_end) is one contiguous block (pfn n is frame
 * first_mfn + n there, which keeps the layout and ELF loading simple); the
 * rest comes in the largest blocks the allocator has, so a large domain
 * does not need one huge aligned block. All frames are owned by the
 * domain from the start: domain_free() returns them on failure.
 */
static int alloc_memory(struct builder *b)
{
    domid_t owner = b->req->domid;
    uint64_t mapped = va_to_pfn(b, b->l.v_end), pfn = 0;
    unsigned order = order_for(mapped);
    int rc;

    if (order > PAGE_MAX_ORDER)
        return -E2BIG;
    if ((rc = page_alloc_alloc(&frame_allocator, order, owner, &b->first_mfn)) < 0)
        return rc;
    page_alloc_split(&frame_allocator, b->first_mfn, order);
    uint64_t keep = MIN(1ull << order, b->nr_pages);
    for (uint64_t extra = keep; extra < (1ull << order); extra++)
        page_alloc_free(&frame_allocator, b->first_mfn + extra, 0);
    b->chunks[0] = (struct chunk){ 0, b->first_mfn, keep };
    b->nr_chunks = 1;
    for (pfn = keep; pfn < b->nr_pages;) {
        uint64_t mfn, left = b->nr_pages - pfn;
        order = MIN(order_for(left + 1) - 1, (unsigned)PAGE_MAX_ORDER);   /* 2^order <= left */
        while ((rc = page_alloc_alloc(&frame_allocator, order, owner, &mfn)) < 0 && order > 0)
            order--;
        if (rc < 0 || b->nr_chunks == MAX_CHUNKS)
            return rc < 0 ? rc : -ENOMEM;   /* memory too scattered for the chunk list */
        page_alloc_split(&frame_allocator, mfn, order);
        b->chunks[b->nr_chunks++] = (struct chunk){ pfn, mfn, 1ull << order };
        pfn += 1ull << order;
    }
    for (unsigned c = 0; c < b->nr_chunks; c++)
        memclear_sparse(phys_to_virt(b->chunks[c].mfn << PAGE_SHIFT), b->chunks[c].count << PAGE_SHIFT);
    return 0;
}

static int build(struct builder *b, struct domain *d)
{
    const struct pv_build_request *req = b->req;
    int rc;

    b->nr_pages = req->mem_bytes >> PAGE_SHIFT;
    if ((rc = plan_layout(b)) < 0)
        return rc;

    uint64_t si_mfn;
    if ((rc = page_alloc_alloc(&frame_allocator, 0, req->domid, &si_mfn)) < 0)
        return rc;
    d->shared_info_mfn = si_mfn;
    d->shared_info = phys_to_virt(si_mfn << PAGE_SHIFT);
    memset(d->shared_info, 0, PAGE_SIZE);
    for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;

    if ((rc = alloc_memory(b)) < 0)
        return rc;
    d->tot_pages = d->max_pages = b->nr_pages;

    rc = guest_elf_load(req->image, req->image_len, b->elf, pfn_to_hv(b, 0), b->l.v_start,
                        b->chunks[0].count << PAGE_SHIFT);
    if (rc < 0)
        return rc;
    if (req->initrd_len)
        memcpy(pfn_to_hv(b, va_to_pfn(b, b->l.initrd_start)), req->initrd, req->initrd_len);

    uint64_t *p2m = pfn_to_hv(b, va_to_pfn(b, b->l.p2m_start));
    for (unsigned c = 0; c < b->nr_chunks; c++) {
        for (uint64_t k = 0; k < b->chunks[c].count; k++) {
            p2m[b->chunks[c].pfn + k] = b->chunks[c].mfn + k;
            m2p_set(b->chunks[c].mfn + k, b->chunks[c].pfn + k);
        }
    }
    d->arch->p2m_va = b->l.p2m_start;

    uint64_t cr3 = build_page_tables(b);
    fill_start_info(b, d);
    if (GUEST_ELF_HAS(b->elf, XEN_ELFNOTE_HYPERCALL_PAGE)) {
        uint64_t hp = b->elf->hypercall_page;
        if (hp < b->l.kern_start || hp + PAGE_SIZE > b->l.kern_end || (hp & (PAGE_SIZE - 1)))
            return -EINVAL;
        pv_write_hypercall_page(pfn_to_hv(b, va_to_pfn(b, hp)));
    }

    /*
     * The tables get their types as Xen's builder leaves them: the L4
     * validated (which checks every entry the builder wrote) and pinned,
     * and vCPU 0's base pointer holding a reference. The other vCPUs get
     * theirs from VCPUOP_initialise: Linux unpins the builder's L4 and
     * maps it writable once it runs on its own tables, which a reference
     * held by a vCPU that never ran on it would forbid.
     */
    if ((rc = pv_frame_hold(d, d->shared_info_mfn)) < 0 ||
        (rc = pv_pin_table(d, cr3 >> PAGE_SHIFT, PGT_L4)) < 0 ||
        (rc = pv_set_base(d->vcpus[0], cr3 >> PAGE_SHIFT, false)) < 0)
        return rc;
    for (unsigned i = 0; i < d->max_vcpus; i++)
        d->vcpus[i]->vcpu_info = &d->shared_info->vcpu_info[i];
    d->vcpus[0]->arch->initialised = true;
    d->vcpus[0]->arch->start_fresh = true;
    struct cpu_regs *r = &d->vcpus[0]->arch->initial_regs;
    memset(r, 0, sizeof(*r));
    r->rip = b->elf->virt_entry;
    r->cs = GUEST_CS64;
    r->rflags = 0x202;
    r->rsp = b->l.stack_end;
    r->ss = GUEST_DS;
    r->rsi = b->l.si_start;
    pv_publish_wallclock(d);
    return 0;
}

/*
 * An unprivileged domain gets a console ring and a xenstore ring in two of
 * its own pages, each with an unbound port the control domain may bind;
 * until one does, the hypervisor prints the console ring itself. With
 * no_xenstore the store page stays an ordinary page and start_info says 0.
 */
static int attach_rings(struct builder *b, struct domain *d)
{
    struct start_info *si = pfn_to_hv(b, va_to_pfn(b, b->l.si_start));
    evtchn_port_t cons_port, store_port;
    int rc;

    if ((rc = evtchn_alloc_unbound_for(d, 0, &cons_port)) < 0)
        return rc;
    si->console.domU.mfn = b->first_mfn + va_to_pfn(b, b->l.console_va);
    si->console.domU.evtchn = cons_port;
    if (!b->req->no_xenstore) {
        if ((rc = evtchn_alloc_unbound_for(d, 0, &store_port)) < 0)
            return rc;
        si->store_mfn = b->first_mfn + va_to_pfn(b, b->l.store_va);
        si->store_evtchn = store_port;
    }
    d->arch->console_ring = pfn_to_hv(b, va_to_pfn(b, b->l.console_va));
    pv_frame_hold(d, si->console.domU.mfn);   /* drained by the hypervisor */
    return 0;
}

int pv_build_domain(const struct pv_build_request *req, struct domain **out)
{
    struct builder b = { .req = req };
    struct domain *d = NULL;
    int rc = -ENOMEM;

    if (req->vcpus == 0 || req->vcpus > MAX_VCPUS_PER_DOMAIN)
        return -EINVAL;
    b.elf = xzalloc(sizeof(*b.elf));
    if (!b.elf)
        return -ENOMEM;
    rc = guest_elf_parse(req->image, req->image_len, b.elf);
    if (rc < 0) {
        log_err("domain %u: kernel rejected: %s\n", req->domid,
                b.elf->reason ? b.elf->reason : "not a PV ELF kernel");
        goto out;
    }
    d = pv_domain_alloc(req->domid, req->name, req->vcpus, req->privileged);
    if (!d) {
        rc = -ENOMEM;
        goto out;
    }
    rc = build(&b, d);
    if (rc < 0) {
        domain_free(d);   /* first: what it had is free again in the figure below */
        log_err("domain %u: building failed (error %d): it asked for %lu MiB, %lu MiB are free\n",
                req->domid, rc, (unsigned long)(req->mem_bytes >> 20),
                (unsigned long)(free_memory_bytes() >> 20));
        goto out;
    }
    log_info("domain %u ('%s'): %lu MiB, %u vCPU%s, kernel %#lx-%#lx entry %#lx, "
             "start_info %#lx, page tables %#lx (%lu frames)\n",
             req->domid, d->name, (unsigned long)(b.nr_pages >> (20 - PAGE_SHIFT)), d->max_vcpus,
             d->max_vcpus == 1 ? "" : "s", (unsigned long)b.l.kern_start,
             (unsigned long)b.l.kern_end, (unsigned long)b.elf->virt_entry,
             (unsigned long)b.l.si_start, (unsigned long)b.l.pt_start,
             (unsigned long)b.l.nr_pt_frames);
    if (req->initrd_len)
        log_info("domain %u: initrd of %lu bytes at %#lx\n", req->domid,
                 (unsigned long)req->initrd_len, (unsigned long)b.l.initrd_start);
    rc = evtchn_domain_init(d);
    if (rc < 0) {
        log_err("domain %u: no event channels (error %d)\n", req->domid, rc);
        domain_free(d);
        goto out;
    }
    rc = grant_table_domain_init(d, 0);
    if (rc < 0) {
        log_err("domain %u: no grant table (error %d)\n", req->domid, rc);
        evtchn_domain_destroy(d);
        domain_free(d);
        goto out;
    }
    if (!req->privileged && (rc = attach_rings(&b, d)) < 0) {
        log_err("domain %u: console and xenstore rings failed (error %d)\n", req->domid, rc);
        evtchn_domain_destroy(d);
        domain_free(d);
        goto out;
    }
    d->state = DOMAIN_RUNNING;
    *out = d;
out:
    xfree(b.elf);
    return rc;
}
