/*
 * The guest's part of the GDT: set_gdt, update_descriptor, and the
 * descriptor pages behind them. A PV guest's GDT lives in frames of its
 * own, typed as descriptor pages (never mapped writable) so that every
 * descriptor in them was checked: not present, or a code or data segment
 * of DPL 3 (the guest kernel runs in ring 3). System descriptors (gates,
 * TSS, LDT) are refused, as Xen refuses them to 64-bit PV guests.
 *
 * Each physical CPU's GDT has room for the guest's 14 pages below the
 * hypervisor's own entries; when a vCPU is switched in, its descriptors
 * are copied there (Linux uses 16 entries: 128 bytes). update_descriptor
 * writes the frame and, when the running vCPU's GDT holds that frame, the
 * live copy too. Another running vCPU that shares the frame sees the
 * change at its next switch.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/extable.h>
#include <asm/paging.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <pvabi/arch_x86_64.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>

#define DESC_S        (1ull << 44)     /* code or data, not a system descriptor */
#define DESC_DPL_MASK (3ull << 45)
#define DESC_P        (1ull << 47)
#define DESCS_PER_PAGE 512u

/* The descriptor as it may stand in a guest GDT, or false if refused. */
static bool check_descriptor(uint64_t *desc)
{
    if (!(*desc & DESC_P))
        return true;
    if (!(*desc & DESC_S))
        return false;
    *desc |= DESC_DPL_MASK;
    return true;
}

bool pv_validate_descriptor_page(uint64_t mfn)
{
    uint64_t *d = phys_to_virt(mfn << PAGE_SHIFT);

    for (unsigned i = 0; i < DESCS_PER_PAGE; i++) {
        uint64_t desc = d[i];
        if (!check_descriptor(&desc))
            return false;
        d[i] = desc;
    }
    return true;
}

/* Copies v's descriptors into this CPU's GDT, clearing what a previous vCPU left above them. */
void pv_load_gdt(struct vcpu *v)
{
    struct percpu *cpu = this_cpu();
    struct arch_vcpu *a = v->arch;

    for (unsigned i = 0; i < a->gdt_entries; i++) {
        const uint64_t *page = phys_to_virt(a->gdt_mfn[i / DESCS_PER_PAGE] << PAGE_SHIFT);
        cpu->gdt[i] = page[i % DESCS_PER_PAGE];
    }
    if (cpu->guest_gdt_entries > a->gdt_entries)
        memset(&cpu->gdt[a->gdt_entries], 0,
               (cpu->guest_gdt_entries - a->gdt_entries) * sizeof(uint64_t));
    cpu->guest_gdt_entries = a->gdt_entries;
}

