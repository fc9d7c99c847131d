/*
 * Guest-virtual addresses of an HVM vCPU (hypercall arguments, the
 * instruction at RIP) through the guest's own page tables, read from its
 * memory: paging off (the address is physical), or 4-level long-mode
 * paging with 1 GiB and 2 MiB pages. 32-bit paging (2- and 3-level) is
 * not walked yet: such an address is -EFAULT.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <asm/x86-defs.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>

#define EFER_LMA  (1ull << 10)
#define PTE_ADDR  0x000FFFFFFFFFF000ull

static int walk(struct vcpu *v, uint64_t gva, bool write, uint64_t *gpa)
{
    uint64_t cr0 = hvm_ops->ctl_read(v, HVM_CTL_CR0);

    if (!(cr0 & X86_CR0_PG)) {
        *gpa = gva & 0xFFFFFFFFull;
        return 0;
    }
    if (!(hvm_ops->ctl_read(v, HVM_CTL_EFER) & EFER_LMA))
        return -EFAULT;
    uint64_t table = hvm_ops->ctl_read(v, HVM_CTL_CR3) & PTE_ADDR;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e;
        if (hvm_copy_from_gpa(v->domain, &e, table + ((gva >> shift) & 511) * 8, 8) < 0)
            return -EFAULT;
        if (!(e & PTE_P) || (write && !(e & PTE_W) && (cr0 & X86_CR0_WP)))
            return -EFAULT;
        if (shift == 12 || ((shift == 30 || shift == 21) && (e & PTE_PS))) {
            uint64_t mask = (1ull << shift) - 1;
            *gpa = ((e & PTE_ADDR) & ~mask) | (gva & mask);
            return 0;
        }
        table = e & PTE_ADDR;
    }
    return -EFAULT;
}

static int copy_virt(struct vcpu *v, uint64_t gva, void *buf, size_t len, bool write)
{
    uint8_t *p = buf;
    while (len) {
        size_t n = MIN(len, (size_t)(4096 - (gva & 4095)));
        uint64_t gpa;
        int rc = walk(v, gva, write, &gpa);
        if (rc < 0)
            return rc;
        rc = write ? hvm_copy_to_gpa(v->domain, gpa, p, n) : hvm_copy_from_gpa(v->domain, p, gpa, n);
        if (rc < 0)
            return rc;
        p += n;
        gva += n;
        len -= n;
    }
    return 0;
}

int hvm_copy_from_guest_virt(struct vcpu *v, void *dst, uint64_t gva, size_t len)
{
    return copy_virt(v, gva, dst, len, false);
}

int hvm_copy_to_guest_virt(struct vcpu *v, uint64_t gva, const void *src, size_t len)
{
    return copy_virt(v, gva, (void *)src, len, true);
}
