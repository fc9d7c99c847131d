/*
 * A domain's disks through dom0's xen-blkback (see domain_disks.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "device_model.h"
#include "domain_disks.h"
#include "hotplug.h"
#include "loopdev.h"
#include "vdev.h"
#include "xs_device.h"

/* How long blkback may take to pick a new device up (xenwatch, under load). */
#define BACKEND_WAIT_MS 20000

/* How long QEMU may take to start and pick a qdisk up. */
#define QDISK_WAIT_MS 30000

/*
 * A disk xen-blkback cannot serve (an image format other than raw, or
 * backendtype=qdisk) goes to QEMU's qdisk backend, as libxl sends it.
 */
static bool is_qdisk(const struct domcfg_disk *disk)
{
    return disk->backend == DOMCFG_DISK_BACKEND_QDISK ||
           (disk->format != DOMCFG_DISK_FORMAT_RAW && disk->format != DOMCFG_DISK_FORMAT_EMPTY);
}

/* The guest sees a vbd either way; the backend directory is blkback's or QEMU's. */
static struct xs_device disk_device(uint32_t domid, uint32_t devid, bool qdisk)
{
    return (struct xs_device){ .kind = qdisk ? "qdisk" : "vbd", .frontend_kind = "vbd",
                               .backend_domid = 0, .domid = domid, .devid = devid };
}

static struct xs_device vbd(uint32_t domid, uint32_t devid)
{
    return disk_device(domid, devid, false);
}

/* The device devid of domid as it is in xenstore: QEMU's when it has it. */
static struct xs_device existing_disk(struct xs_handle *xs, uint32_t domid, uint32_t devid)
{
    struct xs_device q = disk_device(domid, devid, true);
    char be[160];
    char *state = xs_device_read(xs, xs_device_backend_path(&q, be, sizeof(be)), "state");
    free(state);
    return state ? q : vbd(domid, devid);
}

static int unsupported(const struct domcfg_disk *disk, char *why, size_t why_size)
{
    if (disk->backend_domname && strcmp(disk->backend_domname, "0") &&
        strcmp(disk->backend_domname, "Domain-0"))
        snprintf(why, why_size, "backend=%s: only dom0 serves disks", disk->backend_domname);
    else if (disk->backend == DOMCFG_DISK_BACKEND_TAP)
        snprintf(why, why_size, "backendtype=tap: only phy (xen-blkback) and qdisk (QEMU) are "
                 "supported");
    else if (disk->format == DOMCFG_DISK_FORMAT_EMPTY || !disk->target)
        snprintf(why, why_size, "an empty cdrom drive is not supported yet");
    else if (is_qdisk(disk) && disk->script)
        snprintf(why, why_size, "script= with format %s: QEMU opens the image itself",
                 domcfg_disk_format_name(disk->format));
    else if (is_qdisk(disk) && access(device_model_path(), X_OK) < 0)
        snprintf(why, why_size, "format %s needs QEMU's qdisk backend: %s: %s (Debian's package "
                 "qemu-system-xen; TL_DEVICE_MODEL names another)",
                 domcfg_disk_format_name(disk->format), device_model_path(), strerror(errno));
    else
        return 0;
    return -EOPNOTSUPP;
}

int domain_disks_check(const struct domcfg *cfg, char *why, size_t why_size)
{
    char reason[400];
    for (size_t i = 0; i < cfg->nr_disks; i++) {
        const struct domcfg_disk *disk = &cfg->disks[i];
        int32_t n = vdev_number(disk->vdev);
        int rc = 0;
        struct stat st;
        if (n < 0) {
            snprintf(reason, sizeof(reason), "not a name Xen knows (xvdX, hdX, sdX, dNpN)");
            rc = -EINVAL;
        }
        if (!rc)
            rc = unsupported(disk, reason, sizeof(reason));
        /* A script finds its device itself: its target may be anything. */
        if (!rc && !disk->script && stat(disk->target, &st) < 0) {
            rc = -errno;
            snprintf(reason, sizeof(reason), "%.300s: %s", disk->target, strerror(errno));
        }
        for (size_t j = 0; j < i && !rc; j++)
            if (vdev_number(cfg->disks[j].vdev) == n) {
                snprintf(reason, sizeof(reason), "the same virtual device (%d) as %s", n,
                         cfg->disks[j].vdev);
                rc = -EINVAL;
            }
        if (rc) {
            snprintf(why, why_size, "disk %s: %s", disk->vdev, reason);
            return rc;
        }
    }
    return 0;
}

