/*
 * vdev names to Xen's virtual-device numbers (see vdev.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "vdev.h"

/*
 * PREFIX, then disk letters (a-z, then aa-zz ... as columns), then an
 * optional partition number without leading zeros. Returns 0 with *disk
 * and *part set, or -EINVAL when vdev is not that or goes past a limit.
 */
static int split_name(const char *vdev, const char *prefix, long max_disk, long max_part,
                      long *disk, long *part)
{
    size_t n = strlen(prefix);
    if (strncmp(vdev, prefix, n))
        return -EINVAL;
    const char *p = vdev + n;
    long d = -1;
    while (*p >= 'a' && *p <= 'z') {
        d = (d + 1) * 26 + (*p - 'a');
        if (d > max_disk)
            return -EINVAL;
        p++;
    }
    if (d < 0)
        return -EINVAL;
    long pt = 0;
    if (*p) {
        if (*p < '1' || *p > '9')
            return -EINVAL;     /* no leading zero, nothing but digits */
        while (*p >= '0' && *p <= '9') {
            pt = pt * 10 + (*p - '0');
            if (pt > max_part)
                return -EINVAL;
            p++;
        }
        if (*p)
            return -EINVAL;
    }
    *disk = d;
    *part = pt;
    return 0;
}

static int32_t xvd_number(long disk, long part)
{
    if (disk <= 15 && part <= 15)
        return (int32_t)((202 << 8) | (disk << 4) | part);
    return (int32_t)((1L << 28) | (disk << 8) | part);
}

/* "dDpP": the extended form spelt out (disk < 2^20, partition < 256). */
static int dp_name(const char *vdev, long *disk, long *part)
{
    if (vdev[0] != 'd' || vdev[1] < '0' || vdev[1] > '9')
        return -EINVAL;
    char *end;
    *disk = strtol(vdev + 1, &end, 10);
    if (*end != 'p' || end[1] < '0' || end[1] > '9' || *disk >= (1L << 20))
        return -EINVAL;
    *part = strtol(end + 1, &end, 10);
    return *end || *part >= 256 ? -EINVAL : 0;
}

int32_t vdev_number(const char *vdev)
{
    long disk, part;
    if (!vdev || !*vdev)
        return -EINVAL;
    if (dp_name(vdev, &disk, &part) == 0 || split_name(vdev, "xvd", (1L << 20) - 1, 255, &disk, &part) == 0)
        return xvd_number(disk, part);
    if (vdev[0] >= '0' && vdev[0] <= '9') {
        char *end;
        errno = 0;
        long v = strtol(vdev, &end, 0);
        if (errno || *end || v < 0 || v > INT32_MAX)
            return -EINVAL;
        return (int32_t)v;
    }
    if (split_name(vdev, "hd", 3, 63, &disk, &part) == 0)
        return (int32_t)(((disk < 2 ? 3 : 22) << 8) | ((disk & 1) << 6) | part);
    if (split_name(vdev, "sd", 15, 15, &disk, &part) == 0)
        return (int32_t)((8 << 8) | (disk << 4) | part);
    return -EINVAL;
}
