/* Handlers of the domain operations: INTRODUCE, RELEASE and friends. */
#include "request.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "txn.h"
#include "watch.h"

static int introduced_domain(struct request *r, const char *arg, struct domain **out)
{
    unsigned domid;
    int err = request_domid(arg, &domid);
    if (err)
        return err;
    struct domain *d = domain_get(r->conn->xsd, domid);
    if (!d || !d->introduced)
        return -ENOENT;
    *out = d;
    return 0;
}

int handle_introduce(struct request *r)
{
    struct xsd *xsd = r->conn->xsd;
    const char *args[3];
    unsigned domid, port;
    int err;

    /* Extra strings after the three are tolerated, as Xen does. */
    if (request_count_strings(r) < 3)
        return -EINVAL;
    args[0] = r->body;
    args[1] = args[0] + strlen(args[0]) + 1;
    args[2] = args[1] + strlen(args[1]) + 1;
    if (request_domid(args[0], &domid) || domid >= XSD_MAX_DOMID)
        return -EINVAL;
    char *end;
    unsigned long mfn = strtoul(args[1], &end, 10);
    if (*args[1] == '\0' || *end)
        return -EINVAL;
    if (request_domid(args[2], &port) || port == 0)
        return -EINVAL;

    struct domain *d = domain_get_or_create(xsd, domid);
    if (!d)
        return -ENOMEM;
    bool fresh = !d->introduced;
    /*
     * Introducing a domain again (after a resume, say) keeps its connection
     * with its watches; only a domain without a ring gets one now.
     */
    d->mfn = mfn;
    d->port = port;
    if (!d->conn && xsd->backend.introduce && (err = xsd->backend.introduce(xsd, d)))
        return err;
    d->introduced = true;
    reply_ok(r);
    if (fresh)
        watch_fire(xsd, XS_PATH_INTRODUCE_DOMAIN, false, xsd->special_perms[0], xsd->special_nperms[0]);
    return 0;
}

int handle_release(struct request *r)
{
    struct xsd *xsd = r->conn->xsd;
    const char *arg = request_single_string(r);
    struct domain *d;
    int err;

    if (!arg)
        return -EINVAL;
    if ((err = introduced_domain(r, arg, &d)))
        return err;
    if (d->domid == 0)
        return -EINVAL;   /* the control domain cannot go */
    reply_ok(r);
    xsd_domain_release(xsd, d);
    return 0;
}

void xsd_domain_release(struct xsd *xsd, struct domain *d)
{
    if (d->conn && xsd->backend.release)
        xsd->backend.release(xsd, d);
    d->introduced = false;
    d->has_target = false;
    d->shutdown = false;
    watch_fire(xsd, XS_PATH_RELEASE_DOMAIN, false, xsd->special_perms[1], xsd->special_nperms[1]);
}

void xsd_check_domains(struct xsd *xsd)
{
    if (!xsd->backend.domain_state)
        return;
    for (unsigned domid = 1; domid < XSD_MAX_DOMID; domid++) {
        struct domain *d = xsd->domains[domid];
        if (!d || !d->introduced)
            continue;
        int state = xsd->backend.domain_state(xsd, domid);
        if (state < 0) {
            xsd_logf(xsd, "domain %u: cannot tell whether it lives: %s", domid, strerror(-state));
        } else if (state == XSD_DOMAIN_GONE) {
            xsd_logf(xsd, "domain %u is gone: released", domid);
            xsd_domain_release(xsd, d);
        } else if (state == XSD_DOMAIN_SHUTDOWN && !d->shutdown) {
            xsd_logf(xsd, "domain %u shut down", domid);
            d->shutdown = true;
            watch_fire(xsd, XS_PATH_RELEASE_DOMAIN, false, xsd->special_perms[1],
                       xsd->special_nperms[1]);
        }
    }
}

int handle_resume(struct request *r)
{
    const char *arg = request_single_string(r);
    struct domain *d;
    int err;

    if (!arg)
        return -EINVAL;
    if ((err = introduced_domain(r, arg, &d)))
        return err;
    d->shutdown = false;   /* a resumed domain's next shutdown is news again */
    return reply_ok(r);
}

int handle_get_domain_path(struct request *r)
{
    const char *arg = request_single_string(r);
    char path[48];
    unsigned domid;

    if (!arg || request_domid(arg, &domid))
        return -EINVAL;
    snprintf(path, sizeof(path), "%s%u", XS_DOMAIN_PATH_PREFIX, domid);
    return reply_string(r, path);
}

int handle_is_domain_introduced(struct request *r)
{
    const char *arg = request_single_string(r);
    unsigned domid;

    if (!arg || request_domid(arg, &domid))
        return -EINVAL;
    struct domain *d = domain_get(r->conn->xsd, domid);
    return reply_string(r, d && d->introduced ? "T" : "F");
}

int handle_set_target(struct request *r)
{
    const char *args[2];
    struct domain *d, *t;
    int err;

    if (request_strings(r, args, 2))
        return -EINVAL;
    if ((err = introduced_domain(r, args[0], &d)))
        return err;
    if ((err = introduced_domain(r, args[1], &t)))
        return err;
    d->has_target = true;
    d->target = t->domid;
    return reply_ok(r);
}