/*
 * A writable disk must be nobody else's: Xen's block script refuses a file
 * or device another vbd uses unless both are read-only. Returns 0 or -EBUSY.
 */
static int check_sharing_kind(struct xs_handle *xs, const char *kind, const char *params,
                              bool writable, char *why, size_t why_size)
{
    unsigned nr_doms;
    char top[64];
    snprintf(top, sizeof(top), "/local/domain/0/backend/%s", kind);
    char **doms = xs_directory(xs, XBT_NULL, top, &nr_doms);
    int rc = 0;
    for (unsigned i = 0; doms && i < nr_doms && !rc; i++) {
        char dir[160];
        snprintf(dir, sizeof(dir), "%s/%s", top, doms[i]);
        unsigned nr_devs;
        char **devs = xs_directory(xs, XBT_NULL, dir, &nr_devs);
        for (unsigned j = 0; devs && j < nr_devs && !rc; j++) {
            char be[200];
            snprintf(be, sizeof(be), "%s/%s", dir, devs[j]);
            char *other = xs_device_read(xs, be, "params");
            char *mode = xs_device_read(xs, be, "mode");
            /* QEMU's params are FORMAT:PATH. */
            const char *other_path = other && !strcmp(kind, "qdisk") && strchr(other, ':')
                                         ? strchr(other, ':') + 1 : other;
            if (other_path && !strcmp(other_path, params) &&
                (writable || (mode && strchr(mode, 'w')))) {
                char *dev = xs_device_read(xs, be, "dev");
                snprintf(why, why_size, "%.300s is already %s of domain %s%s", params,
                         dev ? dev : devs[j], doms[i],
                         writable ? " (a writable disk cannot be shared)"
                                  : " writable (it cannot be shared)");
                free(dev);
                rc = -EBUSY;
            }
            free(other);
            free(mode);
        }
        free(devs);
    }
    free(doms);
    return rc;
}

static int check_sharing(struct xs_handle *xs, const char *params, bool writable, char *why,
                         size_t why_size)
{
    int rc = check_sharing_kind(xs, "vbd", params, writable, why, why_size);
    return rc ? rc : check_sharing_kind(xs, "qdisk", params, writable, why, why_size);
}

/* A disk's xenstore keys, blkback's or QEMU's: libxl writes the same ones for both. */
struct disk_nodes {
    struct xs_kv back[16];
    size_t nr_back;
    struct xs_kv front[4];
    char devid[16];
};

/* The keys every disk has; params and type (phy, qdisk) are the caller's. */
static void disk_nodes_init(struct disk_nodes *n, const struct domcfg_disk *disk, int32_t devid,
                            const char *params, const char *type)
{
    const char *devtype = disk->is_cdrom ? "cdrom" : "disk";
    bool discard = disk->discard == DOMCFG_DEFAULT ? disk->readwrite : disk->discard == DOMCFG_TRUE;
    snprintf(n->devid, sizeof(n->devid), "%d", devid);
    const struct xs_kv back[] = {
        { "params", params }, { "mode", disk->readwrite ? "w" : "r" }, { "type", type },
        { "online", "1" }, { "removable", disk->is_cdrom ? "1" : "0" }, { "bootable", "1" },
        { "state", "1" }, { "dev", disk->vdev }, { "device-type", devtype },
        { "discard-enable", discard ? "1" : "0" },
    };
    n->nr_back = sizeof(back) / sizeof(back[0]);
    memcpy(n->back, back, sizeof(back));
    if (disk->direct_io_safe)
        n->back[n->nr_back++] = (struct xs_kv){ "direct-io-safe", "1" };
    const struct xs_kv front[] = {
        { "virtual-device", n->devid }, { "device-type", devtype }, { "state", "1" },
        { "protocol", "x86_64-abi" },
    };
    memcpy(n->front, front, sizeof(front));
}

