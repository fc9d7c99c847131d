/*
 * What the control domain will report about a running domain, and xl's
 * output formats for it: "list" (plain, -v, -Z), "list -l" (JSON) and
 * "uptime". The printers are ready now and tested on fixed data; the
 * control-domain work fills struct tl_dominfo from its getdomaininfo
 * hypercall and calls them.
 */
#ifndef TL_DOMINFO_H
#define TL_DOMINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "domcfg.h"

/* Why a domain shut down; values are Xen's SHUTDOWN_* codes. */
enum tl_shutdown_reason {
    TL_SHUTDOWN_POWEROFF = 0, TL_SHUTDOWN_REBOOT, TL_SHUTDOWN_SUSPEND, TL_SHUTDOWN_CRASH,
    TL_SHUTDOWN_WATCHDOG, TL_SHUTDOWN_SOFT_RESET,
};

struct tl_dominfo {
    uint32_t domid;
    char name[65];
    uint8_t uuid[16];
    const char *ssid_label;         /* security label, NULL for none */
    bool running, blocked, paused, shutdown, dying;
    enum tl_shutdown_reason shutdown_reason;   /* meaningful when shutdown */
    uint64_t current_memkb;
    uint64_t outstanding_memkb;     /* claimed, not yet populated */
    uint32_t vcpu_online;
    uint64_t cpu_time_ns;
    uint64_t start_time;            /* seconds since the epoch */
};

enum tl_list_columns {
    TL_LIST_VERBOSE = 1,            /* -v: UUID, reason code, label */
    TL_LIST_CONTEXT = 2,            /* -Z: security label */
};

/* "xl list" table, header included. */
void dominfo_print_list(FILE *out, const struct tl_dominfo *doms, size_t n, unsigned columns);

/* "xl list -l": a JSON array of {"domid": N, "config": {...}}; returns a
 * heap string, NULL when out of memory. */
char *dominfo_list_json(const struct tl_dominfo *doms, const struct domcfg *const *cfgs, size_t n);

/* "xl uptime" duration: "1 day,  2:03:04" or, short, "1 day,  2:03". */
void dominfo_format_uptime(uint64_t seconds, bool short_mode, char *out, size_t size);

/* "xl uptime" table for doms at time now; -s prints the short lines,
 * with the wall clock as HH:MM:SS (local time). */
void dominfo_print_uptime(FILE *out, const struct tl_dominfo *doms, size_t n, uint64_t now, bool short_mode);

#endif
