/*
 * I/O ports and the interrupt flag, as Xen 4.17 gives them to every PV
 * domain: a virtual IOPL (PHYSDEVOP_set_iopl, the IOPL bits of a
 * VCPUOP_initialise context, or with VMASST_TYPE_architectural_iopl the
 * IOPL of each HYPERVISOR_iret) under which `in`/`out` fault in ring 3 and
 * are completed here, and `cli`/`sti` are accepted and do nothing (events
 * are the guest's interrupts; Xen does the same). Without the IOPL they
 * are a #GP in the guest, as on hardware. The guest kernel counts as
 * ring 1, or as ring 0 (always allowed) under architectural_iopl.
 *
 * Which ports reach the hardware is a second question: only the control
 * domain's, and of those not the ones the hypervisor itself drives (the
 * PIC, PIT channels 0 and 1 (channel 2 and the speaker gate at 0x61 are
 * the guest's, as Linux may calibrate with them), and the serial port it
 * logs to). Any other access allowed by the IOPL reads all ones and
 * writes nothing, as in Xen (Linux probes the legacy UARTs; an
 * unprivileged domain owns no port). PCI configuration ports go through
 * arch/x86/pci.c, which shares them with the hypervisor's own accesses.
 * String I/O is a #GP.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/pci.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/serial.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>

#define PIT_COMMAND   0x43
#define PIT_CHANNEL2  0x42

/* Whether the guest's privilege level may use I/O and cli/sti now (the CPU's rule: CPL <= IOPL). */
static bool iopl_ok(const struct vcpu *v)
{
    bool architectural = __atomic_load_n(&v->domain->arch->vm_assist, __ATOMIC_RELAXED) &
                         (1ul << VMASST_TYPE_architectural_iopl);
    unsigned cpl = v->arch->kernel_mode ? (architectural ? 0 : 1) : 3;
    return cpl <= v->arch->iopl;
}

static bool overlaps(unsigned port, unsigned size, unsigned first, unsigned last)
{
    return port <= last && port + size - 1 >= first;
}

/* May domain d touch [port, port + size)? value is what an out writes (for the PIT's command port). */
static bool port_allowed(const struct domain *d, unsigned port, unsigned size, bool out,
                         uint32_t value)
{
    uint16_t uart = serial_base_port();

    if (!d->is_privileged || port + size > 0x10000)
        return false;
    if (overlaps(port, size, 0x20, 0x21) || overlaps(port, size, 0xA0, 0xA1) ||
        overlaps(port, size, 0x40, 0x41))
        return false;
    if (uart && overlaps(port, size, uart, uart + 7))
        return false;
    /* The PIT's command port only for channel 2 (select bits 10). */
    if (overlaps(port, size, PIT_COMMAND, PIT_COMMAND))
        return out && size == 1 && (value & 0xC0) == 0x80;
    return true;
}

long pv_set_iopl(struct vcpu *v, unsigned iopl)
{
    if (iopl > 3)
        return -EINVAL;
    v->arch->iopl = iopl;
    return 0;
}

/*
 * Decodes and carries out in/out/cli/sti at the guest's RIP (bytes b):
 * true if done (RIP advanced), false if it is not one of them or is not
 * allowed (the caller then injects #GP).
 */
bool pv_emulate_io(struct vcpu *v, struct cpu_regs *r, const uint8_t *b)
{
    unsigned i = 0, size = 4;

    if (!iopl_ok(v))
        return false;
    if (b[i] == 0x66) {
        size = 2;
        i++;
    }
    if ((b[i] & 0xF0) == 0x40)       /* REX: no effect on in/out */
        i++;
    uint8_t op = b[i];
    if ((op == 0xFA || op == 0xFB) && i == 0) {      /* cli, sti */
        r->rip += 1;
        return true;
    }
    bool imm = op >= 0xE4 && op <= 0xE7, dx = op >= 0xEC && op <= 0xEF;
    if (!imm && !dx)
        return false;
    bool out = op & 2;
    if (!(op & 1))
        size = 1;
    unsigned port = imm ? b[i + 1] : (uint16_t)r->rdx;
    uint32_t value = (uint32_t)r->rax;
    bool allowed = port_allowed(v->domain, port, size, out, value);
    /* PCI configuration goes through arch/x86/pci.c, which keeps dom0's 0xCF8 apart. */
    bool pci = allowed && pci_guest_port(port, size);
    if (out) {
        if (pci)
            pci_guest_io(v->domain, port, size, true, value);
        else if (allowed)
            port_out(port, size, value);
    } else {
        uint32_t in = pci ? pci_guest_io(v->domain, port, size, false, 0)
                          : allowed ? port_in(port, size) : 0xFFFFFFFFu;
        if (size == 4)
            r->rax = in;                                 /* a 32-bit result zero-extends */
        else if (size == 2)
            r->rax = (r->rax & ~0xFFFFull) | in;
        else
            r->rax = (r->rax & ~0xFFull) | in;
    }
    r->rip += i + 1 + (imm ? 1 : 0);
    return true;
}
