/*
 * VT-x set-up from the capability MSRs (hypervisor/arch/x86/hvm/vmx/
 * vmx_controls.c): which MSR holds a control's allowed settings, the
 * control values (bits that must be 1 added, bits the CPU cannot set
 * reported), CR0/CR4 under VMX's fixed bits with unrestricted guest's
 * exemptions, the guest/host masks, and the EPT/VPID features required.
 * The MSR values are those a Haswell reports (Bochs's corei7_haswell_4770
 * model is close to them).
 */
#include <stdint.h>
#include <string.h>
#include "unit.h"
#include "vmx_controls.h"

#define BASIC_TRUE      0x00DA040000000012ull   /* bit 55 set: TRUE_ MSRs exist */
#define PROC_CAP        0xFFF9FFFE0401E172ull
#define TRUE_PROC_CAP   0xFFF9FFFE04006172ull
#define PIN_CAP         0x0000007F00000016ull
#define CR0_FIXED0      0x80000021ull           /* PG, NE, PE */
#define CR0_FIXED1      0xFFFFFFFFull
#define CR4_FIXED0      0x00002000ull           /* VMXE */
#define CR4_FIXED1      0x003767FFull
#define PE  0x1ull
#define ET  0x10ull
#define NE  0x20ull
#define PG  0x80000000ull
#define EPT_CAP_FULL    0x00000F0106734141ull

static void test_ctl_msr(void)
{
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE, MSR_IA32_VMX_PINBASED_CTLS), 0x48D);
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE, MSR_IA32_VMX_PROCBASED_CTLS), 0x48E);
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE, MSR_IA32_VMX_EXIT_CTLS), 0x48F);
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE, MSR_IA32_VMX_ENTRY_CTLS), 0x490);
    /* The secondary controls have no TRUE_ form; without bit 55 nothing does. */
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE, MSR_IA32_VMX_PROCBASED_CTLS2), 0x48B);
    CU_ASSERT_EQUAL(vmx_ctl_msr(BASIC_TRUE & ~(1ull << 55), MSR_IA32_VMX_PROCBASED_CTLS), 0x482);
}

static void test_ctl_value(void)
{
    uint32_t missing = 0xFFFF;
    /* External-interrupt and NMI exiting: allowed; bits 1, 2, 4 must be 1. */
    CU_ASSERT_EQUAL(vmx_ctl_value(PIN_CAP, 0x9, &missing), 0x9 | 0x16);
    CU_ASSERT_EQUAL(missing, 0);
    /* Posted interrupts (bit 7) are not in this CPU's allowed-1 settings. */
    CU_ASSERT_EQUAL(vmx_ctl_value(PIN_CAP, 0x81, &missing), 0x1 | 0x16);
    CU_ASSERT_EQUAL(missing, 0x80);
    /* HLT, unconditional I/O, secondary controls. The plain MSR forces CR3
     * load/store exiting (bits 15, 16); the TRUE_ one lets EPT go without. */
    uint32_t want = (1u << 7) | (1u << 24) | (1u << 31);
    CU_ASSERT_EQUAL(vmx_ctl_value(PROC_CAP, want, &missing) & (3u << 15), 3u << 15);
    CU_ASSERT_EQUAL(vmx_ctl_value(TRUE_PROC_CAP, want, &missing) & (3u << 15), 0);
    CU_ASSERT_EQUAL(vmx_ctl_value(TRUE_PROC_CAP, want, &missing) & want, want);
    CU_ASSERT_EQUAL(missing, 0);
    /* A CPU with no secondary controls (bit 31 not allowed). */
    vmx_ctl_value(TRUE_PROC_CAP & ~(1ull << 63), want, &missing);
    CU_ASSERT_EQUAL(missing, 1u << 31);
}

static void test_cr_fix(void)
{
    /* PVH's start: PE and ET; unrestricted guest adds only NE (PG may stay off). */
    CU_ASSERT_EQUAL(vmx_cr_fix(PE | ET, CR0_FIXED0, CR0_FIXED1, PE | PG), PE | ET | NE);
    /* Real mode (hvm_realmode): PE off stays off. */
    CU_ASSERT_EQUAL(vmx_cr_fix(ET, CR0_FIXED0, CR0_FIXED1, PE | PG), ET | NE);
    /* Without the exemption, PE and PG are forced as for a host. */
    CU_ASSERT_EQUAL(vmx_cr_fix(ET, CR0_FIXED0, CR0_FIXED1, 0), PG | NE | PE | ET);
    /* CR4: VMXE forced on; a bit FIXED1 does not allow (22 here) forced off. */
    CU_ASSERT_EQUAL(vmx_cr_fix(0x20, CR4_FIXED0, CR4_FIXED1, 0), 0x2020);
    CU_ASSERT_EQUAL(vmx_cr_fix(0x20 | (1ull << 22), CR4_FIXED0, CR4_FIXED1, 0), 0x2020);
    /* A host CR4 that already satisfies it is unchanged (vmx_cpu_enable's check). */
    CU_ASSERT_EQUAL(vmx_cr_fix(0x2620, CR4_FIXED0, CR4_FIXED1, 0), 0x2620);
}

static void test_host_owned(void)
{
    /* CR0: NE only (PE, PG are the unrestricted guest's; FIXED1 allows all). */
    CU_ASSERT_EQUAL(vmx_cr_host_owned(CR0_FIXED0, CR0_FIXED1, PE | PG), NE);
    /* CR4: VMXE and every bit FIXED1 does not allow, within the low 32 bits. */
    uint64_t m = vmx_cr_host_owned(CR4_FIXED0, CR4_FIXED1, 0);
    CU_ASSERT_EQUAL(m, (0x2000 | ~CR4_FIXED1) & 0xFFFFFFFFull);
    CU_ASSERT_TRUE(m & (1ull << 22));
    CU_ASSERT_FALSE(m & 0x20);          /* PAE is the guest's */
    /* The mask and the fixing agree: a guest value with the owned bits from the
     * shadow, fixed, differs from it only in owned bits. */
    uint64_t guest = 0x6F0;
    CU_ASSERT_EQUAL((vmx_cr_fix(guest, CR4_FIXED0, CR4_FIXED1, 0) ^ guest) & ~m, 0);
}

static void test_ept_vpid(void)
{
    CU_ASSERT_PTR_NULL(vmx_ept_vpid_missing(EPT_CAP_FULL, true));
    CU_ASSERT_STRING_EQUAL(vmx_ept_vpid_missing(EPT_CAP_FULL & ~(1ull << 6), true), "4-level EPT");
    CU_ASSERT_STRING_EQUAL(vmx_ept_vpid_missing(EPT_CAP_FULL & ~(1ull << 14), true),
                           "write-back EPT");
    CU_ASSERT_STRING_EQUAL(vmx_ept_vpid_missing(EPT_CAP_FULL & ~(1ull << 26), true),
                           "INVEPT (all contexts)");
    CU_ASSERT_STRING_EQUAL(vmx_ept_vpid_missing(EPT_CAP_FULL & ~(1ull << 42), true),
                           "INVVPID (all contexts)");
    /* Without VPID the INVVPID bits do not matter. */
    CU_ASSERT_PTR_NULL(vmx_ept_vpid_missing(EPT_CAP_FULL & ~(1ull << 32), false));
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(ctl_msr),
        UNIT_CASE(ctl_value),
        UNIT_CASE(cr_fix),
        UNIT_CASE(host_owned),
        UNIT_CASE(ept_vpid),
    };
    unit_begin();
    UNIT_SUITE("vmx_controls", cases);
    return unit_end();
}
