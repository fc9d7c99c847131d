/* Architectural bit numbers and MSR indices (constants only; shared with assembly). */
#ifndef ASM_X86_DEFS_H
#define ASM_X86_DEFS_H

#define X86_CR0_PE   (1 << 0)
#define X86_CR0_MP   (1 << 1)
#define X86_CR0_EM   (1 << 2)
#define X86_CR0_TS   (1 << 3)
#define X86_CR0_NE   (1 << 5)
#define X86_CR0_WP   (1 << 16)
#define X86_CR0_AM   (1 << 18)
#define X86_CR0_PG   (1 << 31)

#define X86_CR4_PSE        (1 << 4)
#define X86_CR4_PAE        (1 << 5)
#define X86_CR4_PGE        (1 << 7)
#define X86_CR4_OSFXSR     (1 << 9)
#define X86_CR4_OSXMMEXCPT (1 << 10)
#define X86_CR4_FSGSBASE   (1 << 16)
#define X86_CR4_OSXSAVE    (1 << 18)
#define X86_CR4_SMEP       (1 << 20)
#define X86_CR4_SMAP       (1 << 21)

#define MSR_EFER            0xC0000080
#define EFER_SCE            (1 << 0)
#define EFER_LME            (1 << 8)
#define EFER_NXE            (1 << 11)
#define MSR_FS_BASE         0xC0000100
#define MSR_GS_BASE         0xC0000101
#define MSR_KERNEL_GS_BASE  0xC0000102
#define MSR_APIC_BASE       0x0000001B
#define APIC_BASE_BSP       (1 << 8)
#define APIC_BASE_X2APIC    (1 << 10)
#define APIC_BASE_ENABLE    (1 << 11)
#define MSR_TSC_DEADLINE    0x000006E0

/* Page-table entry bits. */
#define PTE_P    0x001
#define PTE_W    0x002
#define PTE_U    0x004
#define PTE_PWT  0x008
#define PTE_PCD  0x010
#define PTE_A    0x020
#define PTE_D    0x040
#define PTE_PS   0x080
#define PTE_G    0x100

/* CPUID feature bits used at boot. */
#define CPUID1_ECX_X2APIC       (1 << 21)
#define CPUID1_ECX_TSC_DEADLINE (1 << 24)
#define CPUID1_ECX_XSAVE        (1 << 26)
#define CPUID1_EDX_APIC         (1 << 9)
#define CPUID80000001_EDX_NX    (1 << 20)
#define CPUID80000001_EDX_PAGE1G (1 << 26)
#define CPUID80000001_EDX_LM    (1 << 29)
#define CPUID7_EBX_FSGSBASE     (1 << 0)
#define CPUID7_EBX_SMEP         (1 << 7)
#define CPUID7_EBX_SMAP         (1 << 20)

#endif
