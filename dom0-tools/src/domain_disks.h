/*
 * A domain's disks (disk= in xl.cfg): what libxl and Xen's "block" hotplug
 * script do for a vbd, done by tl itself. A file gets a loop device, a
 * block device is used as it is; the backend and frontend nodes go into
 * xenstore with xl's keys (xs_device.c) and dom0's xen-blkback opens the
 * device named by physical-device. Undone in the other order when the
 * domain goes: script "remove", nodes removed, loop device released (by the
 * kernel once blkback has closed it).
 */
#ifndef TL_DOMAIN_DISKS_H
#define TL_DOMAIN_DISKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>
#include "domcfg.h"

/*
 * What can be checked before a domain exists: each vdev is a name Xen
 * knows, no two disks have the same virtual-device number, each disk is
 * of a kind tl serves (raw, phy backend, dom0) and its target exists.
 * Returns 0, or -errno with "disk VDEV: reason" in why.
 */
int domain_disks_check(const struct domcfg *cfg, char *why, size_t why_size);

/*
 * Sets up one disk for domain domid (not yet running) and waits for dom0's
 * backend to take it (state InitWait). On failure nothing of it is left
 * and why says what went wrong.
 */
int domain_disk_add(struct xs_handle *xs, uint32_t domid, const struct domcfg_disk *disk,
                    char *why, size_t why_size);

/* Every disk of cfg, in order; on failure those already added are removed too. */
int domain_disks_add(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg, char *why,
                     size_t why_size);

/*
 * Detaches a running guest's disk as libxl does: the backend goes offline
 * and Closing, the guest's front end closes, the backend reaches Closed
 * (blkback lets go of the device), then the disk is removed. When that
 * does not happen within timeout_ms the disk is left as it was and
 * -ETIMEDOUT returned with the reason (force: removed anyway). -ENOENT
 * when the domain has no such disk.
 */
int domain_disk_detach(struct xs_handle *xs, uint32_t domid, uint32_t devid, bool force,
                       int timeout_ms, char *why, size_t why_size);

/* Removes the vbd devid of domain domid (nodes, script "remove", loop device). */
void domain_disk_remove(struct xs_handle *xs, uint32_t domid, uint32_t devid);

/* Removes every vbd of domain domid that dom0 serves. */
void domain_disks_remove(struct xs_handle *xs, uint32_t domid);

#endif