/* Replaces v's GDT by 'entries' descriptors in frames[]. 0 or -EINVAL; nothing changes on failure. */
int pv_install_gdt(struct vcpu *v, const uint64_t *frames, unsigned entries)
{
    struct domain *d = v->domain;
    struct arch_vcpu *a = v->arch;
    unsigned nr = (entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE, got = 0;
    int rc = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    pv_mm_lock_all(d);
    for (; got < nr; got++)
        if (pv_get_type(d, frames[got], PGT_SEG_DESC) < 0) {
            rc = -EINVAL;
            break;
        }
    if (rc) {
        while (got-- > 0)
            pv_put_type(d, frames[got]);
    } else {
        unsigned old_nr = (a->gdt_entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE;
        uint64_t old[FIRST_RESERVED_GDT_PAGE];
        memcpy(old, a->gdt_mfn, sizeof(old));
        memset(a->gdt_mfn, 0, sizeof(a->gdt_mfn));
        memcpy(a->gdt_mfn, frames, nr * sizeof(uint64_t));
        a->gdt_entries = entries;
        if (v == current_vcpu())
            pv_load_gdt(v);
        for (unsigned i = 0; i < old_nr; i++)
            pv_put_type(d, old[i]);
    }
    pv_mm_unlock_all(d);
    return rc;
}

/* set_gdt(frame list, entries) for the calling vCPU. */
long hc_set_gdt(struct vcpu *v, uint64_t frame_list, unsigned int entries)
{
    uint64_t frames[FIRST_RESERVED_GDT_PAGE];
    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -EINVAL;
    unsigned nr = (unsigned)((entries + DESCS_PER_PAGE - 1) / DESCS_PER_PAGE);
    if (nr && copy_from_guest(frames, frame_list, nr * sizeof(uint64_t)) < 0)
        return -EFAULT;
    return pv_install_gdt(v, frames, entries);
}

/*
 * update_descriptor(machine address, descriptor): one descriptor into a
 * descriptor page or an ordinary frame of the guest's, 8-byte aligned,
 * checked as above. Never into a page table.
 */
long hc_update_descriptor(struct vcpu *v, uint64_t ma, uint64_t desc)
{
    uint64_t mfn = ma >> PAGE_SHIFT;
    struct domain *d = v->domain;

    if ((ma & 7) || !check_descriptor(&desc))
        return -EINVAL;
    pv_mm_lock(d);
    struct page_info *pi = pv_frame_info(mfn);
    bool in_gdt_page = pi && pi->owner == d->domain_id &&
                       (pi->type_info >> PGT_TYPE_SHIFT) == PGT_SEG_DESC && pv_type_count(pi);
    long rc = in_gdt_page ? 0 : pv_get_type(d, mfn, PGT_WRITABLE);
    if (!rc) {
        __atomic_store_n((uint64_t *)phys_to_virt(ma), desc, __ATOMIC_RELEASE);
        if (!in_gdt_page)
            pv_put_type(d, mfn);
    }
    /* The running vCPU's own GDT: its live copy too. */
    struct arch_vcpu *av = v->arch;
    for (unsigned i = 0; !rc && in_gdt_page && i * DESCS_PER_PAGE < av->gdt_entries; i++) {
        unsigned idx = i * DESCS_PER_PAGE + (unsigned)((ma & (PAGE_SIZE - 1)) / 8);
        if (av->gdt_mfn[i] == mfn && idx < av->gdt_entries)
            this_cpu()->gdt[idx] = desc;
    }
    pv_mm_unlock(d);
    return rc ? -EINVAL : 0;
}

/*
 * Loads a data segment register; a selector the GDT refuses is loaded as
 * null instead (as Xen does). True if the selector itself loaded.
 */
#define LOAD_SELECTOR(seg, value) __extension__ ({                             \
        uint32_t want_ = (value), sel_ = want_;                                \
        __asm__ volatile("1: movl %k0, %%" #seg "\n"                           \
                         "2:\n"                                                \
                         ".pushsection .text.fixup, \"ax\"\n"                  \
                         "3: xorl %k0, %k0\n"                                  \
                         "   movl %k0, %%" #seg "\n"                           \
                         "   jmp 2b\n"                                         \
                         ".popsection\n"                                       \
                         EXTABLE_ASM("1b", "3b")                               \
                         : "+r"(sel_) : : "memory");                           \
        sel_ == want_;                                                         \
    })

void pv_save_selectors(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    __asm__ volatile("movw %%ds, %0" : "=m"(a->sel_ds));
    __asm__ volatile("movw %%es, %0" : "=m"(a->sel_es));
    __asm__ volatile("movw %%fs, %0" : "=m"(a->sel_fs));
    __asm__ volatile("movw %%gs, %0" : "=m"(a->sel_gs));
}

/*
 * SEGBASE_GS_USER_SEL for the running vCPU: the user GS selector, whose
 * base (the descriptor's) becomes the user GS base. The kernel's GS base
 * is written back, since loading the selector replaced it.
 */
void pv_load_user_gs_selector(struct vcpu *v, uint16_t sel)
{
    struct arch_vcpu *a = v->arch;
    pv_sync_segment_bases(v);       /* the kernel's base, rewritten below */
    if (sel & ~3u)
        sel |= 3;           /* as Xen: user mode's privilege, whatever RPL was asked */
    (void)LOAD_SELECTOR(gs, sel);   /* refused: null, as Xen */
    a->gs_base_user = rdmsr(MSR_GS_BASE);
    pv_write_base_msr(v, MSR_GS_BASE, a->kernel_mode ? a->gs_base_kernel : a->gs_base_user);
}

/*
 * After pv_load_gdt; FS and GS bases are written afterwards (loading a
 * selector resets them). A selector that no longer loads (its descriptor
 * changed while the vCPU was away) is null, and false is returned: the
 * guest's failsafe callback is then due, with the values kept in a->sel_*.
 */
bool pv_load_selectors(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    bool ok = LOAD_SELECTOR(ds, a->sel_ds);
    ok &= LOAD_SELECTOR(es, a->sel_es);
    ok &= LOAD_SELECTOR(fs, a->sel_fs);
    ok &= LOAD_SELECTOR(gs, a->sel_gs);
    return ok;
}
