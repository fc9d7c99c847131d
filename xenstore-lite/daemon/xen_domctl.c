/* domctl getdomaininfo through privcmd (see xen_domctl.h). */
#define PVABI_TOOLSTACK 1
#include "xen_domctl.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <pvabi/control/domctl.h>
#include <pvabi/xen.h>

#include "xen_dev.h"
#include "xsd.h"

/*
 * The hypervisor reads and writes the domctl at our user address, so it must
 * stay present: one locked page, kept for the life of the process.
 */
static struct xen_domctl *domctl_buffer(void)
{
    static struct xen_domctl *buf;
    if (!buf) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return NULL;
        if (mlock(p, 4096)) {
            munmap(p, 4096);
            return NULL;
        }
        buf = p;
    }
    return buf;
}

/* Returns the domain the hypervisor answered for through *answered. */
static int getdomaininfo(int privcmd_fd, unsigned domid, unsigned *answered, uint32_t *flags)
{
    struct xen_domctl *d = domctl_buffer();
    if (!d)
        return -ENOMEM;
    memset(d, 0, sizeof(*d));
    d->cmd = XEN_DOMCTL_getdomaininfo;
    d->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    d->domain = (domid_t)domid;
    int err = xen_privcmd_hypercall(privcmd_fd, __HYPERVISOR_domctl, (uintptr_t)d);
    if (err < 0)
        return err;
    *answered = d->u.getdomaininfo.domain;
    *flags = d->u.getdomaininfo.flags;
    return 0;
}

int xen_domain_flags(int privcmd_fd, unsigned domid, uint32_t *flags)
{
    unsigned answered = domid;
    int err = getdomaininfo(privcmd_fd, domid, &answered, flags);
    if (err)
        return err;
    /* Xen 4.17 answers the next domain up when domid itself is gone. */
    return answered == domid ? 0 : -ESRCH;
}

int xen_domain_state_of(int flags_result, uint32_t flags)
{
    if (flags_result == -ESRCH)
        return XSD_DOMAIN_GONE;
    if (flags_result < 0)
        return flags_result;
    if (flags & XEN_DOMINF_dying)
        return XSD_DOMAIN_GONE;
    if (flags & XEN_DOMINF_shutdown)
        return XSD_DOMAIN_SHUTDOWN;
    return XSD_DOMAIN_RUNNING;
}
