#ifndef ASM_CPUFEATURES_H
#define ASM_CPUFEATURES_H

#include <stdbool.h>

struct cpu_features {
    bool smep, smap, x2apic, tsc_deadline, page1g, nx;
    bool fsgsbase;          /* offered to PV guests, which turn it on (pv/cr4.c) */
    char vendor[13];
    char brand[49];
};

extern struct cpu_features boot_cpu_features;

/* Read CPUID on the boot CPU (once). */
void cpu_features_detect(void);
/* Turn on the control-register features Tessera uses, on this CPU. */
void cpu_features_init(void);

#endif
