/*
 * Intel VT-x: the VMCS field encodings, control bits and exit reasons the
 * backend uses, what the boot CPU found, each CPU's VMXON state, and the
 * VMREAD/VMWRITE wrappers. Numbers from the SDM's appendices (Volume 3,
 * "Field Encoding in VMCS", "VMX Basic Exit Reasons").
 */
#ifndef HVM_VMX_H
#define HVM_VMX_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/percpu.h>
#include "vmx_controls.h"

#define MSR_IA32_FEATURE_CONTROL    0x3A
#define FEATURE_CONTROL_LOCK        (1ull << 0)
#define FEATURE_CONTROL_VMX_OUTSIDE_SMX (1ull << 2)
#define MSR_IA32_SYSENTER_CS        0x174
#define MSR_IA32_SYSENTER_ESP       0x175
#define MSR_IA32_SYSENTER_EIP       0x176
#define MSR_IA32_PAT                0x277
#define CPUID1_ECX_VMX              (1u << 5)
#define X86_CR4_VMXE                (1ull << 13)

/* ---- VMCS fields --------------------------------------------------------- */
enum vmcs_field {
    VPID                        = 0x0000,
    GUEST_ES_SELECTOR           = 0x0800,   /* ES CS SS DS FS GS LDTR TR, 2 apart */
    GUEST_CS_SELECTOR           = 0x0802,
    GUEST_SS_SELECTOR           = 0x0804,
    GUEST_TR_SELECTOR           = 0x080E,
    GUEST_LDTR_SELECTOR         = 0x080C,
    HOST_ES_SELECTOR            = 0x0C00,
    HOST_CS_SELECTOR            = 0x0C02,
    HOST_SS_SELECTOR            = 0x0C04,
    HOST_DS_SELECTOR            = 0x0C06,
    HOST_FS_SELECTOR            = 0x0C08,
    HOST_GS_SELECTOR            = 0x0C0A,
    HOST_TR_SELECTOR            = 0x0C0C,
    EPT_POINTER                 = 0x201A,
    GUEST_PHYSICAL_ADDRESS      = 0x2400,
    VMCS_LINK_POINTER           = 0x2800,
    GUEST_IA32_DEBUGCTL         = 0x2802,
    GUEST_IA32_PAT              = 0x2804,
    GUEST_IA32_EFER             = 0x2806,
    HOST_IA32_PAT               = 0x2C00,
    HOST_IA32_EFER              = 0x2C02,
    PIN_BASED_CONTROLS          = 0x4000,
    PROC_BASED_CONTROLS         = 0x4002,
    EXCEPTION_BITMAP            = 0x4004,
    CR3_TARGET_COUNT            = 0x400A,
    EXIT_CONTROLS               = 0x400C,
    EXIT_MSR_STORE_COUNT        = 0x400E,
    EXIT_MSR_LOAD_COUNT         = 0x4010,
    ENTRY_CONTROLS              = 0x4012,
    ENTRY_MSR_LOAD_COUNT        = 0x4014,
    ENTRY_INTR_INFO             = 0x4016,
    ENTRY_EXCEPTION_ERROR_CODE  = 0x4018,
    ENTRY_INSTRUCTION_LEN       = 0x401A,
    PROC_BASED_CONTROLS2        = 0x401E,
    VM_INSTRUCTION_ERROR        = 0x4400,
    EXIT_REASON                 = 0x4402,
    EXIT_INTR_INFO              = 0x4404,
    EXIT_INTR_ERROR_CODE        = 0x4406,
    IDT_VECTORING_INFO          = 0x4408,
    IDT_VECTORING_ERROR_CODE    = 0x440A,
    EXIT_INSTRUCTION_LEN        = 0x440C,
    GUEST_ES_LIMIT              = 0x4800,   /* limits of ES ... TR, 2 apart */
    GUEST_GDTR_LIMIT            = 0x4810,
    GUEST_IDTR_LIMIT            = 0x4812,
    GUEST_ES_AR                 = 0x4814,   /* access rights of ES ... TR, 2 apart */
    GUEST_CS_AR                 = 0x4816,
    GUEST_SS_AR                 = 0x4818,
    GUEST_INTERRUPTIBILITY      = 0x4824,
    GUEST_ACTIVITY_STATE        = 0x4826,
    GUEST_SYSENTER_CS           = 0x482A,
    HOST_SYSENTER_CS            = 0x4C00,
    CR0_GUEST_HOST_MASK         = 0x6000,
    CR4_GUEST_HOST_MASK         = 0x6002,
    CR0_READ_SHADOW             = 0x6004,
    CR4_READ_SHADOW             = 0x6006,
    EXIT_QUALIFICATION          = 0x6400,
    GUEST_CR0                   = 0x6800,
    GUEST_CR3                   = 0x6802,
    GUEST_CR4                   = 0x6804,
    GUEST_ES_BASE               = 0x6806,   /* bases of ES ... TR, 2 apart */
    GUEST_CS_BASE               = 0x6808,
    GUEST_SS_BASE               = 0x680A,
    GUEST_DS_BASE               = 0x680C,
    GUEST_FS_BASE               = 0x680E,
    GUEST_GS_BASE               = 0x6810,
    GUEST_GDTR_BASE             = 0x6816,
    GUEST_IDTR_BASE             = 0x6818,
    GUEST_DR7                   = 0x681A,
    GUEST_RSP                   = 0x681C,
    GUEST_RIP                   = 0x681E,
    GUEST_RFLAGS                = 0x6820,
    GUEST_PENDING_DBG           = 0x6822,
    GUEST_SYSENTER_ESP          = 0x6824,
    GUEST_SYSENTER_EIP          = 0x6826,
    HOST_CR0                    = 0x6C00,
    HOST_CR3                    = 0x6C02,
    HOST_CR4                    = 0x6C04,
    HOST_FS_BASE                = 0x6C06,
    HOST_GS_BASE                = 0x6C08,
    HOST_TR_BASE                = 0x6C0A,
    HOST_GDTR_BASE              = 0x6C0C,
    HOST_IDTR_BASE              = 0x6C0E,
    HOST_SYSENTER_ESP           = 0x6C10,
    HOST_SYSENTER_EIP           = 0x6C12,
    HOST_RSP                    = 0x6C14,
    HOST_RIP                    = 0x6C16,
};

