/*
 * A domain's device model: Debian's QEMU for Xen (package qemu-system-xen)
 * in dom0, serving the disks dom0's xen-blkback cannot (qcow2, vhd, ...)
 * through QEMU's qdisk backend, started as libxl starts it for a PV guest
 * (-xen-attach -machine xenpv). One QEMU per domain, from the first such
 * disk until the domain goes. Its pid is kept in xenstore
 * (/local/domain/N/image/device-model-pid, as libxl keeps it), its output
 * in /var/log/tessera/qemu-dm-NAME.log.
 */
#ifndef TL_DEVICE_MODEL_H
#define TL_DEVICE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

/* Where QEMU is: $TL_DEVICE_MODEL, or Debian's path. */
const char *device_model_path(void);

/*
 * Starts the domain's QEMU unless it runs already. Returns 0, or -errno
 * with the reason in why (nothing left running).
 */
int device_model_ensure(struct xs_handle *xs, uint32_t domid, char *why, size_t why_size);

/* Whether the domain's QEMU is still running. */
bool device_model_alive(struct xs_handle *xs, uint32_t domid);

/*
 * The last line QEMU printed (its log), for an error message; malloc'd,
 * NULL when there is none.
 */
char *device_model_last_words(struct xs_handle *xs, uint32_t domid);

/*
 * Whether QEMU's log says it could not create the qdisk devid (it goes on
 * running without it: "failed to create 'qdisk' device 'DEVID'").
 */
bool device_model_refused(struct xs_handle *xs, uint32_t domid, uint32_t devid);

/* Stops the domain's QEMU (TERM, then KILL after 2 s) and forgets its pid. */
void device_model_stop(struct xs_handle *xs, uint32_t domid);

#endif
