/*
 * Stores by the control domain into a device page it may only read, one
 * the hypervisor owns part of (an MSI-X table or PBA, tessera/msix.h):
 * dropped, as Xen drops them (mmio_ro_emulated_write). Its mapping of the
 * page is read-only (pv/page_type.c), so the store faults here. Without
 * this the fault would go to the guest, and Linux, seeing a writable
 * mapping whose entry is read-only, would make the entry writable again
 * (which the hypervisor refuses silently) and retry the store for ever.
 * Only a plain mov of 1, 2, 4 or 8 naturally aligned bytes is skipped;
 * anything else stays the guest's page fault. Linux as a Xen dom0 never
 * writes there (pci_msi_ignore_mask); the first stray store is logged.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/pt_insn.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/regs.h>
#include <tessera/domain.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include <tessera/msix.h>

/* mov r/m8,r8; mov r/m,r; mov r/m8,imm8; mov r/m,imm */
static bool is_plain_store(unsigned op)
{
    return op == 0x88 || op == 0x89 || op == 0xC6 || op == 0xC7;
}

bool pv_emulate_mmio_ro_write(struct vcpu *v, struct cpu_regs *r, uint64_t cr2)
{
    static bool logged;
    struct domain *d = v->domain;
    uint8_t bytes[PT_INSN_BUF_LEN] = { 0 };
    struct pt_insn in;

    if (!d->is_privileged)
        return false;
    uint64_t cr3 = v->arch->kernel_mode ? v->arch->guest_cr3 : v->arch->user_cr3;
    if (!cr3)
        return false;
    pv_mm_lock_all(d);
    uint64_t *l1e = pv_find_l1e(d, cr3, cr2);
    uint64_t pte = l1e ? __atomic_load_n(l1e, __ATOMIC_RELAXED) : 0;
    pv_mm_unlock_all(d);
    if (!(pte & PTE_P) || (pte & PTE_W) ||
        !msix_frame_read_only((pte & PTE_MFN_MASK) >> PAGE_SHIFT))
        return false;
    if (copy_from_guest(bytes, r->rip, PT_INSN_MAX_LEN) < 0 || !pt_insn_decode(bytes, &in) ||
        !is_plain_store(in.op) || (cr2 & (in.size - 1)))
        return false;
    if (!__atomic_exchange_n(&logged, true, __ATOMIC_RELAXED))
        log_warn("pv: d%u stored %u bytes at %#lx (machine %#lx), an MSI-X table or PBA page; "
                 "dropped (rip %#lx)\n", d->domain_id, in.size, (unsigned long)cr2,
                 (unsigned long)((pte & PTE_MFN_MASK) | (cr2 & 0xFFF)), (unsigned long)r->rip);
    r->rip += in.len;
    return true;
}
