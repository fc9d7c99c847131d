/*
 * Adds to xl_dryrun_shim.c the answers "xl list" needs, so Debian's xl
 * prints its table for the fake domains of fake_domains.h. Built against
 * Debian's libxl headers (libxen-dev).
 */
#include <libxl.h>
#include <stdlib.h>
#include <string.h>

#include "fake_domains.h"

libxl_dominfo *libxl_list_domain(libxl_ctx *ctx, int *nb)
{
    (void)ctx;
    libxl_dominfo *info = calloc(NR_FAKE_DOMAINS, sizeof(*info));
    for (size_t i = 0; info && i < NR_FAKE_DOMAINS; i++) {
        const struct fake_domain *f = &fake_domains[i];
        libxl_dominfo_init(&info[i]);
        memset(&info[i].uuid, f->uuid_byte, sizeof(info[i].uuid));
        info[i].domid = f->domid;
        info[i].ssid_label = f->label ? strdup(f->label) : NULL;
        info[i].running = f->running;
        info[i].blocked = f->blocked;
        info[i].paused = f->paused;
        info[i].shutdown = f->shutdown;
        info[i].dying = f->dying;
        info[i].shutdown_reason = f->reason;
        info[i].current_memkb = f->current_memkb;
        info[i].outstanding_memkb = f->outstanding_memkb;
        info[i].vcpu_online = f->vcpus;
        info[i].cpu_time = f->cpu_time_ns;
    }
    *nb = info ? (int)NR_FAKE_DOMAINS : 0;
    return info;
}

char *libxl_domid_to_name(libxl_ctx *ctx, uint32_t domid)
{
    (void)ctx;
    for (size_t i = 0; i < NR_FAKE_DOMAINS; i++)
        if (fake_domains[i].domid == domid)
            return strdup(fake_domains[i].name);
    return NULL;
}
