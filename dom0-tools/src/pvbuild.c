/*
 * PV domain builder core (see pvbuild.h): layout, ELF and ramdisk loading,
 * p2m list, page tables, start_info and the boot vCPU's context.
 */
#include <errno.h>
#include <string.h>
#include "pvbuild.h"
#include "trace.h"

#define PTE_P  0x001ull
#define PTE_W  0x002ull
#define PTE_U  0x004ull
#define PTE_A  0x020ull
#define PTE_D  0x040ull
#define PTE_ADDR 0x000ffffffffff000ull

#define PTE_PAGE  (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)
#define PTE_RO    (PTE_P | PTE_U | PTE_A)
#define PTE_TABLE (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D)

#define FOUR_MIB  (4ull << 20)
#define PADDING   (512ull << 10)
/* The hypervisor's own part of a 64-bit PV address space (L4 slots 256-271). */
#define HV_VIRT_START 0xffff800000000000ull
#define HV_VIRT_END   0xffff880000000000ull

static uint64_t round_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

/* Page-table frames needed to map [start, end) with 4 KiB pages. */
static uint64_t tables_needed(uint64_t start, uint64_t end)
{
    uint64_t n = 1;   /* L4 */
    for (unsigned shift = 39; shift >= 21; shift -= 9)
        n += ((end - 1) >> shift) - (start >> shift) + 1;
    return n;
}

int pvb_plan(const struct pvb_request *req, struct pvb_layout *l, const char **why)
{
    const struct guest_elf_info *e = req->info;

    memset(l, 0, sizeof(*l));
    if (e->virt_kstart < e->virt_base || e->virt_kend <= e->virt_kstart) {
        *why = "the kernel's virtual range starts below its VIRT_BASE";
        return -EINVAL;
    }
    if (e->virt_base & (PVB_PAGE_SIZE - 1)) {
        *why = "the kernel's VIRT_BASE is not page aligned";
        return -EINVAL;
    }
    if (req->nr_pages == 0 || req->nr_pages > (1ull << 40) / PVB_PAGE_SIZE) {
        *why = "memory size out of range";
        return -EINVAL;
    }
    l->v_start = e->virt_base;
    l->kern_start = e->virt_kstart;
    l->kern_end = round_up(e->virt_kend, PVB_PAGE_SIZE);
    l->ramdisk_start = l->kern_end;
    l->ramdisk_end = round_up(l->ramdisk_start + req->ramdisk_len, PVB_PAGE_SIZE);
    l->p2m_start = l->ramdisk_end;
    l->p2m_end = round_up(l->p2m_start + req->nr_pages * sizeof(xen_pfn_t), PVB_PAGE_SIZE);
    l->si_start = l->p2m_end;
    l->store_start = l->si_start + PVB_PAGE_SIZE;
    l->console_start = l->store_start + PVB_PAGE_SIZE;
    l->pt_start = l->console_start + PVB_PAGE_SIZE;
    /* The tables map themselves too: grow them until they cover the region. */
    for (l->nr_pt_frames = 4;; l->nr_pt_frames++) {
        l->pt_end = l->pt_start + l->nr_pt_frames * PVB_PAGE_SIZE;
        l->stack_start = l->pt_end;
        l->stack_end = l->stack_start + PVB_PAGE_SIZE;
        l->v_end = round_up(l->stack_end, FOUR_MIB);
        if (l->v_end - l->stack_end < PADDING)
            l->v_end += FOUR_MIB;
        if (tables_needed(l->v_start, l->v_end) <= l->nr_pt_frames)
            break;
        if (l->nr_pt_frames > 4096) {
            *why = "the bootstrap region needs too many page tables";
            return -E2BIG;
        }
    }
    l->used_pages = pvb_va_to_pfn(l, l->stack_end);
    l->mapped_pages = pvb_va_to_pfn(l, l->v_end);
    if (l->v_end < l->v_start ||
        (l->v_start < HV_VIRT_END && l->v_end > HV_VIRT_START) ||
        (l->v_start < HV_VIRT_START && l->v_end > 0x0000800000000000ull)) {
        *why = "the kernel's bootstrap region overlaps the hypervisor's or is not canonical";
        return -EINVAL;
    }
    if (l->mapped_pages > req->nr_pages) {
        *why = "memory too small for the kernel, ramdisk and bootstrap region";
        return -ENOMEM;
    }
    return 0;
}

