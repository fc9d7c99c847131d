/*
 * Domain destruction (see domain_life.h).
 */
#include <errno.h>
#include <time.h>
#include "domain_disks.h"
#include "domain_life.h"
#include "domain_nics.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int domain_destroy(struct tl_session *s, uint32_t domid)
{
    int rc;
    /* The hypervisor may stop part way through a big domain and ask to be called again. */
    for (int tries = 0;; tries++) {
        rc = xenctl_simple(&s->hc, XEN_DOMCTL_destroydomain, domid, "destroydomain");
        if ((rc != -EAGAIN && rc != -EBUSY) || tries > 1000)
            break;
        sleep_ms(1);
    }
    if (s->xs) {
        /* Its disks first: blkback lets go of them, tl's loop devices follow. */
        domain_disks_remove(s->xs, domid);
        domain_nics_remove(s->xs, domid);
        xs_domain_remove(s->xs, domid);
        /* xenstored forgets it once it notices the death; telling it is harmless. */
        xs_release_domain(s->xs, domid);
    }
    return rc == -ESRCH ? 0 : rc;
}

int domain_wait_gone(struct tl_session *s, uint32_t domid, int timeout_ms)
{
    struct xen_domctl_getdomaininfo info;
    for (int waited = 0; waited <= timeout_ms; waited += 50) {
        if (xenctl_domain_info(&s->hc, domid, &info) == -ESRCH)
            return 0;
        sleep_ms(50);
    }
    return -ETIMEDOUT;
}
