#ifndef ASM_CPUFEATURES_H
#define ASM_CPUFEATURES_H

#include <stdbool.h>
#include <stdint.h>

struct cpu_features {
    bool smep, smap, x2apic, tsc_deadline, page1g, nx;
    bool fsgsbase;          /* offered to PV guests, which turn it on (pv/cr4.c) */
    bool xsave;             /* XSAVE offered to PV guests (pv/xstate.c) */
    uint64_t xstate_mask;   /* the XCR0 components offered: x87, SSE, AVX as the CPU has them */
    uint32_t xsave_size;    /* bytes of an XSAVE area holding all of them */
    char vendor[13];
    char brand[49];
};

extern struct cpu_features boot_cpu_features;

/* Read CPUID on the boot CPU (once). */
void cpu_features_detect(void);
/* Turn on the control-register features Tessera uses, on this CPU. */
void cpu_features_init(void);
/* XSAVE for PV guests (pv/xstate.c): what to offer, and CR4.OSXSAVE/XCR0 on this CPU. */
void xstate_detect(struct cpu_features *f);
void xstate_cpu_init(void);

#endif