struct pt_writer {
    const struct pvb_layout *l;
    const xen_pfn_t *p2m;
    uint8_t *boot;
    uint64_t next_pfn;
};

static uint64_t *table_at(struct pt_writer *w, uint64_t pfn)
{
    return (uint64_t *)(w->boot + pfn * PVB_PAGE_SIZE);
}

/* Entry in the next level down, making the table when it is not there. */
static uint64_t *next_level(struct pt_writer *w, uint64_t *entry, uint64_t *pfn_of_next)
{
    if (!(*entry & PTE_P)) {
        uint64_t pfn = w->next_pfn++;
        memset(table_at(w, pfn), 0, PVB_PAGE_SIZE);
        *entry = (w->p2m[pfn] << 12) | PTE_TABLE;
        *pfn_of_next = pfn;
    }
    return table_at(w, *pfn_of_next);
}

static int write_page_tables(struct pt_writer *w, const char **why)
{
    const struct pvb_layout *l = w->l;
    uint64_t pt_first = pvb_va_to_pfn(l, l->pt_start), pt_last = pvb_va_to_pfn(l, l->pt_end);
    /*
     * The table last made at each level: the walk goes up in address order,
     * so a present entry always leads to the last table made below it.
     */
    uint64_t l3_pfn = 0, l2_pfn = 0, l1_pfn = 0;

    w->next_pfn = pt_first;
    uint64_t *l4 = table_at(w, w->next_pfn++);
    memset(l4, 0, PVB_PAGE_SIZE);
    for (uint64_t va = l->v_start; va < l->v_end; va += PVB_PAGE_SIZE) {
        uint64_t *l3 = next_level(w, &l4[(va >> 39) & 511], &l3_pfn);
        uint64_t *l2 = next_level(w, &l3[(va >> 30) & 511], &l2_pfn);
        uint64_t *l1 = next_level(w, &l2[(va >> 21) & 511], &l1_pfn);
        if (w->next_pfn > pt_last) {
            *why = "page tables overflowed their planned frames";
            return -EOVERFLOW;
        }
        uint64_t pfn = pvb_va_to_pfn(l, va);
        /* The guest reads its tables but changes them only through the hypervisor. */
        uint64_t flags = pfn >= pt_first && pfn < pt_last ? PTE_RO : PTE_PAGE;
        l1[(va >> 12) & 511] = (w->p2m[pfn] << 12) | flags;
    }
    return 0;
}

