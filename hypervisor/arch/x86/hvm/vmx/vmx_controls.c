/*
 * VT-x control values and fixed CR bits from the capability MSRs
 * (vmx_controls.h). Host C as well: tests/unit/test_vmx_controls.c.
 */
#include "vmx_controls.h"

uint32_t vmx_ctl_msr(uint64_t basic, uint32_t plain_msr)
{
    if (!(basic & VMX_BASIC_TRUE_CTLS))
        return plain_msr;
    switch (plain_msr) {
    case MSR_IA32_VMX_PINBASED_CTLS: return MSR_IA32_VMX_TRUE_PINBASED_CTLS;
    case MSR_IA32_VMX_PROCBASED_CTLS: return MSR_IA32_VMX_TRUE_PROCBASED_CTLS;
    case MSR_IA32_VMX_EXIT_CTLS: return MSR_IA32_VMX_TRUE_EXIT_CTLS;
    case MSR_IA32_VMX_ENTRY_CTLS: return MSR_IA32_VMX_TRUE_ENTRY_CTLS;
    default: return plain_msr;      /* PROCBASED_CTLS2 has no TRUE_ form */
    }
}

uint32_t vmx_ctl_value(uint64_t cap, uint32_t want, uint32_t *missing)
{
    uint32_t must_be_one = (uint32_t)cap;
    uint32_t may_be_one = (uint32_t)(cap >> 32);

    *missing = want & ~may_be_one;
    return (want & may_be_one) | must_be_one;
}

uint64_t vmx_cr_fix(uint64_t value, uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
    return (value | (fixed0 & ~exempt)) & (fixed1 | exempt);
}

uint64_t vmx_cr_host_owned(uint64_t fixed0, uint64_t fixed1, uint64_t exempt)
{
    return ((fixed0 & ~exempt) | ~fixed1) & ~exempt & 0xFFFFFFFFull;
}

const char *vmx_ept_vpid_missing(uint64_t cap, bool want_vpid)
{
    if (!(cap & VMX_EPT_CAP_WALK_4))
        return "4-level EPT";
    if (!(cap & VMX_EPT_CAP_WB))
        return "write-back EPT";
    if (!(cap & VMX_EPT_CAP_INVEPT) || !(cap & VMX_EPT_CAP_INVEPT_ALL))
        return "INVEPT (all contexts)";
    if (want_vpid && (!(cap & VMX_VPID_CAP_INVVPID) || !(cap & VMX_VPID_CAP_INVVPID_ALL)))
        return "INVVPID (all contexts)";
    return 0;
}
