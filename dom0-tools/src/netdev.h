/*
 * The few things tl does to dom0's network devices for a vif, through
 * ioctls on a socket so that no iproute2 or bridge-utils is needed: what
 * Xen's vif-bridge hotplug script does with `ip` and `brctl`.
 */
#ifndef TL_NETDEV_H
#define TL_NETDEV_H

#include <stdbool.h>
#include <stddef.h>

/* True when dom0 has a network device of that name. */
bool netdev_exists(const char *name);

/* True when the device is a bridge. */
bool netdev_is_bridge(const char *name);

/*
 * Creates the bridge unless it exists and brings it up. Returns 0 or
 * -errno with the reason in why (a device of that name that is not a
 * bridge is -EEXIST).
 */
int netdev_bridge_ensure(const char *bridge, char *why, size_t why_size);

/* Makes ifname a port of bridge. 0 or -errno. */
int netdev_bridge_add_port(const char *bridge, const char *ifname);

/* Renames a device that is down. 0 or -errno. */
int netdev_rename(const char *from, const char *to);

/* Sets the MTU. 0 or -errno. */
int netdev_set_mtu(const char *name, int mtu);

/* The MTU, or -errno. */
int netdev_mtu(const char *name);

/* Brings the device up. 0 or -errno. */
int netdev_up(const char *name);

/* True when name fits a Linux interface name (1 to 15 bytes, no '/', ':' or blank). */
bool netdev_name_ok(const char *name);

#endif
