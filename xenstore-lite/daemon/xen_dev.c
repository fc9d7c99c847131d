/* Thin wrappers over dom0's Xen devices (see xen_dev.h). */
#include "xen_dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <pvabi/linux/evtchn.h>
#include <pvabi/linux/gntdev.h>
#include <pvabi/linux/privcmd.h>

#define PAGE_BYTES 4096

int xen_dev_open(const char *path)
{
    int fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    return fd < 0 ? -errno : fd;
}

static int ioctl_result(int rc)
{
    return rc < 0 ? -errno : rc;
}

int xen_evtchn_bind_interdomain(int fd, unsigned domid, unsigned remote_port)
{
    struct pvabi_evtchn_bind_interdomain b = { .remote_domain = domid, .remote_port = remote_port };
    return ioctl_result(ioctl(fd, PVABI_IOCTL_EVTCHN_BIND_INTERDOMAIN, &b));
}

int xen_evtchn_bind_virq(int fd, unsigned virq)
{
    struct pvabi_evtchn_bind_virq b = { .virq = virq };
    return ioctl_result(ioctl(fd, PVABI_IOCTL_EVTCHN_BIND_VIRQ, &b));
}

int xen_evtchn_unbind(int fd, unsigned port)
{
    struct pvabi_evtchn_unbind u = { .port = port };
    return ioctl_result(ioctl(fd, PVABI_IOCTL_EVTCHN_UNBIND, &u));
}

int xen_evtchn_notify(int fd, unsigned port)
{
    struct pvabi_evtchn_notify n = { .port = port };
    return ioctl_result(ioctl(fd, PVABI_IOCTL_EVTCHN_NOTIFY, &n));
}

int xen_evtchn_pending(int fd, uint32_t *ports, size_t max)
{
    ssize_t n = read(fd, ports, max * sizeof(*ports));
    if (n < 0)
        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
    return (int)(n / (ssize_t)sizeof(*ports));
}

int xen_evtchn_unmask(int fd, uint32_t port)
{
    return write(fd, &port, sizeof(port)) == (ssize_t)sizeof(port) ? 0 : -errno;
}

int xen_page_map_grant(struct xen_page *p, int gntdev_fd, unsigned domid, unsigned ref)
{
    struct pvabi_gntdev_map_grant_ref m = { .count = 1, .refs = { { .domid = domid, .ref = ref } } };
    if (ioctl(gntdev_fd, PVABI_IOCTL_GNTDEV_MAP_GRANT_REF, &m) < 0)
        return -errno;
    void *addr = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, gntdev_fd, (off_t)m.index);
    if (addr == MAP_FAILED) {
        int err = -errno;
        struct pvabi_gntdev_unmap_grant_ref u = { .index = m.index, .count = 1 };
        ioctl(gntdev_fd, PVABI_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
        return err;
    }
    *p = (struct xen_page){ .addr = addr, .gnt_index = m.index, .gntdev_fd = gntdev_fd };
    return 0;
}

int xen_privcmd_hypercall(int privcmd_fd, unsigned op, uint64_t arg0)
{
    struct privcmd_hypercall call = { .op = op, .arg = { arg0 } };
    return ioctl_result(ioctl(privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call));
}

int xen_page_map_foreign(struct xen_page *p, int privcmd_fd, unsigned domid, uint64_t mfn)
{
    void *addr = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, privcmd_fd, 0);
    if (addr == MAP_FAILED)
        return -errno;
    int frame_err = 0;
    struct privcmd_mmapbatch_v2 b = {
        .num = 1, .dom = (domid_t)domid, .addr = (uintptr_t)addr,
        .arr = (uintptr_t)&mfn, .err = (uintptr_t)&frame_err,
    };
    if (ioctl(privcmd_fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &b) < 0 || frame_err) {
        int err = frame_err ? frame_err : -errno;
        munmap(addr, PAGE_BYTES);
        return err < 0 ? err : -EFAULT;
    }
    *p = (struct xen_page){ .addr = addr, .gntdev_fd = -1 };
    return 0;
}

void xen_page_unmap(struct xen_page *p)
{
    if (!p->addr)
        return;
    munmap(p->addr, PAGE_BYTES);
    if (p->gntdev_fd >= 0) {
        struct pvabi_gntdev_unmap_grant_ref u = { .index = p->gnt_index, .count = 1 };
        ioctl(p->gntdev_fd, PVABI_IOCTL_GNTDEV_UNMAP_GRANT_REF, &u);
    }
    p->addr = NULL;
}

int xen_read_number_file(const char *path, unsigned long *out)
{
    char buf[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    int err = n < 0 ? -errno : 0;
    close(fd);
    if (err)
        return err;
    buf[n] = '\0';
    char *end;
    errno = 0;
    unsigned long v = strtoul(buf, &end, 10);
    if (end == buf || errno || (*end && *end != '\n'))
        return -EINVAL;
    *out = v;
    return 0;
}
