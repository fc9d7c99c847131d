/*
 * dom0's network devices through socket ioctls (see netdev.h).
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/sockios.h>

#include "netdev.h"

bool netdev_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= IFNAMSIZ || !strcmp(name, ".") || !strcmp(name, ".."))
        return false;
    return strcspn(name, "/: \t\n") == n;
}

/* Runs one interface ioctl on a throwaway socket; 0 or -errno. */
static int ifreq_ioctl(unsigned long request, struct ifreq *ifr)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = ioctl(fd, request, ifr) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

static int named(struct ifreq *ifr, const char *name)
{
    if (!netdev_name_ok(name))
        return -EINVAL;
    memset(ifr, 0, sizeof(*ifr));
    memcpy(ifr->ifr_name, name, strlen(name) + 1);
    return 0;
}

bool netdev_exists(const char *name)
{
    return netdev_name_ok(name) && if_nametoindex(name) != 0;
}

bool netdev_is_bridge(const char *name)
{
    char path[64];
    struct stat st;
    if (!netdev_name_ok(name))
        return false;
    snprintf(path, sizeof(path), "/sys/class/net/%s/bridge", name);
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int netdev_up(const char *name)
{
    struct ifreq ifr;
    int rc = named(&ifr, name);
    if (rc || (rc = ifreq_ioctl(SIOCGIFFLAGS, &ifr)))
        return rc;
    if (ifr.ifr_flags & IFF_UP)
        return 0;
    ifr.ifr_flags |= IFF_UP;
    return ifreq_ioctl(SIOCSIFFLAGS, &ifr);
}

int netdev_bridge_ensure(const char *bridge, char *why, size_t why_size)
{
    if (!netdev_name_ok(bridge)) {
        snprintf(why, why_size, "bridge '%.64s' is not a network device name (1-15 characters)",
                 bridge);
        return -EINVAL;
    }
    if (netdev_exists(bridge) && !netdev_is_bridge(bridge)) {
        snprintf(why, why_size, "dom0 has a device %s that is not a bridge", bridge);
        return -EEXIST;
    }
    if (!netdev_exists(bridge)) {
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        int rc = fd < 0 ? -errno : 0;
        /* Another create may make the same bridge at the same moment. */
        if (!rc && ioctl(fd, SIOCBRADDBR, bridge) < 0 && errno != EEXIST)
            rc = -errno;
        if (fd >= 0)
            close(fd);
        if (rc) {
            snprintf(why, why_size, "cannot create bridge %s: %s%s", bridge, strerror(-rc),
                     rc == -ENOPKG || rc == -EINVAL ? " (is the bridge module loaded?)" : "");
            return rc;
        }
    }
    int rc = netdev_up(bridge);
    if (rc)
        snprintf(why, why_size, "cannot bring bridge %s up: %s", bridge, strerror(-rc));
    return rc;
}

int netdev_bridge_add_port(const char *bridge, const char *ifname)
{
    struct ifreq ifr;
    int rc = named(&ifr, bridge);
    if (rc)
        return rc;
    unsigned idx = netdev_name_ok(ifname) ? if_nametoindex(ifname) : 0;
    if (!idx)
        return -ENODEV;
    ifr.ifr_ifindex = (int)idx;
    return ifreq_ioctl(SIOCBRADDIF, &ifr);
}

int netdev_rename(const char *from, const char *to)
{
    struct ifreq ifr;
    int rc = named(&ifr, from);
    if (rc)
        return rc;
    if (!netdev_name_ok(to))
        return -EINVAL;
    memcpy(ifr.ifr_newname, to, strlen(to) + 1);
    return ifreq_ioctl(SIOCSIFNAME, &ifr);
}

int netdev_set_mtu(const char *name, int mtu)
{
    struct ifreq ifr;
    int rc = named(&ifr, name);
    if (rc)
        return rc;
    ifr.ifr_mtu = mtu;
    return ifreq_ioctl(SIOCSIFMTU, &ifr);
}

int netdev_mtu(const char *name)
{
    struct ifreq ifr;
    int rc = named(&ifr, name);
    if (rc || (rc = ifreq_ioctl(SIOCGIFMTU, &ifr)))
        return rc;
    return ifr.ifr_mtu;
}
