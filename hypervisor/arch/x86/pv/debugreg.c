/*
 * A PV vCPU's debug registers, kept as Xen 4.17 keeps them: set through
 * set_debugreg or an emulated `mov %drN` (one set of checks for both),
 * loaded into the CPU while the vCPU runs with a breakpoint enabled, and
 * disarmed when it leaves, so no breakpoint of a guest fires in the
 * hypervisor's own code or in another vCPU.
 *
 * DR0-3 may hold any address a 64-bit PV guest owns: below the
 * non-canonical hole, or above the hypervisor's slots (a breakpoint on the
 * hypervisor's addresses, or a non-canonical one the CPU would refuse, is
 * -EPERM). DR6 and DR7 have their reserved bits forced; their upper halves
 * are -EINVAL. DR7's general-detect bit is -EPERM, and so are I/O
 * breakpoints, which need CR4.DE, never set in a PV guest's CR4 here;
 * without CR4.DE, DR4 and DR5 are DR6 and DR7. A number past 7 is -ENODEV
 * (the emulated `mov` raises #UD for it, #GP for the other refusals).
 *
 * A #DB the guest causes updates its DR6 as Xen does and goes to its
 * handler; a #DB in the hypervisor (a data breakpoint on guest memory that
 * the hypervisor itself wrote) is noted and dropped (arch/x86/traps.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/debugreg.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <pvabi/xen.h>
#include <tessera/domain.h>
#include <tessera/errno.h>

static bool breakpoint_addr_ok(uint64_t a)
{
    return a < 0x0000800000000000ull || a >= HYPERVISOR_VIRT_END;
}

static bool dr7_armed(uint64_t dr7)
{
    return (dr7 & DR7_ENABLES) != 0;
}

/* Is v the vCPU whose state is in this CPU's registers? */
static bool loaded_here(const struct vcpu *v)
{
    return this_cpu()->current == v && v->arch->state_on_cpu;
}

void pv_debugreg_reset(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    for (unsigned i = 0; i < 4; i++)
        a->dr[i] = 0;
    a->dr6 = DR6_DEFAULT;
    a->dr7 = DR7_DEFAULT;
}

static void load_addresses_and_status(const struct arch_vcpu *a)
{
    write_dr0(a->dr[0]);
    write_dr1(a->dr[1]);
    write_dr2(a->dr[2]);
    write_dr3(a->dr[3]);
    write_dr6(a->dr6);
}

static void write_address(unsigned reg, uint64_t value)
{
    switch (reg) {
    case 0: write_dr0(value); break;
    case 1: write_dr1(value); break;
    case 2: write_dr2(value); break;
    default: write_dr3(value); break;
    }
}

long pv_set_debugreg(struct vcpu *v, unsigned reg, uint64_t value)
{
    struct arch_vcpu *a = v->arch;
    bool live = loaded_here(v);

    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!breakpoint_addr_ok(value))
            return -EPERM;
        a->dr[reg] = value;
        if (live && dr7_armed(a->dr7))
            write_address(reg, value);
        return 0;
    case 4: case 6:
        if (value >> 32)
            return -EINVAL;
        a->dr6 = (value & DR6_WRITABLE) | DR6_RESERVED_ONE;
        if (live && dr7_armed(a->dr7))
            write_dr6(a->dr6);
        return 0;
    case 5: case 7:
        if (value >> 32)
            return -EINVAL;
        value = (value & DR7_WRITABLE) | DR7_RESERVED_ONE;
        if (value & DR7_GENERAL_DETECT)
            return -EPERM;
        for (unsigned n = 0; dr7_armed(value) && n < 4; n++)
            if (((value >> DR7_RW_SHIFT(n)) & 3) == DR7_RW_IO)
                return -EPERM;
        if (live && dr7_armed(value) && !dr7_armed(a->dr7))
            load_addresses_and_status(a);   /* not loaded while DR7 was off */
        a->dr7 = value;
        if (live)
            write_dr7(dr7_armed(value) ? value : 0);
        return 0;
    default:
        return -ENODEV;
    }
}

long pv_get_debugreg(struct vcpu *v, unsigned reg, uint64_t *value)
{
    struct arch_vcpu *a = v->arch;

    switch (reg) {
    case 0: case 1: case 2: case 3:
        *value = a->dr[reg];
        return 0;
    case 4: case 6:
        *value = a->dr6;
        return 0;
    case 5: case 7:
        *value = a->dr7;
        return 0;
    default:
        return -ENODEV;
    }
}

void pv_debugreg_switch_in(struct vcpu *v)
{
    const struct arch_vcpu *a = v->arch;
    if (!dr7_armed(a->dr7))
        return;
    load_addresses_and_status(a);
    write_dr7(a->dr7);
}

void pv_debugreg_switch_out(struct vcpu *v)
{
    if (dr7_armed(v->arch->dr7))
        write_dr7(0);
}

/*
 * A #DB from the guest: what the CPU reports in DR6 becomes the guest's
 * DR6 (bits that moved away from their default, as Xen merges them), and
 * the CPU's DR6 is reset for the next one.
 */
void pv_debugreg_trap(struct vcpu *v)
{
    struct arch_vcpu *a = v->arch;
    uint64_t dr6 = read_dr6();

    write_dr6(DR6_DEFAULT);
    a->dr6 |= dr6 & ~DR6_DEFAULT;
    a->dr6 &= dr6 | ~DR6_DEFAULT;
}
