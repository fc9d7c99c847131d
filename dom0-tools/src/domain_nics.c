/*
 * A domain's network interfaces through dom0's xen-netback (see
 * domain_nics.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "domain_nics.h"
#include "hotplug.h"
#include "netdev.h"
#include "trace.h"
#include "xs_device.h"

/* How long netback may take to pick a new device up (xenwatch, under load). */
#define BACKEND_WAIT_MS 20000
/* How long the vifD.N device may lag behind InitWait. */
#define NETDEV_WAIT_MS 10000
/* Xen's own hotplug script for bridged vifs: tl does its work itself. */
#define DEFAULT_SCRIPT "vif-bridge"

static struct xs_device vif(uint32_t domid, uint32_t devid)
{
    return (struct xs_device){ .kind = "vif", .backend_domid = 0, .domid = domid, .devid = devid };
}

static const char *bridge_of(const struct domcfg_nic *nic)
{
    return nic->bridge && *nic->bridge ? nic->bridge : TL_DEFAULT_BRIDGE;
}

/* A script= that names Xen's default script is the built-in work. */
static bool custom_script(const char *script)
{
    if (!script || !*script)
        return false;
    const char *base = strrchr(script, '/');
    return strcmp(base ? base + 1 : script, DEFAULT_SCRIPT) != 0;
}

static int check_one(const struct domcfg *cfg, size_t i, char *why, size_t why_size)
{
    const struct domcfg_nic *nic = &cfg->nics[i];
    if (nic->backend_domname && strcmp(nic->backend_domname, "0") &&
        strcmp(nic->backend_domname, "Domain-0")) {
        snprintf(why, why_size, "backend=%.64s: only dom0 serves network interfaces",
                 nic->backend_domname);
        return -EOPNOTSUPP;
    }
    if (!custom_script(nic->script) && !netdev_name_ok(bridge_of(nic))) {
        snprintf(why, why_size, "bridge '%.64s' is not a network device name (1-15 characters)",
                 bridge_of(nic));
        return -EINVAL;
    }
    if (nic->ifname) {
        if (!netdev_name_ok(nic->ifname)) {
            snprintf(why, why_size, "vifname '%.64s' is not a network device name (1-15 characters)",
                     nic->ifname);
            return -EINVAL;
        }
        if (netdev_exists(nic->ifname)) {
            snprintf(why, why_size, "vifname %s: dom0 has a device of that name", nic->ifname);
            return -EEXIST;
        }
    }
    for (size_t j = 0; j < i; j++) {
        const struct domcfg_nic *other = &cfg->nics[j];
        if (nic->has_mac && other->has_mac && !memcmp(nic->mac, other->mac, 6)) {
            char mac[18];
            domcfg_mac_format(nic->mac, mac);
            snprintf(why, why_size, "the same MAC (%s) as vif %d", mac, other->devid);
            return -EINVAL;
        }
        if (nic->ifname && other->ifname && !strcmp(nic->ifname, other->ifname)) {
            snprintf(why, why_size, "the same vifname (%s) as vif %d", nic->ifname, other->devid);
            return -EINVAL;
        }
    }
    return 0;
}

int domain_nics_check(const struct domcfg *cfg, char *why, size_t why_size)
{
    char reason[400];
    for (size_t i = 0; i < cfg->nr_nics; i++) {
        int rc = check_one(cfg, i, reason, sizeof(reason));
        if (rc) {
            snprintf(why, why_size, "vif %d: %s", cfg->nics[i].devid, reason);
            return rc;
        }
    }
    return 0;
}

void domain_nics_assign_macs(struct domcfg *cfg)
{
    for (size_t i = 0; i < cfg->nr_nics; i++) {
        struct domcfg_nic *nic = &cfg->nics[i];
        if (nic->has_mac)
            continue;
        uint8_t r[3];
        if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
            /* No randomness yet: still distinct among this host's vifs. */
            unsigned x = (unsigned)getpid() * 2654435761u + (unsigned)time(NULL) + (unsigned)i;
            r[0] = (uint8_t)(x >> 16), r[1] = (uint8_t)(x >> 8), r[2] = (uint8_t)x;
        }
        /* Xen's OUI; the top bit of the fourth byte stays clear, as xl leaves it. */
        const uint8_t mac[6] = { 0x00, 0x16, 0x3e, (uint8_t)(r[0] & 0x7f), r[1], r[2] };
        memcpy(nic->mac, mac, 6);
        nic->has_mac = true;
    }
}