/*
 * A disk for QEMU's qdisk backend: libxl's backend keys (params is
 * FORMAT:PATH, "aio" for raw), the domain's QEMU started if it is not
 * running yet; QEMU opens the image and moves the backend to InitWait.
 */
static int add_qdisk(struct xs_handle *xs, uint32_t domid, const struct domcfg_disk *disk,
                     int32_t devid, char *why, size_t why_size)
{
    char path[PATH_MAX];
    if (!realpath(disk->target, path)) {
        int e = errno;
        snprintf(why, why_size, "%s: %s", disk->target, strerror(e));
        return -e;
    }
    int rc = check_sharing(xs, path, disk->readwrite, why, why_size);
    if (rc < 0)
        return rc;
    char params[PATH_MAX + 16];
    const char *format = disk->format == DOMCFG_DISK_FORMAT_RAW
                             ? "aio" : domcfg_disk_format_name(disk->format);
    snprintf(params, sizeof(params), "%s:%s", format, path);
    struct disk_nodes n;
    disk_nodes_init(&n, disk, devid, params, "qdisk");
    struct xs_device d = disk_device(domid, (uint32_t)devid, true);
    if ((rc = xs_device_add(xs, &d, n.back, n.nr_back, n.front, 4, why, why_size)) < 0)
        return rc;
    if ((rc = device_model_ensure(xs, domid, why, why_size)) < 0) {
        xs_device_remove(xs, &d);
        return rc;
    }
    char be[160];
    xs_device_backend_path(&d, be, sizeof(be));
    int last;
    for (int waited = 0; waited < QDISK_WAIT_MS; waited += 200) {
        rc = xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, 200, &last);
        if (rc >= 0)
            return 0;
        if (!device_model_alive(xs, domid) || device_model_refused(xs, domid, (uint32_t)devid))
            break;
    }
    char *words = device_model_last_words(xs, domid);
    snprintf(why, why_size, "QEMU's qdisk backend did not take %.200s (state %d%s%.200s)", params, last,
             words ? "; QEMU said: " : (device_model_alive(xs, domid) ? "" : "; QEMU exited"),
             words ? words : "");
    free(words);
    xs_device_remove(xs, &d);
    return -EIO;
}

/* What backs the disk: a block device as it is, a file through a new loop device. */
struct backing {
    char params[PATH_MAX];      /* the target, resolved */
    char dev[64];               /* /dev/loopN or the block device */
    dev_t rdev;
    bool loop;                  /* tl made dev and releases it */
};

static int open_backing(const struct domcfg_disk *disk, struct backing *b, char *why,
                        size_t why_size)
{
    struct stat st;
    if (!realpath(disk->target, b->params) || stat(b->params, &st) < 0) {
        int e = errno;
        snprintf(why, why_size, "%s: %s", disk->target, strerror(e));
        return -e;
    }
    if (S_ISBLK(st.st_mode)) {
        if (strlen(b->params) >= sizeof(b->dev)) {
            snprintf(why, why_size, "%.300s: the device path is too long", b->params);
            return -ENAMETOOLONG;
        }
        memcpy(b->dev, b->params, strlen(b->params) + 1);
        b->rdev = st.st_rdev;
        return 0;
    }
    if (!S_ISREG(st.st_mode)) {
        snprintf(why, why_size, "%s is neither a file nor a block device", disk->target);
        return -EINVAL;
    }
    int rc = loopdev_attach(b->params, disk->readwrite, b->dev, sizeof(b->dev), why, why_size);
    if (rc)
        return rc;
    b->loop = true;
    if (stat(b->dev, &st) < 0 || !S_ISBLK(st.st_mode)) {
        rc = -ENODEV;
        snprintf(why, why_size, "%s: not a block device after binding it", b->dev);
        loopdev_release(b->dev);
        return rc;
    }
    b->rdev = st.st_rdev;
    return 0;
}

