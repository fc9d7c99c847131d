/*
 * Split-driver device nodes in xenstore (see xs_device.h).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xs_device.h"

const char *xs_device_backend_path(const struct xs_device *d, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/%u/backend/%s/%u/%u", d->backend_domid, d->kind, d->domid,
             d->devid);
    return buf;
}

const char *xs_device_frontend_path(const struct xs_device *d, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/%u/device/%s/%u", d->domid,
             d->frontend_kind ? d->frontend_kind : d->kind, d->devid);
    return buf;
}

static bool exists(struct xs_handle *xs, xs_transaction_t t, const char *path)
{
    unsigned len;
    char *v = xs_read(xs, t, path, &len);
    free(v);
    return v != NULL;
}

/* One directory: created with its owner and reader, then its keys (which inherit both). */
static int write_dir(struct xs_handle *xs, xs_transaction_t t, const char *dir, uint32_t owner,
                     uint32_t reader, const struct xs_kv *kv, size_t n, char *failed, size_t size)
{
    struct xs_permissions perms[2] = {
        { .id = owner, .perms = XS_PERM_NONE },
        { .id = reader, .perms = XS_PERM_READ },
    };
    if (!xs_mkdir(xs, t, dir) || !xs_set_permissions(xs, t, dir, perms, 2)) {
        snprintf(failed, size, "xenstore write of %s", dir);
        return -errno;
    }
    for (size_t i = 0; i < n; i++) {
        char path[320];
        snprintf(path, sizeof(path), "%s/%s", dir, kv[i].key);
        if (!xs_write(xs, t, path, kv[i].value, (unsigned)strlen(kv[i].value)) ||
            !xs_set_permissions(xs, t, path, perms, 2)) {
            snprintf(failed, size, "xenstore write of %s", path);
            return -errno;
        }
    }
    return 0;
}

static int write_pair(struct xs_handle *xs, xs_transaction_t t, const struct xs_device *d,
                      const struct xs_kv *back, size_t nr_back, const struct xs_kv *front,
                      size_t nr_front, char *failed, size_t size)
{
    char be[160], fe[160], id[16], beid[16];
    xs_device_backend_path(d, be, sizeof(be));
    xs_device_frontend_path(d, fe, sizeof(fe));
    if (exists(xs, t, fe) || exists(xs, t, be)) {
        snprintf(failed, size, "the domain has %s device %u already", d->kind, d->devid);
        return -EEXIST;
    }
    snprintf(id, sizeof(id), "%u", d->domid);
    snprintf(beid, sizeof(beid), "%u", d->backend_domid);
    const struct xs_kv be_link[] = { { "frontend", fe }, { "frontend-id", id } };
    const struct xs_kv fe_link[] = { { "backend", be }, { "backend-id", beid } };
    int rc;
    if ((rc = write_dir(xs, t, be, d->backend_domid, d->domid, be_link, 2, failed, size)) ||
        (rc = write_dir(xs, t, be, d->backend_domid, d->domid, back, nr_back, failed, size)) ||
        (rc = write_dir(xs, t, fe, d->domid, d->backend_domid, fe_link, 2, failed, size)) ||
        (rc = write_dir(xs, t, fe, d->domid, d->backend_domid, front, nr_front, failed, size)))
        return rc;
    return 0;
}

int xs_device_add(struct xs_handle *xs, const struct xs_device *d, const struct xs_kv *back,
                  size_t nr_back, const struct xs_kv *front, size_t nr_front, char *why,
                  size_t why_size)
{
    for (int attempt = 0; attempt < 20; attempt++) {
        char failed[400];
        xs_transaction_t t = xs_transaction_start(xs);
        if (t == XBT_NULL) {
            snprintf(why, why_size, "xenstore transaction start: %s", strerror(errno));
            return -errno;
        }
        int rc = write_pair(xs, t, d, back, nr_back, front, nr_front, failed, sizeof(failed));
        if (rc) {
            xs_transaction_end(xs, t, true);
            if (rc == -EEXIST)
                snprintf(why, why_size, "%s", failed);
            else
                snprintf(why, why_size, "%s: %s", failed, strerror(-rc));
            return rc;
        }
        if (xs_transaction_end(xs, t, false))
            return 0;
        if (errno != EAGAIN) {
            snprintf(why, why_size, "xenstore transaction end: %s", strerror(errno));
            return -errno;
        }
    }
    snprintf(why, why_size, "xenstore transaction kept conflicting (20 attempts)");
    return -EAGAIN;
}

char *xs_device_read(struct xs_handle *xs, const char *dir, const char *key)
{
    char path[320];
    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return xs_read(xs, XBT_NULL, path, NULL);
}

int xs_device_wait_state(struct xs_handle *xs, const char *dir, enum xenbus_state want,
                         int timeout_ms, int *last)
{
    *last = 0;
    for (int waited = 0;; waited += 20) {
        char *v = xs_device_read(xs, dir, "state");
        if (!v) {
            if (!exists(xs, XBT_NULL, dir))
                return -ENOENT;
        } else {
            *last = atoi(v);
            free(v);
            if (*last >= (int)want)
                return *last;
        }
        if (waited >= timeout_ms)
            return -ETIMEDOUT;
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

void xs_device_remove(struct xs_handle *xs, const struct xs_device *d)
{
    char path[160];
    xs_rm(xs, XBT_NULL, xs_device_backend_path(d, path, sizeof(path)));
    xs_rm(xs, XBT_NULL, xs_device_frontend_path(d, path, sizeof(path)));
}

static void backend_dir(const char *kind, uint32_t domid, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/0/backend/%s/%u", kind, domid);
}

unsigned xs_device_ids(struct xs_handle *xs, const char *kind, uint32_t domid, uint32_t **ids)
{
    char dir[96];
    backend_dir(kind, domid, dir, sizeof(dir));
    unsigned n = 0, kept = 0;
    char **names = xs_directory(xs, XBT_NULL, dir, &n);
    *ids = names && n ? calloc(n, sizeof(**ids)) : NULL;
    for (unsigned i = 0; *ids && i < n; i++) {
        char *end;
        unsigned long id = strtoul(names[i], &end, 10);
        if (!*end && id <= UINT32_MAX)
            (*ids)[kept++] = (uint32_t)id;
    }
    free(names);
    if (!kept) {
        free(*ids);
        *ids = NULL;
    }
    return kept;
}

void xs_device_remove_all(struct xs_handle *xs, const char *kind, uint32_t domid,
                          void (*remove_one)(struct xs_handle *xs, uint32_t domid, uint32_t devid))
{
    uint32_t *ids;
    unsigned n = xs_device_ids(xs, kind, domid, &ids);
    for (unsigned i = 0; i < n; i++)
        remove_one(xs, domid, ids[i]);
    free(ids);
    char dir[96];
    backend_dir(kind, domid, dir, sizeof(dir));
    xs_rm(xs, XBT_NULL, dir);
}