/* The device netback made for the vif: vifD.N. */
static void netback_name(uint32_t domid, uint32_t devid, char *out, size_t size)
{
    snprintf(out, size, "vif%u.%u", domid, devid);
}

/*
 * vif-bridge's work: the device renamed if vifname= asks, its MTU, onto
 * the bridge, up. Returns 0 or -errno with why.
 */
static int plug(const struct domcfg_nic *nic, const char *dev, char *why, size_t why_size)
{
    const char *bridge = bridge_of(nic);
    int rc;
    if (nic->mtu > 0 && (rc = netdev_set_mtu(dev, nic->mtu)) < 0) {
        snprintf(why, why_size, "cannot set the MTU of %s to %d: %s", dev, nic->mtu, strerror(-rc));
        return rc;
    }
    if ((rc = netdev_bridge_ensure(bridge, why, why_size)) < 0)
        return rc;
    if ((rc = netdev_bridge_add_port(bridge, dev)) < 0) {
        snprintf(why, why_size, "cannot add %s to bridge %s: %s", dev, bridge, strerror(-rc));
        return rc;
    }
    if ((rc = netdev_up(dev)) < 0) {
        snprintf(why, why_size, "cannot bring %s up: %s", dev, strerror(-rc));
        return rc;
    }
    return 0;
}

static int write_hotplug_status(struct xs_handle *xs, const char *be, const char *status)
{
    char path[200];
    snprintf(path, sizeof(path), "%s/hotplug-status", be);
    return xs_write(xs, XBT_NULL, path, status, (unsigned)strlen(status)) ? 0 : -errno;
}

static int add(struct xs_handle *xs, uint32_t domid, const struct domcfg_nic *nic, char *why,
               size_t why_size)
{
    char mac[18], handle[16], rate[48], mtu[16], script[PATH_MAX];
    if (!nic->has_mac) {
        snprintf(why, why_size, "no MAC address (tl gives one before this)");
        return -EINVAL;
    }
    domcfg_mac_format(nic->mac, mac);
    snprintf(handle, sizeof(handle), "%d", nic->devid);
    snprintf(mtu, sizeof(mtu), "%d", nic->mtu > 0 ? nic->mtu : 1500);
    hotplug_script_path(nic->script && *nic->script ? nic->script : DEFAULT_SCRIPT, script,
                        sizeof(script));
    /* hotplug-status empty: netback waits for "connected" before it connects. */
    struct xs_kv back[16] = {
        { "online", "1" }, { "state", "1" }, { "script", script }, { "mac", mac },
        { "bridge", bridge_of(nic) }, { "handle", handle }, { "type", "vif" },
        { "hotplug-status", "" },
    };
    size_t nr_back = 8;
    if (nic->ip)
        back[nr_back++] = (struct xs_kv){ "ip", nic->ip };
    if (nic->rate_interval_usecs > 0) {
        /* netback reads it itself: bytes per interval, interval in microseconds. */
        snprintf(rate, sizeof(rate), "%llu,%u", (unsigned long long)nic->rate_bytes_per_interval,
                 nic->rate_interval_usecs);
        back[nr_back++] = (struct xs_kv){ "rate", rate };
    }
    if (nic->mtu > 0)
        back[nr_back++] = (struct xs_kv){ "mtu", mtu };
    if (nic->ifname)
        back[nr_back++] = (struct xs_kv){ "vifname", nic->ifname };
    const struct xs_kv front[] = {
        { "state", "1" }, { "handle", handle }, { "mac", mac }, { "mtu", mtu }, { "trusted", "1" },
    };
    struct xs_device d = vif(domid, (uint32_t)nic->devid);
    int rc = xs_device_add(xs, &d, back, nr_back, front, sizeof(front) / sizeof(front[0]), why,
                           why_size);
    if (rc < 0)
        return rc;
    tl_trace("vif: nodes written");

    char be[160], dev[32];
    xs_device_backend_path(&d, be, sizeof(be));
    netback_name(domid, (uint32_t)nic->devid, dev, sizeof(dev));
    int last;
    rc = xs_device_wait_state(xs, be, XENBUS_INIT_WAIT, BACKEND_WAIT_MS, &last);
    if (rc < 0) {
        snprintf(why, why_size, "dom0's backend did not take %s (state %d after %d s%s)", be, last,
                 BACKEND_WAIT_MS / 1000, last <= 1 ? ": is xen-netback loaded?" : "");
        rc = -ETIMEDOUT;
        goto remove;
    }
    tl_trace("vif: netback took it");
    /*
     * The vifD.N device can be a moment behind the state: netback has
     * switched to InitWait in some kernels before creating it, and a create
     * under load once found the state without the device.
     */
    struct timespec tick = { 0, 20 * 1000000L };
    for (int waited = 0; waited < NETDEV_WAIT_MS && !netdev_exists(dev); waited += 20)
        nanosleep(&tick, NULL);
    if (!netdev_exists(dev)) {
        snprintf(why, why_size, "netback took %s but dom0 has no device %s", be, dev);
        rc = -ENODEV;
        goto remove;
    }
    if (nic->ifname) {
        if ((rc = netdev_rename(dev, nic->ifname)) < 0) {
            snprintf(why, why_size, "cannot rename %s to %s: %s", dev, nic->ifname, strerror(-rc));
            goto remove;
        }
        snprintf(dev, sizeof(dev), "%s", nic->ifname);
    }
    if (custom_script(nic->script)) {
        int status = hotplug_run(nic->script, "online", "vif", be, dev);
        if (status) {
            if (status < 0)
                snprintf(why, why_size, "hotplug script %.300s: %s", script, strerror(-status));
            else
                snprintf(why, why_size, "hotplug script %.300s online failed (exit status %d)",
                         script, status);
            rc = -EIO;
            goto remove;
        }
    } else if ((rc = plug(nic, dev, why, why_size)) < 0) {
        goto remove;
    }
    /* A script may have said so already; saying it again changes nothing. */
    if ((rc = write_hotplug_status(xs, be, "connected")) < 0) {
        snprintf(why, why_size, "xenstore write of %s/hotplug-status: %s", be, strerror(-rc));
        goto remove;
    }
    return 0;

remove:
    if (custom_script(nic->script))
        hotplug_run(nic->script, "offline", "vif", be, dev);
    xs_device_remove(xs, &d);
    return rc;
}