static int add(struct xs_handle *xs, uint32_t domid, const struct domcfg_disk *disk,
               int32_t devid, char *why, size_t why_size)
{
    struct backing b = { 0 };
    int rc;
    if (is_qdisk(disk))
        return add_qdisk(xs, domid, disk, devid, why, why_size);
    if (disk->script) {
        /* The script finds the device and writes physical-device itself. */
        snprintf(b.params, sizeof(b.params), "%s", disk->target);
    } else if ((rc = open_backing(disk, &b, why, why_size)) < 0) {
        return rc;
    }
    if ((rc = check_sharing(xs, b.params, disk->readwrite, why, why_size)) < 0)
        goto release;

    char phys[32], script[PATH_MAX];
    snprintf(phys, sizeof(phys), "%x:%x", major(b.rdev), minor(b.rdev));
    struct disk_nodes n;
    disk_nodes_init(&n, disk, devid, b.params, "phy");
    if (disk->script) {
        hotplug_script_path(disk->script, script, sizeof(script));
        n.back[n.nr_back++] = (struct xs_kv){ "script", script };
    } else {
        /* The block script's part: the device blkback opens, and its verdict. */
        n.back[n.nr_back++] = (struct xs_kv){ "physical-device", phys };
        n.back[n.nr_back++] = (struct xs_kv){ "physical-device-path", b.dev };
        n.back[n.nr_back++] = (struct xs_kv){ "hotplug-status", "connected" };
    }
    struct xs_device d = vbd(domid, (uint32_t)devid);
    if ((rc = xs_device_add(xs, &d, n.back, n.nr_back, n.front, 4, why, why_size)) < 0)
        goto release;

    char be[160];
    xs_device_backend_path(&d, be, sizeof(be));
    if (disk->script) {
        int status = hotplug_run(disk->script, "add", "vbd", be, NULL);
        if (status) {
            if (status < 0)
                snprintf(why, why_size, "hotplug script %.300s: %s", script, strerror(-status));
            else
                snprintf(why, why_size, "hotplug script %.300s add failed (exit status %d)",
                         script, status);
            rc = -EIO;
            goto remove;
        }
        char *hs = xs_device_read(xs, be, "hotplug-status");
        if (!hs) {
            char path[200];
            snprintf(path, sizeof(path), "%s/hotplug-status", be);
            xs_write(xs, XBT_NULL, path, "connected", 9);
        }
        free(hs);
    }
    int last;
    rc = xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, BACKEND_WAIT_MS, &last);
    if (rc < 0) {
        snprintf(why, why_size, "dom0's backend did not take %s (state %d after %d s%s)", be, last,
                 BACKEND_WAIT_MS / 1000, last <= 1 ? ": is xen-blkback loaded?" : "");
        rc = -ETIMEDOUT;
        goto remove;
    }
    return 0;

remove:
    if (disk->script)
        hotplug_run(disk->script, "remove", "vbd", be, NULL);
    xs_device_remove(xs, &d);
release:
    if (b.loop)
        loopdev_release(b.dev);
    return rc;
}

int domain_disk_add(struct xs_handle *xs, uint32_t domid, const struct domcfg_disk *disk,
                    char *why, size_t why_size)
{
    struct domcfg one = { .disks = (struct domcfg_disk *)disk, .nr_disks = 1 };
    char reason[512];
    int rc = domain_disks_check(&one, why, why_size);
    if (rc == 0 && (rc = add(xs, domid, disk, vdev_number(disk->vdev), reason, sizeof(reason))) < 0)
        snprintf(why, why_size, "disk %s: %s", disk->vdev, reason);
    return rc;
}

