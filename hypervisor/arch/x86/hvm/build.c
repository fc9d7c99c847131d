/*
 * Building a PVH domain from an ELF kernel: its PT_LOAD segments copied
 * to their physical addresses in guest memory; in the page after the
 * image an hvm_start_info with the command line, the memory map and the
 * initrd (copied after that page) as module 0; the console ring in the
 * last page of its memory (reserved in the map); an MP table at 0xF0000
 * naming its CPU and local APIC; and vCPU 0 started as PVH says: 32-bit
 * protected mode, paging off, flat segments, EBX = the start info's
 * address, at XEN_ELFNOTE_PHYS32_ENTRY (or the ELF's entry point when
 * there is no such note). Event channels, a grant table and a shared_info
 * page are set up as for a PV domain, so the domain-wide code (shutdown,
 * the scheduler) treats both alike.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <pvabi/elfnote.h>
#include <pvabi/hvm_op.h>
#include <pvabi/hvm_start_info.h>
#include <pvabi/xen.h>
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
#include "hvm_internal.h"

#define MODLIST_OFFSET 0x40     /* in the start-info page: after the struct */
#define CMDLINE_OFFSET 0x100
#define MEMMAP_OFFSET  0xC00

struct pvh_layout {
    uint64_t image_start;       /* guest-physical start of the lowest segment */
    uint64_t image_end;         /* guest-physical end of the highest segment */
    uint64_t start_info;        /* the page after it */
    uint64_t initrd;            /* the pages after that: the initrd, if there is one */
    uint64_t entry;
};

