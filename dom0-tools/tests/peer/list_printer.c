/*
 * Prints tl's "list" table for the fake domains of fake_domains.h, to be
 * compared with Debian's xl printing the same domains.
 * usage: list_printer [-v|-Z]
 */
#include <string.h>

#include "dominfo.h"
#include "fake_domains.h"

int main(int argc, char **argv)
{
    struct tl_dominfo doms[NR_FAKE_DOMAINS];
    unsigned columns = 0;

    if (argc > 1 && !strcmp(argv[1], "-v"))
        columns = TL_LIST_VERBOSE;
    else if (argc > 1 && !strcmp(argv[1], "-Z"))
        columns = TL_LIST_CONTEXT;
    memset(doms, 0, sizeof(doms));
    for (size_t i = 0; i < NR_FAKE_DOMAINS; i++) {
        const struct fake_domain *f = &fake_domains[i];
        struct tl_dominfo *d = &doms[i];
        strncpy(d->name, f->name, sizeof(d->name) - 1);
        d->domid = f->domid;
        memset(d->uuid, f->uuid_byte, sizeof(d->uuid));
        d->ssid_label = f->label;
        d->running = f->running;
        d->blocked = f->blocked;
        d->paused = f->paused;
        d->shutdown = f->shutdown;
        d->dying = f->dying;
        d->shutdown_reason = (enum tl_shutdown_reason)f->reason;
        d->current_memkb = f->current_memkb;
        d->outstanding_memkb = f->outstanding_memkb;
        d->vcpu_online = f->vcpus;
        d->cpu_time_ns = f->cpu_time_ns;
    }
    dominfo_print_list(stdout, doms, NR_FAKE_DOMAINS, columns);
    return 0;
}
