/*
 * The PV-specific domctls (pv/domctl_*.c), called by arch_do_domctl
 * (pv/domctl_arch.c) with the domctl lock held and the target referenced.
 * Files that include this define PVABI_TOOLSTACK first.
 */
#ifndef ASM_PV_DOMCTL_H
#define ASM_PV_DOMCTL_H

#include <stdint.h>
#include <pvabi/control/domctl.h>

struct domain;
struct vcpu;

/* pv/domctl_vcpu.c */
long pv_domctl_setvcpucontext(struct domain *caller, struct domain *d,
                              const struct xen_domctl_vcpucontext *vc);
long pv_domctl_getvcpucontext(struct vcpu *current, struct domain *d,
                              const struct xen_domctl_vcpucontext *vc);
long pv_domctl_getvcpuinfo(struct domain *d, struct xen_domctl_getvcpuinfo *info);
long pv_domctl_vcpuaffinity(struct domain *d, uint32_t cmd, struct xen_domctl_vcpuaffinity *va);
long pv_domctl_nodeaffinity(struct domain *d, uint32_t cmd, struct xen_domctl_nodeaffinity *na);

#endif