static int load_segments(struct domain *d, const struct pv_build_request *req,
                         const struct guest_elf_info *elf, struct pvh_layout *l)
{
    uint64_t mem = d->arch->hvm->nr_pages << PAGE_SHIFT;
    const uint8_t *image = req->image;

    l->image_end = 0;
    l->image_start = ~0ull;
    for (unsigned i = 0; i < elf->nr_segments; i++) {
        const struct guest_elf_segment *s = &elf->segments[i];
        uint64_t end = s->paddr + s->mem_size;
        if (s->paddr < l->image_start)
            l->image_start = s->paddr;
        if (end < s->paddr || end > mem || s->file_size > s->mem_size ||
            s->file_offset + s->file_size > req->image_len)
            return -ENOSPC;
        int rc = hvm_copy_to_gpa(d, s->paddr, image + s->file_offset, s->file_size);
        if (rc < 0)
            return rc;
        if (end > l->image_end)
            l->image_end = end;     /* the rest of mem_size is zero already */
    }
    l->start_info = (l->image_end + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
    if (l->start_info + PAGE_SIZE > (d->arch->hvm->console_gfn << PAGE_SHIFT))
        return -ENOSPC;
    l->initrd = l->start_info + PAGE_SIZE;
    if (req->initrd_len) {
        uint64_t end = l->initrd + req->initrd_len;
        if (end < l->initrd || end > (d->arch->hvm->console_gfn << PAGE_SHIFT))
            return -ENOSPC;
        int rc = hvm_copy_to_gpa(d, l->initrd, req->initrd, req->initrd_len);
        if (rc < 0)
            return rc;
    }
    l->entry = GUEST_ELF_HAS(elf, XEN_ELFNOTE_PHYS32_ENTRY) ? elf->phys32_entry : elf->elf_entry;
    if (l->entry >= mem || l->entry > 0xFFFFFFFFull)
        return -EINVAL;
    return 0;
}

unsigned hvm_memory_map(const struct domain *d, struct hvm_memmap_table_entry *map)
{
    uint64_t console = d->arch->hvm->console_gfn << PAGE_SHIFT;

    map[0] = (struct hvm_memmap_table_entry){
        .addr = 0, .size = console, .type = XEN_HVM_MEMMAP_TYPE_RAM };
    map[1] = (struct hvm_memmap_table_entry){
        .addr = console, .size = PAGE_SIZE, .type = XEN_HVM_MEMMAP_TYPE_RESERVED };
    return 2;
}

static int write_start_info(struct domain *d, const struct pv_build_request *req,
                            const struct pvh_layout *l)
{
    char cmdline[MEMMAP_OFFSET - CMDLINE_OFFSET];
    struct hvm_memmap_table_entry map[HVM_MEMMAP_MAX];
    unsigned entries = hvm_memory_map(d, map);
    struct hvm_start_info si = {
        .magic = XEN_HVM_START_MAGIC_VALUE, .version = 1,
        .flags = req->privileged ? (SIF_PRIVILEGED | SIF_INITDOMAIN) : 0,
        .cmdline_paddr = l->start_info + CMDLINE_OFFSET,
        .memmap_paddr = l->start_info + MEMMAP_OFFSET, .memmap_entries = entries,
    };
    /* The initrd as the one module, as libxl passes a PVH guest its ramdisk. */
    struct hvm_modlist_entry initrd = { .paddr = l->initrd, .size = req->initrd_len };
    if (req->initrd_len) {
        si.nr_modules = 1;
        si.modlist_paddr = l->start_info + MODLIST_OFFSET;
    }
    strlcpy(cmdline, req->cmdline ? req->cmdline : "", sizeof(cmdline));
    int rc = hvm_copy_to_gpa(d, l->start_info, &si, sizeof(si));
    if (!rc)
        rc = hvm_copy_to_gpa(d, si.cmdline_paddr, cmdline, strlen(cmdline) + 1);
    if (!rc)
        rc = hvm_copy_to_gpa(d, si.memmap_paddr, map, entries * sizeof(map[0]));
    if (!rc && si.nr_modules)
        rc = hvm_copy_to_gpa(d, si.modlist_paddr, &initrd, sizeof(initrd));
    return rc;
}

/*
 * An Intel MP table naming the domain's one CPU and its local APIC, in the
 * BIOS area at 0xF0000 where Linux looks for one when there is no ACPI:
 * Linux sets up its per-CPU timer (Xen's VCPUOP one for PVH) only in the
 * APIC modes such a table (or an ACPI MADT) allows. Layouts from the
 * MultiProcessor Specification 1.4: the 16-byte floating pointer, then
 * the table header and one processor entry, each with a zero byte sum.
 */
#define MP_TABLE_AT 0xF0000ull

static uint8_t byte_sum(const uint8_t *p, unsigned n)
{
    uint8_t sum = 0;
    while (n--)
        sum += *p++;
    return sum;
}

static int write_mp_table(struct domain *d)
{
    uint8_t mpf[16] = { '_', 'M', 'P', '_' }, mpc[44 + 20] = { 'P', 'C', 'M', 'P' };
    uint32_t table = MP_TABLE_AT + sizeof(mpf), lapic = 0xFEE00000u, signature = 0;
    uint16_t length = sizeof(mpc), entries = 1;

    memcpy(mpf + 4, &table, 4);
    mpf[8] = 1;                         /* length in 16-byte units */
    mpf[9] = 4;                         /* spec revision 1.4 */
    mpf[10] = (uint8_t)-byte_sum(mpf, sizeof(mpf));
    memcpy(mpc + 4, &length, 2);
    mpc[6] = 4;
    memcpy(mpc + 8, "TESSERA PVH         ", 20);  /* OEM id, product id */
    memcpy(mpc + 34, &entries, 2);
    memcpy(mpc + 36, &lapic, 4);
    uint8_t *cpu = mpc + 44;            /* entry type 0: a processor */
    cpu[1] = 0;                         /* its APIC id: vCPU 0's */
    cpu[2] = 0x14;                      /* APIC version */
    cpu[3] = 3;                         /* enabled, the bootstrap processor */
    memcpy(cpu + 4, &signature, 4);
    mpc[7] = (uint8_t)-byte_sum(mpc, sizeof(mpc));
    int rc = hvm_copy_to_gpa(d, MP_TABLE_AT, mpf, sizeof(mpf));
    return rc ? rc : hvm_copy_to_gpa(d, table, mpc, sizeof(mpc));
}

/*
 * The console ring, as libxl gives a PVH guest one: a page outside its RAM
 * (reserved in the map), named by HVM_PARAM_CONSOLE_PFN, with an event
 * channel unbound for the control domain in HVM_PARAM_CONSOLE_EVTCHN. Until
 * a console daemon takes it, the hypervisor prints it (pv/console_ring.c).
 */
static int attach_console(struct domain *d)
{
    struct hvm_domain *h = d->arch->hvm;
    evtchn_port_t port;
    uint64_t mfn;
    int rc;

    if ((rc = evtchn_alloc_unbound_for(d, 0, &port)) < 0 ||
        (rc = hvm_gfn_to_mfn(d, h->console_gfn, &mfn)) < 0 || (rc = pv_frame_hold(d, mfn)) < 0)
        return rc;
    h->params[HVM_PARAM_CONSOLE_PFN] = h->console_gfn;
    h->params[HVM_PARAM_CONSOLE_EVTCHN] = port;
    d->arch->console_ring = phys_to_virt(mfn << PAGE_SHIFT);
    return 0;
}

static int build(struct domain *d, const struct pv_build_request *req,
                 const struct guest_elf_info *elf, struct pvh_layout *l)
{
    int rc;

    if ((rc = domain_shared_info_alloc(d)) < 0 ||
        (rc = hvm_memory_init(d, req->mem_bytes >> PAGE_SHIFT)) < 0)
        return rc;
    if (d->arch->hvm->nr_pages < 2)
        return -ENOSPC;
    d->arch->hvm->console_gfn = d->arch->hvm->nr_pages - 1;    /* its last page */
    if ((rc = load_segments(d, req, elf, l)) < 0 ||
        (rc = write_start_info(d, req, l)) < 0)
        return rc;
    /* A kernel loaded below 1 MiB keeps that memory to itself (no MP table, no APIC timer setup). */
    if (l->image_start >= 0x100000 && d->arch->hvm->nr_pages > (MP_TABLE_AT >> PAGE_SHIFT) &&
        (rc = write_mp_table(d)) < 0)
        return rc;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (!(v->arch->hvm = xzalloc(sizeof(*v->arch->hvm))))
            return -ENOMEM;
        if ((rc = hvm_ops->vcpu_create(v, d->arch->hvm->npt_root)) < 0)
            return rc;
        hvm_vlapic_init(v);
    }
    struct hvm_regs *r = &d->vcpus[0]->arch->hvm->regs;
    r->rip = l->entry;
    r->rbx = l->start_info;
    r->rflags = 0x2;
    d->vcpus[0]->arch->initialised = true;
    return 0;
}