int domain_nic_add(struct xs_handle *xs, uint32_t domid, const struct domcfg_nic *nic, char *why,
                   size_t why_size)
{
    struct domcfg one = { .nics = (struct domcfg_nic *)nic, .nr_nics = 1 };
    char reason[512];
    int rc = domain_nics_check(&one, why, why_size);
    if (rc == 0 && (rc = add(xs, domid, nic, reason, sizeof(reason))) < 0)
        snprintf(why, why_size, "vif %d: %s", nic->devid, reason);
    return rc;
}

int domain_nics_add(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg, char *why,
                    size_t why_size)
{
    int rc = domain_nics_check(cfg, why, why_size);
    for (size_t i = 0; rc == 0 && i < cfg->nr_nics; i++)
        if ((rc = domain_nic_add(xs, domid, &cfg->nics[i], why, why_size)) < 0)
            domain_nics_remove(xs, domid);
    return rc;
}

int domain_nic_detach(struct xs_handle *xs, uint32_t domid, uint32_t devid, int timeout_ms)
{
    struct xs_device d = vif(domid, devid);
    char be[160], path[200];
    xs_device_backend_path(&d, be, sizeof(be));
    char *state = xs_device_read(xs, be, "state");
    if (!state)
        return -ENOENT;
    free(state);
    snprintf(path, sizeof(path), "%s/online", be);
    xs_write(xs, XBT_NULL, path, "0", 1);
    snprintf(path, sizeof(path), "%s/state", be);
    xs_write(xs, XBT_NULL, path, "5", 1);
    int last;
    int rc = xs_device_wait_state(xs, be, XENBUS_CLOSED, timeout_ms, &last);
    domain_nic_remove(xs, domid, devid);
    return rc == -ETIMEDOUT ? rc : 0;
}

void domain_nic_remove(struct xs_handle *xs, uint32_t domid, uint32_t devid)
{
    struct xs_device d = vif(domid, devid);
    char be[160], dev[32];
    xs_device_backend_path(&d, be, sizeof(be));
    char *script = xs_device_read(xs, be, "script");
    char *ifname = xs_device_read(xs, be, "vifname");
    if (ifname && *ifname)
        snprintf(dev, sizeof(dev), "%s", ifname);
    else
        netback_name(domid, devid, dev, sizeof(dev));
    if (custom_script(script))
        hotplug_run(script, "offline", "vif", be, dev);
    /* netback removes the device, and the bridge its port, once the nodes go. */
    xs_device_remove(xs, &d);
    free(script);
    free(ifname);
}

void domain_nics_remove(struct xs_handle *xs, uint32_t domid)
{
    xs_device_remove_all(xs, "vif", domid, domain_nic_remove);
}
