/*
 * A domain's network interfaces (vif= in xl.cfg): what libxl and Xen's
 * vif-bridge hotplug script do for a vif, done by tl itself. The backend
 * and frontend nodes go into xenstore with xl's keys (xs_device.c); dom0's
 * xen-netback makes the device vifD.N, which tl adds to the bridge
 * (created if missing), brings up and reports with hotplug-status, the
 * signal netback waits for before it connects. Removing the nodes makes
 * netback remove the device, and the bridge forgets its port.
 */
#ifndef TL_DOMAIN_NICS_H
#define TL_DOMAIN_NICS_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>
#include "domcfg.h"

/* The bridge a vif without bridge= joins, as in Xen's examples. */
#define TL_DEFAULT_BRIDGE "xenbr0"

/*
 * What can be checked before a domain exists: the backend is dom0, the
 * bridge and vifname are device names, no two nics share a MAC or a
 * vifname, a vifname is not taken in dom0. Returns 0, or -errno with
 * "vif N: reason" in why.
 */
int domain_nics_check(const struct domcfg *cfg, char *why, size_t why_size);

/* Gives each nic without a MAC a random one in Xen's 00:16:3e range. */
void domain_nics_assign_macs(struct domcfg *cfg);

/*
 * Sets up one nic for domain domid (not yet running): nodes written,
 * netback's device on its bridge and up, hotplug-status connected. On
 * failure nothing of it is left and why says what went wrong.
 */
int domain_nic_add(struct xs_handle *xs, uint32_t domid, const struct domcfg_nic *nic, char *why,
                   size_t why_size);

/* Every nic of cfg, in order; on failure those already added are removed too. */
int domain_nics_add(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg, char *why,
                    size_t why_size);

/*
 * Takes a vif away from a running guest as libxl does: the backend is
 * told to close (online 0, state Closing), netfront closes its side, and
 * once the backend is Closed (or after timeout_ms: then -ETIMEDOUT, and
 * the device is removed all the same) the nodes go. -ENOENT: no such vif.
 */
int domain_nic_detach(struct xs_handle *xs, uint32_t domid, uint32_t devid, int timeout_ms);

/* Removes the vif devid of domain domid (script "offline" if it has one, nodes). */
void domain_nic_remove(struct xs_handle *xs, uint32_t domid, uint32_t devid);

/* Removes every vif of domain domid that dom0 serves. */
void domain_nics_remove(struct xs_handle *xs, uint32_t domid);

#endif
