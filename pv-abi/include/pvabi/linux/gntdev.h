/*
 * Linux's /dev/xen/gntdev device as dom0 userspace sees it (toolstack side,
 * not guest ABI): mapping pages another domain granted, from the numbers
 * and layouts of Linux's uapi xen/gntdev.h, written here.
 *
 * MAP_GRANT_REF only records the grants and answers an offset (index);
 * mmap() of the device at that offset, MAP_SHARED, maps them. munmap()
 * first, then UNMAP_GRANT_REF with the same index and count.
 */
#ifndef PVABI_LINUX_GNTDEV_H
#define PVABI_LINUX_GNTDEV_H

#include <stdint.h>

#include <pvabi/linux/ioctl.h>

struct pvabi_gntdev_grant_ref {
    uint32_t domid;           /* the granting domain */
    uint32_t ref;             /* its grant reference */
};

/* The kernel reads count entries of refs[]: allocate room for them all. */
struct pvabi_gntdev_map_grant_ref {
    uint32_t count;           /* IN: pages */
    uint32_t pad;
    uint64_t index;           /* OUT: the mmap offset */
    struct pvabi_gntdev_grant_ref refs[1];
};
#define PVABI_IOCTL_GNTDEV_MAP_GRANT_REF \
    PVABI_LINUX_IOC_NONE('G', 0, sizeof(struct pvabi_gntdev_map_grant_ref))

struct pvabi_gntdev_unmap_grant_ref {
    uint64_t index;           /* as MAP_GRANT_REF answered */
    uint32_t count;
    uint32_t pad;
};
#define PVABI_IOCTL_GNTDEV_UNMAP_GRANT_REF \
    PVABI_LINUX_IOC_NONE('G', 1, sizeof(struct pvabi_gntdev_unmap_grant_ref))

/*
 * When the mapping at index goes (even because the process died), clear
 * the byte at index (UNMAP_NOTIFY_CLEAR_BYTE) and/or send an event on
 * event_channel_port (UNMAP_NOTIFY_SEND_EVENT).
 */
struct pvabi_gntdev_unmap_notify {
    uint64_t index;
    uint32_t action;
    uint32_t event_channel_port;
};
#define PVABI_IOCTL_GNTDEV_SET_UNMAP_NOTIFY \
    PVABI_LINUX_IOC_NONE('G', 7, sizeof(struct pvabi_gntdev_unmap_notify))
#define PVABI_GNTDEV_UNMAP_NOTIFY_CLEAR_BYTE 0x1
#define PVABI_GNTDEV_UNMAP_NOTIFY_SEND_EVENT 0x2

_Static_assert(sizeof(struct pvabi_gntdev_map_grant_ref) == 24, "gntdev map_grant_ref");
_Static_assert(sizeof(struct pvabi_gntdev_unmap_grant_ref) == 16, "gntdev unmap_grant_ref");
_Static_assert(PVABI_IOCTL_GNTDEV_MAP_GRANT_REF == 0x00184700, "IOCTL_GNTDEV_MAP_GRANT_REF");
_Static_assert(PVABI_IOCTL_GNTDEV_UNMAP_GRANT_REF == 0x00104701, "IOCTL_GNTDEV_UNMAP_GRANT_REF");

#endif /* PVABI_LINUX_GNTDEV_H */
