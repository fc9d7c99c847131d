/*
 * The library of the PVH test kernels (tests/hvm-guests/): console on port
 * 0xe9, CPUID, MSRs, port I/O, hypercalls through VMMCALL/VMCALL or the hypercall
 * page, and XTF's one result line. printk and the string functions come
 * from the PV kernels' library (tests/guests/lib).
 */
#ifndef HVM_GUEST_H
#define HVM_GUEST_H

#include "guest.h"
#include <pvabi/hvm_start_info.h>

struct cpuid_out { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_out cpuid2(uint32_t leaf, uint32_t sub)
{
    struct cpuid_out r;
    __asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(sub));
    return r;
}

static inline uint64_t rdmsr64(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr64(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint8_t inb_port(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void outb_port(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port));
}

/* 1 on Intel (VMCALL), 0 elsewhere (VMMCALL): set by the entry code (lib/pvh_head.S). */
extern uint8_t hypercall_by_vmcall;

static inline const char *hypercall_insn_name(void)
{
    return hypercall_by_vmcall ? "VMCALL" : "VMMCALL";
}

/* A hypercall by VMMCALL or VMCALL: number in RAX, arguments in RDI, RSI. */
static inline long hvm_hypercall2(unsigned long nr, unsigned long a1, unsigned long a2)
{
    long rc;
    if (hypercall_by_vmcall)
        __asm__ volatile("vmcall" : "=a"(rc), "+D"(a1), "+S"(a2) : "a"(nr) : "memory");
    else
        __asm__ volatile("vmmcall" : "=a"(rc), "+D"(a1), "+S"(a2) : "a"(nr) : "memory");
    return rc;
}

/* #GP caught and stepped over (lib/idt.S): load the IDT, then count. */
void idt_load_gp(void);
extern volatile uint64_t gp_faults;

/* xen_version(XENVER_version) as the 32-bit entry code got it (lib/pvh_head.S). */
extern uint32_t xen_version_32bit;

/* Every kernel's test: its own checks, then the result line and power-off. */
void hvm_test_main(const struct hvm_start_info *si);

void check(bool ok, const char *what);
extern unsigned failures;
/* Prints "Test result: SUCCESS" or "FAILURE" and powers the domain off. */
void __attribute__((noreturn)) finish(void);
void __attribute__((noreturn)) poweroff(void);

#endif
