/*
 * VT-x set-up decisions taken from the capability MSRs alone: the value of
 * each VM-execution, exit and entry control field (its allowed-0 and
 * allowed-1 settings), the CR0/CR4 bits VMX operation fixes and the EPT
 * and VPID features the backend needs. Pure logic, no CPU access: the
 * unit tests (tests/unit/test_vmx_controls.c) feed it MSR values.
 */
#ifndef HVM_VMX_CONTROLS_H
#define HVM_VMX_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

#define MSR_IA32_VMX_BASIC          0x480
#define MSR_IA32_VMX_PINBASED_CTLS  0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS      0x483
#define MSR_IA32_VMX_ENTRY_CTLS     0x484
#define MSR_IA32_VMX_CR0_FIXED0     0x486
#define MSR_IA32_VMX_CR0_FIXED1     0x487
#define MSR_IA32_VMX_CR4_FIXED0     0x488
#define MSR_IA32_VMX_CR4_FIXED1     0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48B
#define MSR_IA32_VMX_EPT_VPID_CAP   0x48C
/* BASIC bit 55: these TRUE_ forms give the real allowed-0 settings of the four above. */
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48D
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48E
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48F
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490

#define VMX_BASIC_TRUE_CTLS     (1ull << 55)
#define VMX_BASIC_REVISION(b)   ((uint32_t)(b) & 0x7FFFFFFFu)

/* EPT_VPID_CAP bits the backend relies on. */
#define VMX_EPT_CAP_WALK_4      (1ull << 6)     /* 4-level tables */
#define VMX_EPT_CAP_WB          (1ull << 14)    /* write-back tables and pages */
#define VMX_EPT_CAP_INVEPT      (1ull << 20)
#define VMX_EPT_CAP_INVEPT_ALL  (1ull << 26)
#define VMX_VPID_CAP_INVVPID    (1ull << 32)
#define VMX_VPID_CAP_INVVPID_ALL (1ull << 42)

/* The MSR to read a control's allowed settings from: the TRUE_ one when BASIC[55] says so. */
uint32_t vmx_ctl_msr(uint64_t basic, uint32_t plain_msr);

/*
 * A control field's value from its capability MSR (bits 31:0 the allowed-0
 * settings, a 1 there is a bit that must be 1; bits 63:32 the allowed-1
 * settings): the bits wanted, plus those that must be 1. *missing gets the
 * wanted bits the CPU cannot set (0 when all can).
 */
uint32_t vmx_ctl_value(uint64_t cap, uint32_t want, uint32_t *missing);

/*
 * CR0 or CR4 as VMX operation allows it: bits FIXED0 has set are forced on
 * and bits FIXED1 has clear forced off, except those in exempt (CR0's PE and
 * PG for an unrestricted guest).
 */
uint64_t vmx_cr_fix(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt);
/* The bits of that register the guest may not choose: the guest/host mask. */
uint64_t vmx_cr_host_owned(uint64_t fixed0, uint64_t fixed1, uint64_t exempt);

/* NULL when EPT_VPID_CAP has what the backend uses, else what is missing. */
const char *vmx_ept_vpid_missing(uint64_t cap, bool want_vpid);

#endif
