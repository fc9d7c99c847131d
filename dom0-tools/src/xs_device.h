/*
 * A split-driver device's xenstore nodes, as libxl writes them for any
 * kind (vbd, vif, ...): the backend directory
 * /local/domain/B/backend/KIND/D/DEVID, owned by the backend domain B and
 * readable by the guest D, and the frontend directory
 * /local/domain/D/device/KIND/DEVID, owned by the guest and readable by B;
 * each names the other (frontend, frontend-id / backend, backend-id) and
 * starts in state 1 (Initialising). The kind-specific keys come from the
 * caller. Also: waiting for a state, and removing both directories.
 */
#ifndef TL_XS_DEVICE_H
#define TL_XS_DEVICE_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>

/* Xen's XenbusState values (io/xenbus.h). */
enum xenbus_state {
    XENBUS_UNKNOWN = 0, XENBUS_INITIALISING = 1, XENBUS_INIT_WAIT = 2, XENBUS_INITIALISED = 3,
    XENBUS_CONNECTED = 4, XENBUS_CLOSING = 5, XENBUS_CLOSED = 6, XENBUS_RECONFIGURING = 7,
    XENBUS_RECONFIGURED = 8,
};

struct xs_device {
    const char *kind;           /* "vbd", "vif", "qdisk": the backend directory's */
    const char *frontend_kind;  /* the frontend directory's when it differs ("vbd" of a qdisk) */
    uint32_t backend_domid;
    uint32_t domid;             /* the guest's, the frontend's */
    uint32_t devid;             /* vbd: the virtual-device number */
};

struct xs_kv {
    const char *key;
    const char *value;
};

/* The two directories' paths into buf; return buf. */
const char *xs_device_backend_path(const struct xs_device *d, char *buf, size_t size);
const char *xs_device_frontend_path(const struct xs_device *d, char *buf, size_t size);

/*
 * Writes both directories and their keys in one transaction (retried while
 * it conflicts). -EEXIST when the guest already has a device DEVID of this
 * kind (its frontend or backend directory exists). On failure writes a
 * one-line reason into why and leaves nothing behind.
 */
int xs_device_add(struct xs_handle *xs, const struct xs_device *d, const struct xs_kv *back,
                  size_t nr_back, const struct xs_kv *front, size_t nr_front, char *why,
                  size_t why_size);

/*
 * Waits up to timeout_ms for DIR/state (DIR a backend or frontend path) to
 * reach at least want. Returns the state reached, or -ETIMEDOUT (*last: the
 * state it stayed in, 0 when it has none), or -ENOENT when DIR is gone.
 */
int xs_device_wait_state(struct xs_handle *xs, const char *dir, enum xenbus_state want,
                         int timeout_ms, int *last);

/* Reads DIR/KEY (malloc'd; NULL when absent). */
char *xs_device_read(struct xs_handle *xs, const char *dir, const char *key);

/*
 * The devids of domid's devices of one kind that dom0 serves (the numeric
 * entries of /local/domain/0/backend/KIND/DOMID), malloc'd in *ids; their
 * count. 0 with *ids NULL when there are none.
 */
unsigned xs_device_ids(struct xs_handle *xs, const char *kind, uint32_t domid, uint32_t **ids);

/* Each such device through remove_one, then that backend directory itself. */
void xs_device_remove_all(struct xs_handle *xs, const char *kind, uint32_t domid,
                          void (*remove_one)(struct xs_handle *xs, uint32_t domid, uint32_t devid));

/* Removes both directories (either may be gone already). */
void xs_device_remove(struct xs_handle *xs, const struct xs_device *d);

#endif
