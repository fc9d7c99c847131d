/*
 * OUTS and REP OUTS from an HVM guest. Linux's early console for PVH and
 * HVM guests (xen_hvm_early_write) is "rep outsb" to port 0xe9, so this is
 * the path every early line of a PVH Linux takes.
 *
 * The elements come from DS:RSI through the guest's page tables; RSI moves
 * by the element size (backwards with EFLAGS.DF) and, under REP, RCX counts
 * down, both at the instruction's address size. A long REP is done in
 * pieces: RIP stays on the instruction until RCX reaches 0, so the host may
 * take interrupts between pieces, as the CPU would between iterations.
 *
 * Not done: INS (no device here gives input), segment overrides (without
 * decode assists the segment is not reported: DS is assumed, and its base
 * is 0 in long mode anyway).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/pv.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/format.h>
#include "hvm_internal.h"

#define PIECE_BYTES     256
#define RFLAGS_DF       (1ull << 10)
#define CS_ATTR_DB      (1u << 10)      /* packed attributes: D/B in bit 10 */

static unsigned address_size(struct vcpu *v, const struct hvm_exit *e)
{
    if (e->addr_size)
        return e->addr_size;
    if (hvm_long_mode(v))
        return 8;
    return hvm_ops->ctl_read(v, HVM_CTL_CS_ATTR) & CS_ATTR_DB ? 4 : 2;
}

void hvm_io_string(struct vcpu *v, const struct hvm_exit *e)
{
    struct hvm_regs *r = &v->arch->hvm->regs;
    uint8_t buf[PIECE_BYTES];

    if (e->in)
        hvm_domain_crash(v, "INS (string port input) not emulated yet");
    unsigned asz = address_size(v, e);
    uint64_t mask = asz == 8 ? ~0ull : (1ull << (asz * 8)) - 1;
    uint64_t count = e->rep ? r->rcx & mask : 1;
    uint64_t n = MIN(count, (uint64_t)(PIECE_BYTES / e->size));
    uint64_t base = hvm_long_mode(v) ? 0 : hvm_ops->ctl_read(v, HVM_CTL_DS_BASE);
    uint64_t step = r->rflags & RFLAGS_DF ? -(uint64_t)e->size : e->size;

    for (uint64_t i = 0; i < n; i++) {
        uint64_t src = base + (r->rsi & mask);
        if (hvm_copy_from_guest_virt(v, buf + i * e->size, src, e->size) < 0) {
            char why[96];
            format(why, sizeof(why), "OUTS from %#lx, which is not mapped (#PF not "
                   "delivered yet)", (unsigned long)src);
            hvm_domain_crash(v, why);
        }
        r->rsi = (r->rsi & ~mask) | ((r->rsi + step) & mask);
    }
    hvm_port_write_elements(v, e->port, e->size, buf, n);
    if (e->rep)
        r->rcx = (r->rcx & ~mask) | ((count - n) & mask);
    if (!e->rep || count == n)
        hvm_skip_insn(v, HVM_INSN_IO, e->next_rip);
}