int pvb_write(const struct pvb_request *req, const struct pvb_layout *l, const xen_pfn_t *p2m,
              uint8_t *boot, const struct pvb_domain *dom, struct vcpu_guest_context *ctx,
              const char **why)
{
    const struct guest_elf_info *e = req->info;
    int rc;

    for (uint64_t pfn = 0; pfn < req->nr_pages; pfn++) {
        if (p2m[pfn] == 0 || p2m[pfn] >= (1ull << 40)) {
            *why = "the frame list holds an invalid frame";
            return -EINVAL;
        }
    }
    /* The kernel: from virt_base on (a gap below virt_kstart stays zero). */
    uint64_t kpfn_end = pvb_va_to_pfn(l, l->kern_end);
    memset(boot, 0, kpfn_end * PVB_PAGE_SIZE);
    tl_trace("build: kernel area zeroed");
    rc = req->load_segments
         ? req->load_segments(req->load_ctx, boot, l->v_start, kpfn_end * PVB_PAGE_SIZE)
         : guest_elf_load(req->elf, req->elf_len, e, boot, l->v_start, kpfn_end * PVB_PAGE_SIZE);
    if (rc < 0) {
        *why = e->reason ? e->reason : "the kernel's segments do not fit";
        return rc;
    }
    tl_trace("build: kernel segments loaded");
    uint8_t *rd = boot + pvb_va_to_pfn(l, l->ramdisk_start) * PVB_PAGE_SIZE;
    memset(rd, 0, l->ramdisk_end - l->ramdisk_start);
    if (req->ramdisk_len)
        memcpy(rd, req->ramdisk, req->ramdisk_len);

    /* The p2m list, start_info and the two rings start zeroed. */
    uint8_t *p2m_area = boot + pvb_va_to_pfn(l, l->p2m_start) * PVB_PAGE_SIZE;
    memset(p2m_area, 0, l->pt_start - l->p2m_start);
    memcpy(p2m_area, p2m, req->nr_pages * sizeof(xen_pfn_t));

    tl_trace("build: ramdisk and p2m list written");
    struct pt_writer w = { .l = l, .p2m = p2m, .boot = boot };
    if ((rc = write_page_tables(&w, why)) < 0)
        return rc;
    /* Tables the plan counted but the walk did not need stay as zeroed, valid tables. */
    for (uint64_t pfn = w.next_pfn; pfn < pvb_va_to_pfn(l, l->pt_end); pfn++)
        memset(table_at(&w, pfn), 0, PVB_PAGE_SIZE);
    memset(boot + pvb_va_to_pfn(l, l->stack_start) * PVB_PAGE_SIZE, 0, PVB_PAGE_SIZE);

    struct start_info *si = (struct start_info *)(boot + pvb_va_to_pfn(l, l->si_start) * PVB_PAGE_SIZE);
    strncpy(si->magic, "xen-3.0-x86_64", sizeof(si->magic) - 1);
    si->nr_pages = req->nr_pages;
    si->shared_info = dom->shared_info_mfn << 12;
    si->flags = dom->si_flags;
    si->store_mfn = p2m[pvb_va_to_pfn(l, l->store_start)];
    si->store_evtchn = dom->store_evtchn;
    si->console.domU.mfn = p2m[pvb_va_to_pfn(l, l->console_start)];
    si->console.domU.evtchn = dom->console_evtchn;
    si->pt_base = l->pt_start;
    si->nr_pt_frames = l->nr_pt_frames;
    si->mfn_list = l->p2m_start;
    if (req->ramdisk_len) {
        /* A kernel that says MOD_START_PFN takes a frame number, others an address. */
        if (e->mod_start_pfn) {
            si->mod_start = pvb_va_to_pfn(l, l->ramdisk_start);
            si->flags |= SIF_MOD_START_PFN;
        } else {
            si->mod_start = l->ramdisk_start;
        }
        si->mod_len = req->ramdisk_len;
    }
    if (req->cmdline) {
        if (strlen(req->cmdline) >= sizeof(si->cmd_line)) {
            *why = "the kernel command line is longer than start_info holds (1023 bytes)";
            return -E2BIG;
        }
        memcpy(si->cmd_line, req->cmdline, strlen(req->cmdline) + 1);
    }

    memset(ctx, 0, sizeof(*ctx));
    ctx->flags = VGCF_in_kernel | VGCF_online;
    ctx->user_regs.rip = e->virt_entry;
    ctx->user_regs.rsp = l->stack_end;
    ctx->user_regs.rsi = l->si_start;
    ctx->user_regs.rflags = 1u << 9;   /* interrupts (events) enabled */
    ctx->user_regs.cs = FLAT_KERNEL_CS;
    ctx->user_regs.ss = FLAT_KERNEL_SS;
    ctx->user_regs.ds = ctx->user_regs.es = FLAT_KERNEL_DS;
    ctx->user_regs.fs = ctx->user_regs.gs = FLAT_KERNEL_DS;
    ctx->kernel_ss = FLAT_KERNEL_SS;
    ctx->kernel_sp = l->stack_end;
    ctx->ctrlreg[3] = xen_pfn_to_cr3(p2m[pvb_l4_pfn(l)]);
    return 0;
}