int domain_disks_add(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg, char *why,
                     size_t why_size)
{
    int rc = domain_disks_check(cfg, why, why_size);
    for (size_t i = 0; rc == 0 && i < cfg->nr_disks; i++)
        if ((rc = domain_disk_add(xs, domid, &cfg->disks[i], why, why_size)) < 0)
            domain_disks_remove(xs, domid);
    return rc;
}

/* Writes KEY=VALUE in the backend directory be; false on failure. */
static bool put(struct xs_handle *xs, xs_transaction_t t, const char *be, const char *key,
                const char *value)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/%s", be, key);
    return xs_write(xs, t, path, value, (unsigned)strlen(value));
}

int domain_disk_detach(struct xs_handle *xs, uint32_t domid, uint32_t devid, bool force,
                       int timeout_ms, char *why, size_t why_size)
{
    struct xs_device d = existing_disk(xs, domid, devid);
    char be[160], fe[160];
    xs_device_backend_path(&d, be, sizeof(be));
    xs_device_frontend_path(&d, fe, sizeof(fe));
    char *state = xs_device_read(xs, be, "state");
    if (!state) {
        snprintf(why, why_size, "domain %u has no disk %u", domid, devid);
        return -ENOENT;
    }
    int rc = 0, last = 0;
    if (atoi(state) == XENBUS_CONNECTED) {
        /* One transaction, so blkback never sees Closing while still online. */
        for (int attempt = 0; attempt < 20; attempt++) {
            xs_transaction_t t = xs_transaction_start(xs);
            bool ok = t != XBT_NULL && put(xs, t, be, "online", "0") && put(xs, t, be, "state", "5");
            if (t != XBT_NULL && xs_transaction_end(xs, t, !ok) && ok)
                break;
            if (!ok || errno != EAGAIN) {
                snprintf(why, why_size, "xenstore write of %s: %s", be, strerror(errno));
                free(state);
                return -EIO;
            }
        }
        rc = xs_device_wait_state(xs, be, XENBUS_CLOSED, timeout_ms, &last);
    }
    if (rc == -ETIMEDOUT && !force) {
        char *fstate = xs_device_read(xs, fe, "state");
        snprintf(why, why_size, "the guest's front end did not close it in %d s (backend state %d, "
                 "front end %s: is the domain paused or hung?); it is left attached, -f removes "
                 "it anyway", timeout_ms / 1000, last, fstate ? fstate : "gone");
        free(fstate);
        put(xs, XBT_NULL, be, "online", "1");
        put(xs, XBT_NULL, be, "state", state);
        free(state);
        return -ETIMEDOUT;
    }
    free(state);
    domain_disk_remove(xs, domid, devid);
    return 0;
}

void domain_disk_remove(struct xs_handle *xs, uint32_t domid, uint32_t devid)
{
    struct xs_device d = existing_disk(xs, domid, devid);
    char be[160];
    xs_device_backend_path(&d, be, sizeof(be));
    char *params = xs_device_read(xs, be, "params");
    char *dev = xs_device_read(xs, be, "physical-device-path");
    char *script = xs_device_read(xs, be, "script");
    if (script && *script)
        hotplug_run(script, "remove", "vbd", be, NULL);
    xs_device_remove(xs, &d);
    /* A loop device tl made: bound to the file params names. */
    struct stat st;
    if (!script && params && dev && !strncmp(dev, "/dev/loop", 9) && stat(params, &st) == 0 &&
        S_ISREG(st.st_mode)) {
        char *file = loopdev_backing_file(dev);
        if (file && !strcmp(file, params))
            loopdev_release(dev);
        free(file);
    }
    free(params);
    free(dev);
    free(script);
}

void domain_disks_remove(struct xs_handle *xs, uint32_t domid)
{
    /* QEMU first, so that it does not see its back ends pulled away while it runs. */
    device_model_stop(xs, domid);
    xs_device_remove_all(xs, "qdisk", domid, domain_disk_remove);
    xs_device_remove_all(xs, "vbd", domid, domain_disk_remove);
}
