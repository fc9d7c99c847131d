/* CPU policies for the toolstack's sysctls and domctl (arch/x86/cpu_policy.c). */
#ifndef ASM_CPU_POLICY_H
#define ASM_CPU_POLICY_H

struct domain;
struct xen_sysctl_cpu_policy;
struct xen_sysctl_cpu_featureset;
struct xen_domctl_cpu_policy;

long cpu_policy_sysctl_get(struct xen_sysctl_cpu_policy *p);
long cpu_policy_sysctl_featureset(struct xen_sysctl_cpu_featureset *f);
long cpu_policy_domctl_set(struct domain *caller, struct domain *d, struct xen_domctl_cpu_policy *p);

#endif
