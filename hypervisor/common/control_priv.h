/*
 * What common/domctl.c, domain_info.c and sysctl.c share. Toolstack-only:
 * every file that includes this sees pvabi/control/.
 */
#ifndef COMMON_CONTROL_PRIV_H
#define COMMON_CONTROL_PRIV_H

#define PVABI_TOOLSTACK 1
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include <tessera/domain.h>

/* getdomaininfo's answer for d, as Xen fills it (common/domain_info.c). */
void domain_fill_info(struct domain *d, struct xen_domctl_getdomaininfo *info);

/* Whether d may issue control operations (Xen's XSM_PRIV without XSM). */
static inline bool control_privileged(const struct domain *d)
{
    return d->is_privileged;
}

#endif
