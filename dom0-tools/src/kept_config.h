/*
 * The config tl keeps for each domain it made, as JSON in dom0's part of
 * xenstore (/libxl/N/tl-config, as libxl keeps its own under /libxl/N):
 * written by create, brought up to date by network-attach/detach, read
 * by list -l and by a restart, which builds the domain again with the
 * devices it has by then.
 */
#ifndef TL_KEPT_CONFIG_H
#define TL_KEPT_CONFIG_H

#include <stdint.h>
#include <xenstore.h>
#include "domcfg.h"

/* Reads it into cfg (initialised here). 0, -ENOENT when there is none, -EINVAL unreadable. */
int kept_config_read(struct xs_handle *xs, uint32_t domid, struct domcfg *cfg);

/* Writes cfg as the domain's kept config. 0 or -errno. */
int kept_config_write(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg);

#endif
