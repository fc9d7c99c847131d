/*
 * xenstore entries of a domain (see xs_domain.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "xs_domain.h"

enum owner { DOM0_GUEST_READS, GUEST_OWNS, DOM0_ONLY };

struct writer {
    struct xs_handle *xs;
    xs_transaction_t t;
    uint32_t domid;
    int err;
    char failed[320];
};

static void set_perms(struct writer *w, const char *path, enum owner who)
{
    struct xs_permissions p[2];
    unsigned n = 1;
    if (who == GUEST_OWNS) {
        /* The guest owns it; dom0 reads it anyway (privileged). */
        p[0] = (struct xs_permissions){ .id = w->domid, .perms = XS_PERM_NONE };
        p[1] = (struct xs_permissions){ .id = 0, .perms = XS_PERM_READ };
        n = 2;
    } else if (who == DOM0_GUEST_READS) {
        p[0] = (struct xs_permissions){ .id = 0, .perms = XS_PERM_NONE };
        p[1] = (struct xs_permissions){ .id = w->domid, .perms = XS_PERM_READ };
        n = 2;
    } else {
        p[0] = (struct xs_permissions){ .id = 0, .perms = XS_PERM_NONE };
    }
    if (!w->err && !xs_set_permissions(w->xs, w->t, path, p, n)) {
        w->err = -errno;
        snprintf(w->failed, sizeof(w->failed), "xenstore set permissions of %s", path);
    }
}