/* Segment n (0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS, 6 LDTR, 7 TR): its four fields. */
#define GUEST_SEG_SELECTOR(n)   (GUEST_ES_SELECTOR + 2 * (n))
#define GUEST_SEG_LIMIT(n)      (GUEST_ES_LIMIT + 2 * (n))
#define GUEST_SEG_AR(n)         (GUEST_ES_AR + 2 * (n))
#define GUEST_SEG_BASE(n)       (GUEST_ES_BASE + 2 * (n))
#define SEG_ES 0
#define SEG_CS 1
#define SEG_SS 2
#define SEG_DS 3
#define SEG_FS 4
#define SEG_GS 5
#define SEG_LDTR 6
#define SEG_TR 7
#define VMX_AR_UNUSABLE (1u << 16)

/* ---- controls ----------------------------------------------------------- */
#define PIN_EXTERNAL_INTERRUPT  (1u << 0)
#define PIN_NMI_EXITING         (1u << 3)

#define PROC_INTR_WINDOW_EXITING (1u << 2)
#define PROC_HLT_EXITING        (1u << 7)
#define PROC_MWAIT_EXITING      (1u << 10)
#define PROC_UNCOND_IO_EXITING  (1u << 24)
#define PROC_MONITOR_EXITING    (1u << 29)
#define PROC_SECONDARY          (1u << 31)

#define PROC2_EPT               (1u << 1)
#define PROC2_VPID              (1u << 5)
#define PROC2_UNRESTRICTED      (1u << 7)

#define EXIT_HOST_64BIT         (1u << 9)
#define EXIT_SAVE_PAT           (1u << 18)
#define EXIT_LOAD_PAT           (1u << 19)
#define EXIT_SAVE_EFER          (1u << 20)
#define EXIT_LOAD_EFER          (1u << 21)

#define ENTRY_IA32E_GUEST       (1u << 9)
#define ENTRY_LOAD_PAT          (1u << 14)
#define ENTRY_LOAD_EFER         (1u << 15)

/* Event injection and exit interruption information. */
#define INTR_INFO_VALID         (1u << 31)
#define INTR_INFO_ERROR_VALID   (1u << 11)
#define INTR_TYPE_SHIFT         8
#define INTR_TYPE_NMI           2
#define INTR_TYPE_HW_EXCEPTION  3
#define INTR_TYPE_SW_INTERRUPT  4
#define INTR_TYPE_SW_EXCEPTION  6

#define INTERRUPTIBILITY_STI    (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)

/* EPT entries: read, write, execute; a page is write-back. */
#define EPT_RWX                 0x7ull
#define EPT_MEMTYPE_WB          (6ull << 3)
#define EPTP_WB_WALK4           ((3ull << 3) | 6)

