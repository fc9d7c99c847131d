/*
 * Asking the hypervisor about a domain from dom0 userspace: domctl
 * getdomaininfo through /dev/xen/privcmd's hypercall ioctl.
 */
#ifndef XSD_XEN_DOMCTL_H
#define XSD_XEN_DOMCTL_H

#include <stdint.h>

/*
 * The XEN_DOMINF_* flags of domid into *flags: 0, -ESRCH when no such
 * domain exists, or another -errno when the call failed.
 */
int xen_domain_flags(int privcmd_fd, unsigned domid, uint32_t *flags);

/*
 * What xenstore makes of xen_domain_flags()'s answer: an enum
 * xsd_domain_state, or the call's -errno when it says nothing.
 */
int xen_domain_state_of(int flags_result, uint32_t flags);

#endif
