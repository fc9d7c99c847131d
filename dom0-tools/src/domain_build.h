/*
 * Building a PV domain on the running hypervisor, libxc's way, around the
 * pure builder core (pvbuild.h): createdomain (paused), max_vcpus,
 * max_mem, the console and xenstore event channels, populate_physmap,
 * foreign maps of its first frames, the bootstrap region, the m2p, the L4
 * pinned, the grant table's reserved entries, and vCPU 0's context. The
 * domain stays paused; the caller writes xenstore and unpauses it.
 */
#ifndef TL_DOMAIN_BUILD_H
#define TL_DOMAIN_BUILD_H

#include <stddef.h>
#include <stdint.h>
#include "domcfg.h"
#include "hcall.h"
#include "kernel_image.h"

/* xl's defaults for what createdomain needs and xl.cfg leaves unset. */
#define TL_MAX_EVTCHN_PORT     1023
#define TL_MAX_GRANT_FRAMES    32
#define TL_MAX_MAPTRACK_FRAMES 1024
/* libxl's slack above a domain's memory for its own overheads. */
#define TL_MAXMEM_SLACK_KB     1024

struct built_domain {
    uint32_t domid;              /* valid once created (created = true) */
    bool created;
    uint32_t console_port, store_port;
    uint64_t console_mfn, store_mfn;
    uint64_t nr_pages;
};

/*
 * Creates and builds the domain; on failure the domain may exist
 * (out->created): the caller destroys it. why gets the failing call.
 */
int domain_build_pv(struct hc *h, const struct domcfg *cfg, const struct kernel_image *img,
                    const uint8_t *ramdisk, size_t ramdisk_len, const uint8_t uuid[16],
                    struct built_domain *out, char *why, size_t why_size);

#endif