/* ---- exit reasons ------------------------------------------------------- */
enum vmx_exit_reason {
    VMX_EXIT_EXCEPTION_NMI = 0, VMX_EXIT_EXTERNAL_INTERRUPT = 1, VMX_EXIT_TRIPLE_FAULT = 2,
    VMX_EXIT_INIT = 3, VMX_EXIT_SIPI = 4, VMX_EXIT_INTERRUPT_WINDOW = 7,
    VMX_EXIT_NMI_WINDOW = 8, VMX_EXIT_TASK_SWITCH = 9, VMX_EXIT_CPUID = 10, VMX_EXIT_GETSEC = 11,
    VMX_EXIT_HLT = 12, VMX_EXIT_INVD = 13, VMX_EXIT_INVLPG = 14, VMX_EXIT_RDPMC = 15,
    VMX_EXIT_RDTSC = 16, VMX_EXIT_RSM = 17, VMX_EXIT_VMCALL = 18, VMX_EXIT_VMCLEAR = 19,
    VMX_EXIT_VMLAUNCH = 20, VMX_EXIT_VMPTRLD = 21, VMX_EXIT_VMPTRST = 22, VMX_EXIT_VMREAD = 23,
    VMX_EXIT_VMRESUME = 24, VMX_EXIT_VMWRITE = 25, VMX_EXIT_VMXOFF = 26, VMX_EXIT_VMXON = 27,
    VMX_EXIT_CR_ACCESS = 28, VMX_EXIT_DR_ACCESS = 29, VMX_EXIT_IO = 30, VMX_EXIT_RDMSR = 31,
    VMX_EXIT_WRMSR = 32, VMX_EXIT_BAD_GUEST_STATE = 33, VMX_EXIT_MSR_LOADING = 34,
    VMX_EXIT_MWAIT = 36, VMX_EXIT_MTF = 37, VMX_EXIT_MONITOR = 39, VMX_EXIT_PAUSE = 40,
    VMX_EXIT_MACHINE_CHECK = 41, VMX_EXIT_EPT_VIOLATION = 48, VMX_EXIT_EPT_MISCONFIG = 49,
    VMX_EXIT_INVEPT = 50, VMX_EXIT_RDTSCP = 51, VMX_EXIT_PREEMPTION_TIMER = 52,
    VMX_EXIT_INVVPID = 53, VMX_EXIT_WBINVD = 54, VMX_EXIT_XSETBV = 55, VMX_EXIT_RDRAND = 57,
    VMX_EXIT_INVPCID = 58, VMX_EXIT_VMFUNC = 59, VMX_EXIT_RDSEED = 61,
};
#define VMX_EXIT_ENTRY_FAILED   (1u << 31)

/* Control-register access exit qualification. */
#define CR_QUAL_NUMBER(q)       ((unsigned)(q) & 0xF)
#define CR_QUAL_TYPE(q)         (((unsigned)(q) >> 4) & 3)     /* 0: mov to CR */
#define CR_QUAL_GPR(q)          (((unsigned)(q) >> 8) & 0xF)

/* I/O exit qualification. */
#define IO_QUAL_SIZE_MASK       0x7u        /* size - 1 */
#define IO_QUAL_IN              (1u << 3)
#define IO_QUAL_STRING          (1u << 4)
#define IO_QUAL_REP             (1u << 5)
#define IO_QUAL_PORT_SHIFT      16

/* ---- what the boot CPU found, and each CPU's VMX state -------------------- */
struct vmx_caps {
    uint64_t basic;
    uint32_t revision;
    uint32_t pin, proc, proc2, exit, entry;     /* the control values every VMCS gets */
    uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
    bool vpid;
};
extern struct vmx_caps vmx_caps;

struct vmx_cpu {
    uint64_t vmxon_pa;          /* the VMXON region */
    uint64_t current_vmcs;      /* physical address of the VMCS loaded here, 0: none */
};
extern struct vmx_cpu vmx_cpus[MAX_CPUS];

bool vmx_detect(void);
int vmx_cpu_enable(void);

/* ---- instructions ------------------------------------------------------- */

/* VMREAD of a field the backend set up: a failure is a hypervisor bug, read as 0. */
static inline uint64_t vmread(enum vmcs_field f)
{
    uint64_t v = 0;
    __asm__ volatile("vmread %1, %0" : "+rm"(v) : "r"((uint64_t)f) : "cc");
    return v;
}

/* VMWRITE: false if the CPU refused it (no current VMCS, or a field it lacks). */
static inline bool vmwrite(enum vmcs_field f, uint64_t v)
{
    bool failed;
    __asm__ volatile("vmwrite %1, %2; setbe %0" : "=qm"(failed) : "rm"(v), "r"((uint64_t)f)
                     : "cc");
    return !failed;
}

/* VMCLEAR, VMPTRLD: false on VMfail. */
static inline bool vmclear(uint64_t pa)
{
    bool failed;
    __asm__ volatile("vmclear %1; setbe %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
    return !failed;
}

static inline bool vmptrld(uint64_t pa)
{
    bool failed;
    __asm__ volatile("vmptrld %1; setbe %0" : "=qm"(failed) : "m"(pa) : "cc", "memory");
    return !failed;
}

/* Every EPT-derived and every VPID-tagged translation on this CPU. */
static inline void vmx_flush_all_contexts(bool vpid)
{
    struct { uint64_t a, b; } desc = { 0, 0 };
    __asm__ volatile("invept %0, %1" :: "m"(desc), "r"(2ull) : "cc", "memory");
    if (vpid)
        __asm__ volatile("invvpid %0, %1" :: "m"(desc), "r"(2ull) : "cc", "memory");
}

#endif