int hvm_build_domain(const struct pv_build_request *req, struct domain **out)
{
    struct pvh_layout l;
    struct domain *d = NULL;
    int rc;

    if (!hvm_ops) {
        log_err("domain %u: a PVH domain needs SVM with nested paging, or VT-x with EPT and "
                "unrestricted guest, which this machine does not have\n", req->domid);
        return -ENODEV;
    }
    if (req->privileged || req->vcpus != 1)
        return -EOPNOTSUPP;     /* this slice: one vCPU, never the control domain */
    struct guest_elf_info *elf = xzalloc(sizeof(*elf));
    if (!elf)
        return -ENOMEM;
    rc = guest_elf_parse(req->image, req->image_len, elf);
    if (rc < 0) {
        log_err("domain %u: kernel rejected: %s\n", req->domid,
                elf->reason ? elf->reason : "not an ELF kernel with Xen notes");
        goto out;
    }
    d = pv_domain_alloc(req->domid, req->name, req->vcpus, false);
    if (!d) {
        rc = -ENOMEM;
        goto out;
    }
    if ((rc = build(d, req, elf, &l)) < 0 || (rc = evtchn_domain_init(d)) < 0 ||
        (rc = attach_console(d)) < 0) {
        domain_free(d);
        log_err("domain %u: building the PVH domain failed (error %d)\n", req->domid, rc);
        goto out;
    }
    if ((rc = grant_table_domain_init(d, 0)) < 0) {
        evtchn_domain_destroy(d);
        domain_free(d);
        log_err("domain %u: no grant table (error %d)\n", req->domid, rc);
        goto out;
    }
    log_info("domain %u ('%s'): PVH, %lu MiB, image up to %#lx, entry %#lx (%s), start info "
             "%#lx, %u nested page-table pages\n", req->domid, d->name,
             (unsigned long)(req->mem_bytes >> 20), (unsigned long)l.image_end,
             (unsigned long)l.entry,
             GUEST_ELF_HAS(elf, XEN_ELFNOTE_PHYS32_ENTRY) ? "PHYS32_ENTRY" : "ELF entry",
             (unsigned long)l.start_info, d->arch->hvm->npt_frames);
    if (req->initrd_len)
        log_info("domain %u: initrd at %#lx, %lu KiB (start info module 0)\n", req->domid,
                 (unsigned long)l.initrd, (unsigned long)(req->initrd_len >> 10));
    d->state = DOMAIN_RUNNING;
    *out = d;
out:
    xfree(elf);
    return rc;
}