/* Writes value (NULL: an empty directory) at the formatted path, with its owner. */
static void put(struct writer *w, enum owner who, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put(struct writer *w, enum owner who, const char *value, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    if (w->err)
        return;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    bool ok = value ? xs_write(w->xs, w->t, path, value, (unsigned)strlen(value))
                    : xs_mkdir(w->xs, w->t, path);
    if (!ok) {
        w->err = -errno;
        snprintf(w->failed, sizeof(w->failed), "xenstore write of %s", path);
        return;
    }
    set_perms(w, path, who);
}

/* A number at the formatted path. */
static void put_num(struct writer *w, enum owner who, unsigned long long v, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void put_num(struct writer *w, enum owner who, unsigned long long v, const char *fmt, ...)
{
    char path[256], value[24];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof(path), fmt, ap);
    va_end(ap);
    snprintf(value, sizeof(value), "%llu", v);
    put(w, who, value, "%s", path);
}

static void write_all(struct writer *w, const struct domcfg *cfg, const char *uuid,
                      const struct built_domain *b)
{
    char dom[64], vm[64], p[256], be[96];
    uint32_t id = b->domid;
    snprintf(dom, sizeof(dom), "/local/domain/%u", id);
    snprintf(vm, sizeof(vm), "/vm/%s", uuid);
    snprintf(be, sizeof(be), "/local/domain/0/backend/console/%u/0", id);

    put(w, DOM0_GUEST_READS, NULL, "%s", dom);
    put(w, DOM0_GUEST_READS, NULL, "%s", vm);
    put(w, DOM0_GUEST_READS, vm, "%s/vm", dom);
    put(w, DOM0_GUEST_READS, cfg->name, "%s/name", dom);
    put_num(w, DOM0_GUEST_READS, id, "%s/domid", dom);
    put(w, DOM0_GUEST_READS, NULL, "%s/device", dom);
    put(w, DOM0_GUEST_READS, NULL, "%s/control", dom);
    static const char *const guest_writes[] = {
        "control/shutdown", "control/feature-poweroff", "control/feature-reboot",
        "control/feature-suspend", "control/sysrq", "data", "drivers", "feature", "attr", "error",
    };
    for (size_t i = 0; i < sizeof(guest_writes) / sizeof(guest_writes[0]); i++)
        put(w, GUEST_OWNS, "", "%s/%s", dom, guest_writes[i]);
    put(w, DOM0_GUEST_READS, "1", "%s/control/platform-feature-multiprocessor-suspend", dom);
    put(w, DOM0_GUEST_READS, "1", "%s/control/platform-feature-xs_reset_watches", dom);

    put_num(w, DOM0_GUEST_READS, cfg->max_memkb, "%s/memory/static-max", dom);
    put_num(w, DOM0_GUEST_READS, cfg->target_memkb, "%s/memory/target", dom);
    for (unsigned v = 0; v < cfg->max_vcpus; v++)
        put(w, DOM0_GUEST_READS, v < cfg->vcpus ? "online" : "offline",
            "%s/cpu/%u/availability", dom, v);
    put_num(w, DOM0_GUEST_READS, b->store_port, "%s/store/port", dom);
    put_num(w, DOM0_GUEST_READS, b->store_mfn, "%s/store/ring-ref", dom);

    /* The PV console: frontend in the guest's tree, backend in dom0's. */
    put(w, GUEST_OWNS, NULL, "%s/console", dom);
    put(w, GUEST_OWNS, be, "%s/console/backend", dom);
    put(w, GUEST_OWNS, "0", "%s/console/backend-id", dom);
    put(w, GUEST_OWNS, "1", "%s/console/state", dom);
    put(w, GUEST_OWNS, "1048576", "%s/console/limit", dom);
    put(w, GUEST_OWNS, "xenconsoled", "%s/console/type", dom);
    put(w, GUEST_OWNS, "pty", "%s/console/output", dom);
    put(w, GUEST_OWNS, "", "%s/console/tty", dom);
    put_num(w, GUEST_OWNS, b->console_port, "%s/console/port", dom);
    put_num(w, GUEST_OWNS, b->console_mfn, "%s/console/ring-ref", dom);
    put(w, DOM0_GUEST_READS, NULL, "%s", be);
    snprintf(p, sizeof(p), "%s/console", dom);
    put(w, DOM0_GUEST_READS, p, "%s/frontend", be);
    put_num(w, DOM0_GUEST_READS, id, "%s/frontend-id", be);
    put(w, DOM0_GUEST_READS, "1", "%s/online", be);
    put(w, DOM0_GUEST_READS, "1", "%s/state", be);
    put(w, DOM0_GUEST_READS, "vt100", "%s/protocol", be);

    put(w, DOM0_GUEST_READS, uuid, "%s/uuid", vm);
    put(w, DOM0_GUEST_READS, cfg->name, "%s/name", vm);
    snprintf(p, sizeof(p), "%lld.00", (long long)time(NULL));
    put(w, DOM0_GUEST_READS, p, "%s/start_time", vm);
    put(w, DOM0_GUEST_READS, "linux", "%s/image/ostype", vm);
    put(w, DOM0_GUEST_READS, cfg->kernel, "%s/image/kernel", vm);
    if (cfg->ramdisk)
        put(w, DOM0_GUEST_READS, cfg->ramdisk, "%s/image/ramdisk", vm);
    put(w, DOM0_GUEST_READS, cfg->cmdline ? cfg->cmdline : "", "%s/image/cmdline", vm);
    /* tl's own record of the domain, dom0's only (as libxl's /libxl/N). */
    put(w, DOM0_ONLY, "pv", "/libxl/%u/type", id);
}

int xs_domain_write(struct xs_handle *xs, const struct domcfg *cfg, const uint8_t uuid[16],
                    const struct built_domain *b, char *why, size_t why_size)
{
    char uuid_str[37];
    domcfg_uuid_format(uuid, uuid_str);
    for (int attempt = 0; attempt < 20; attempt++) {
        struct writer w = { .xs = xs, .domid = b->domid };
        w.t = xs_transaction_start(xs);
        if (w.t == XBT_NULL) {
            snprintf(why, why_size, "xenstore transaction start: %s", strerror(errno));
            return -errno;
        }
        write_all(&w, cfg, uuid_str, b);
        if (w.err) {
            xs_transaction_end(xs, w.t, true);
            snprintf(why, why_size, "%s: %s", w.failed, strerror(-w.err));
            return w.err;
        }
        if (xs_transaction_end(xs, w.t, false))
            return 0;
        if (errno != EAGAIN) {
            snprintf(why, why_size, "xenstore transaction end: %s", strerror(errno));
            return -errno;
        }
    }
    snprintf(why, why_size, "xenstore transaction kept conflicting (20 attempts)");
    return -EAGAIN;
}

void xs_domain_remove(struct xs_handle *xs, uint32_t domid)
{
    char path[96];
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    char *vm = xs_read(xs, XBT_NULL, path, NULL);
    /* Each path may be missing already (a create that failed half way): nothing to do then. */
    if (vm && strncmp(vm, "/vm/", 4) == 0)
        xs_rm(xs, XBT_NULL, vm);
    free(vm);
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xs_rm(xs, XBT_NULL, path);
    snprintf(path, sizeof(path), "/local/domain/0/backend/console/%u", domid);
    xs_rm(xs, XBT_NULL, path);
    snprintf(path, sizeof(path), "/libxl/%u", domid);
    xs_rm(xs, XBT_NULL, path);
}

char *xs_domain_name_of(struct xs_handle *xs, uint32_t domid)
{
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    return xs_read(xs, XBT_NULL, path, NULL);
}

int xs_domain_rename(struct xs_handle *xs, uint32_t domid, const char *name)
{
    char path[96];
    snprintf(path, sizeof(path), "/local/domain/%u/vm", domid);
    char *vm = xs_read(xs, XBT_NULL, path, NULL);
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    int rc = xs_write(xs, XBT_NULL, path, name, (unsigned)strlen(name)) ? 0 : -errno;
    if (rc == 0 && vm && strncmp(vm, "/vm/", 4) == 0) {
        char vpath[128];
        snprintf(vpath, sizeof(vpath), "%s/name", vm);
        rc = xs_write(xs, XBT_NULL, vpath, name, (unsigned)strlen(name)) ? 0 : -errno;
    }
    free(vm);
    return rc;
}
