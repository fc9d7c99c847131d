/*
 * Writes to a live L1 page table, emulated (Xen's "writable page tables"
 * assist, VMASST_TYPE_writable_pagetables, which Linux turns on). The
 * guest maps its L1 tables read-only; a write into one faults, and if it
 * is one of the instructions kernels use on page-table entries, the
 * hypervisor decodes it, computes the entry's new value, checks it as an
 * mmu_update would (pv_entry_replace) and stores it, then moves the guest
 * past the instruction. Anything else stays a page fault for the guest.
 *
 * Decoded: mov (88, 89, C6, C7), xchg (86, 87), cmpxchg (0F B0, 0F B1),
 * and/or with a register or an immediate (20, 21, 08, 09, 80, 81, 83
 * /1 /4), bts/btr (0F AB, 0F B3, 0F BA /5 /6), with lock, operand-size and
 * REX prefixes; the access must lie inside one 8-byte entry. The memory
 * address is CR2; the ModRM bytes are parsed only for the instruction's
 * length and its register operand.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/paging.h>
#include <asm/pt_insn.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/regs.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/guest_access.h>
#include <tessera/string.h>

#define FLAG_CF 0x001u
#define FLAG_PF 0x004u
#define FLAG_ZF 0x040u
#define FLAG_SF 0x080u
#define FLAG_OF 0x800u

static uint64_t mask_of(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

/* ZF, SF, PF of a logic result; CF and OF clear. */
static uint64_t logic_flags(uint64_t rflags, uint64_t result, unsigned size)
{
    rflags &= ~(uint64_t)(FLAG_CF | FLAG_PF | FLAG_ZF | FLAG_SF | FLAG_OF);
    if ((result & mask_of(size)) == 0)
        rflags |= FLAG_ZF;
    if (result >> (size * 8 - 1) & 1)
        rflags |= FLAG_SF;
    if (!(__builtin_popcount((unsigned)(result & 0xFF)) & 1))
        rflags |= FLAG_PF;
    return rflags;
}

/*
 * The operand's new value (in *val, of in->size bytes) from its old one,
 * updating registers and flags as the instruction does. False if the
 * instruction is not one we carry out.
 */
static bool apply(const struct pt_insn *in, struct cpu_regs *r, uint64_t old, uint64_t *val)
{
    uint64_t m = mask_of(in->size), src = *cpu_regs_gpr(r, in->reg) & m;
    unsigned digit = in->reg & 7;

    switch (in->op) {
    case 0x88: case 0x89:
        *val = src;
        return true;
    case 0xC6: case 0xC7:
        *val = in->imm & m;
        return digit == 0;
    case 0x86: case 0x87: {
        uint64_t *reg = cpu_regs_gpr(r, in->reg);
        *val = src;
        *reg = in->size == 4 ? old : (*reg & ~m) | old;   /* 32-bit results zero-extend */
        return true;
    }
    case 0x0FB0: case 0x0FB1: {
        uint64_t cmp = r->rax & m;
        uint64_t diff = (cmp - old) & m;
        r->rflags = logic_flags(r->rflags, diff, in->size);
        if (cmp < old)
            r->rflags |= FLAG_CF;
        if (cmp == old) {
            *val = src;
        } else {
            *val = old;
            r->rax = in->size == 4 ? old : (r->rax & ~m) | old;
        }
        return true;
    }
    case 0x20: case 0x21: case 0x08: case 0x09:
        *val = (in->op == 0x20 || in->op == 0x21) ? old & src : old | src;
        break;
    case 0x80: case 0x81: case 0x83:
        if (digit != 1 && digit != 4)
            return false;
        *val = digit == 4 ? old & in->imm & m : (old | in->imm) & m;
        break;
    case 0x0FAB: case 0x0FB3: case 0x0FBA: {
        uint64_t bit = (in->op == 0x0FBA ? in->imm : src) & 0xFF;
        bool set = in->op == 0x0FAB || (in->op == 0x0FBA && digit == 5);
        if ((in->op == 0x0FBA && digit != 5 && digit != 6) || bit >= in->size * 8)
            return false;   /* other bt forms, or a bit outside the operand */
        r->rflags = (r->rflags & ~(uint64_t)FLAG_CF) | ((old >> bit) & 1 ? FLAG_CF : 0);
        *val = set ? old | (1ull << bit) : old & ~(1ull << bit);
        return true;
    }
    default:
        return false;
    }
    r->rflags = logic_flags(r->rflags, *val, in->size);
    return true;
}

bool pv_emulate_pt_write(struct vcpu *v, struct cpu_regs *r, uint64_t cr2)
{
    struct domain *d = v->domain;
    uint8_t bytes[PT_INSN_BUF_LEN] = { 0 };
    struct pt_insn in;

    if (!(__atomic_load_n(&d->arch->vm_assist, __ATOMIC_RELAXED) &
          (1ul << VMASST_TYPE_writable_pagetables)) || !v->arch->kernel_mode)
        return false;
    if (copy_from_guest(bytes, r->rip, PT_INSN_MAX_LEN) < 0 || !pt_insn_decode(bytes, &in))
        return false;
    unsigned offset = (unsigned)(cr2 & 7);
    if (offset + in.size > 8)
        return false;

    bool done = false;
    pv_mm_lock_all(d);
    uint64_t *mapping = pv_find_l1e(d, v->arch->guest_cr3, cr2);
    uint64_t pte = mapping ? __atomic_load_n(mapping, __ATOMIC_RELAXED) : 0;
    struct page_info *table = (pte & PTE_P) && !(pte & PTE_W) && !(pte & PTE_GRANT_MAPPING)
                                  ? pv_frame_info((pte & PTE_MFN_MASK) >> PAGE_SHIFT) : NULL;
    if (table && table->owner == d->domain_id && pv_pt_level(table) == 1) {
        uint64_t *entry = (uint64_t *)phys_to_virt(pte & PTE_MFN_MASK) + ((cr2 & 0xFFF) >> 3);
        uint64_t whole = __atomic_load_n(entry, __ATOMIC_RELAXED);
        uint64_t m = mask_of(in.size) << (offset * 8);
        struct cpu_regs saved = *r;
        uint64_t part;
        if (apply(&in, r, (whole & m) >> (offset * 8), &part)) {
            uint64_t new = (whole & ~m) | ((part << (offset * 8)) & m);
            done = new == whole || pv_entry_replace(d, 1, entry, new) == 0;
        }
        if (!done)
            *r = saved;     /* refused: registers and flags as before, the fault goes to the guest */
    }
    pv_mm_unlock_all(d);
    pv_foreign_release();   /* an entry it replaced may have been a domain's last foreign mapping */
    if (done)
        r->rip += in.len;
    return done;
}
