/*
 * Sessions with the running hypervisor (see session.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmdtable.h"
#include "session.h"

int tl_session_open(struct tl_session *s, const char *what, bool need_xs)
{
    memset(s, 0, sizeof(*s));
    int rc = hc_open(&s->hc);
    if (rc == -ENOENT)
        return tl_refuse_without_hypervisor(what);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", tl_progname, hc_error(&s->hc));
        return rc == -EACCES || rc == -EPERM ? TL_EXIT_NO_HYPERVISOR : TL_EXIT_FAILURE;
    }
    if (need_xs) {
        s->xs = xs_open(0);
        if (!s->xs) {
            fprintf(stderr, "%s: cannot connect to xenstored (%s): %s needs it\n", tl_progname,
                    strerror(errno), what);
            hc_close(&s->hc);
            return TL_EXIT_FAILURE;
        }
    }
    return TL_EXIT_OK;
}

void tl_session_close(struct tl_session *s)
{
    if (s->xs)
        xs_close(s->xs);
    s->xs = NULL;
    hc_close(&s->hc);
}

int tl_hc_failed(struct tl_session *s)
{
    fprintf(stderr, "%s: %s\n", tl_progname, hc_error(&s->hc));
    return TL_EXIT_FAILURE;
}

static bool all_digits(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

char *tl_domain_name(struct tl_session *s, uint32_t domid)
{
    char *name = s->xs ? xs_domain_name_of(s->xs, domid) : NULL;
    /* A dom0 nobody named (no xen-init-dom0 has run) is Domain-0, as xl calls it. */
    return name || domid != 0 ? name : strdup("Domain-0");
}

int tl_lookup_domain(struct tl_session *s, const char *spec, uint32_t *domid)
{
    struct xen_domctl_getdomaininfo *doms = NULL;
    unsigned n = 0;
    int rc = -ESRCH;

    if (all_digits(spec)) {
        unsigned long id = strtoul(spec, NULL, 10);
        struct xen_domctl_getdomaininfo info;
        if (id < DOMID_FIRST_RESERVED && xenctl_domain_info(&s->hc, (uint32_t)id, &info) == 0) {
            *domid = (uint32_t)id;
            return 0;
        }
    } else if (xenctl_list_domains(&s->hc, &doms, &n) == 0) {
        for (unsigned i = 0; i < n && rc < 0; i++) {
            char *name = tl_domain_name(s, doms[i].domain);
            if (name && strcmp(name, spec) == 0) {
                *domid = doms[i].domain;
                rc = 0;
            }
            free(name);
        }
        free(doms);
    }
    return rc;
}

int tl_find_domain(struct tl_session *s, const char *spec, uint32_t *domid)
{
    int rc = tl_lookup_domain(s, spec, domid);
    if (rc < 0)
        fprintf(stderr, "%s: %s: no such domain\n", tl_progname, spec);
    return rc;
}

void tl_dominfo_fill(struct tl_session *s, const struct xen_domctl_getdomaininfo *in,
                     struct tl_dominfo *out)
{
    memset(out, 0, sizeof(*out));
    out->domid = in->domain;
    char *name = tl_domain_name(s, in->domain);
    if (name)
        snprintf(out->name, sizeof(out->name), "%s", name);
    free(name);
    memcpy(out->uuid, in->handle, 16);
    out->running = in->flags & XEN_DOMINF_running;
    out->blocked = in->flags & XEN_DOMINF_blocked;
    out->paused = in->flags & XEN_DOMINF_paused;
    out->shutdown = in->flags & XEN_DOMINF_shutdown;
    out->dying = in->flags & XEN_DOMINF_dying;
    out->shutdown_reason = (in->flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
    out->current_memkb = in->tot_pages * 4;
    out->outstanding_memkb = in->outstanding_pages * 4;
    out->vcpu_online = in->nr_online_vcpus;
    out->cpu_time_ns = in->cpu_time;
    if (s->xs) {
        char path[64];
        snprintf(path, sizeof(path), "/local/domain/%u/vm", in->domain);
        char *vm = xs_read(s->xs, XBT_NULL, path, NULL);
        if (vm) {
            char st[128];
            snprintf(st, sizeof(st), "%s/start_time", vm);
            char *t = xs_read(s->xs, XBT_NULL, st, NULL);
            if (t)
                out->start_time = strtoull(t, NULL, 10);
            free(t);
        }
        free(vm);
    }
}
