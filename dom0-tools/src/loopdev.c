/*
 * Loop device set-up and release (see loopdev.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "loopdev.h"

#ifndef LOOP_CONFIGURE
#define LOOP_CONFIGURE 0x4C0A   /* Linux 5.8 */
#endif

/* Binds the open loop device to the open file; -EBUSY when someone bound it first. */
static int bind(int loop_fd, int file_fd, const char *file, bool writable)
{
    struct loop_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.fd = (unsigned)file_fd;
    cfg.info.lo_flags = writable ? 0 : LO_FLAGS_READ_ONLY;
    snprintf((char *)cfg.info.lo_file_name, sizeof(cfg.info.lo_file_name), "%s", file);
    if (ioctl(loop_fd, LOOP_CONFIGURE, &cfg) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOTTY)
        return -errno;
    /* Before 5.8: bind, then set the name. */
    if (ioctl(loop_fd, LOOP_SET_FD, file_fd) < 0)
        return -errno;
    ioctl(loop_fd, LOOP_SET_STATUS64, &cfg.info);
    return 0;
}

int loopdev_attach(const char *file, bool writable, char *dev, size_t dev_size, char *why,
                   size_t why_size)
{
    int mode = writable ? O_RDWR : O_RDONLY;
    int file_fd = open(file, mode | O_CLOEXEC);
    if (file_fd < 0) {
        int e = errno;
        snprintf(why, why_size, "%s: %s", file, strerror(e));
        return -e;
    }
    int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
    if (ctl < 0) {
        int e = errno;
        snprintf(why, why_size, "/dev/loop-control: %s (is the loop module loaded?)", strerror(e));
        close(file_fd);
        return -e;
    }
    int rc = -EBUSY;
    /* Another process may take the free device between asking and binding. */
    for (int attempt = 0; attempt < 16 && rc == -EBUSY; attempt++) {
        int n = ioctl(ctl, LOOP_CTL_GET_FREE);
        if (n < 0) {
            rc = -errno;
            snprintf(why, why_size, "no free loop device: %s", strerror(errno));
            break;
        }
        snprintf(dev, dev_size, "/dev/loop%d", n);
        int loop_fd = -1;
        /* devtmpfs may add the node a moment after the device appears. */
        for (int wait = 0; wait < 100 && loop_fd < 0; wait++) {
            loop_fd = open(dev, mode | O_CLOEXEC);
            if (loop_fd < 0 && errno == ENOENT)
                usleep(10000);
            else
                break;
        }
        if (loop_fd < 0) {
            rc = -errno;
            snprintf(why, why_size, "%s: %s", dev, strerror(errno));
            break;
        }
        rc = bind(loop_fd, file_fd, file, writable);
        close(loop_fd);
        if (rc && rc != -EBUSY)
            snprintf(why, why_size, "binding %s to %s: %s", dev, file, strerror(-rc));
    }
    if (rc == -EBUSY)
        snprintf(why, why_size, "every free loop device was taken before tl could bind it");
    close(ctl);
    close(file_fd);
    return rc;
}

int loopdev_release(const char *dev)
{
    int fd = open(dev, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = ioctl(fd, LOOP_CLR_FD, 0) < 0 ? -errno : 0;
    close(fd);
    return rc == -ENXIO ? 0 : rc;   /* ENXIO: bound to nothing already */
}

char *loopdev_backing_file(const char *dev)
{
    const char *name = strrchr(dev, '/');
    char path[128];
    snprintf(path, sizeof(path), "/sys/block/%s/loop/backing_file", name ? name + 1 : dev);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char buf[4096];
    char *out = fgets(buf, sizeof(buf), f) ? strdup(buf) : NULL;
    fclose(f);
    if (out)
        out[strcspn(out, "\n")] = '\0';
    return out;
}
