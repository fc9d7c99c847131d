/*
 * pvabi/linux/ against the Linux uapi headers Debian ships in libxen-dev
 * (/usr/include/xen/sys/): the same ioctl numbers and structure layouts,
 * checked at compile time. Building this file is the test.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>

typedef uint16_t domid_t;   /* xen/sys/evtchn.h expects it defined */
#include <xen/sys/evtchn.h>
#include <xen/sys/gntdev.h>

#include <pvabi/linux/evtchn.h>
#include <pvabi/linux/gntdev.h>

#define SAME_IOCTL(name) _Static_assert(name == PVABI_##name, #name)
#define SAME_SIZE(ours, theirs) _Static_assert(sizeof(struct ours) == sizeof(struct theirs), #ours)
#define SAME_FIELD(ours, theirs, f) \
    _Static_assert(offsetof(struct ours, f) == offsetof(struct theirs, f), #ours "." #f)

SAME_IOCTL(IOCTL_EVTCHN_BIND_VIRQ);
SAME_IOCTL(IOCTL_EVTCHN_BIND_INTERDOMAIN);
SAME_IOCTL(IOCTL_EVTCHN_BIND_UNBOUND_PORT);
SAME_IOCTL(IOCTL_EVTCHN_UNBIND);
SAME_IOCTL(IOCTL_EVTCHN_NOTIFY);
SAME_IOCTL(IOCTL_EVTCHN_RESET);
SAME_IOCTL(IOCTL_EVTCHN_RESTRICT_DOMID);
SAME_IOCTL(IOCTL_GNTDEV_MAP_GRANT_REF);
SAME_IOCTL(IOCTL_GNTDEV_UNMAP_GRANT_REF);
SAME_IOCTL(IOCTL_GNTDEV_SET_UNMAP_NOTIFY);
_Static_assert(UNMAP_NOTIFY_CLEAR_BYTE == PVABI_GNTDEV_UNMAP_NOTIFY_CLEAR_BYTE, "clear byte");
_Static_assert(UNMAP_NOTIFY_SEND_EVENT == PVABI_GNTDEV_UNMAP_NOTIFY_SEND_EVENT, "send event");

SAME_SIZE(pvabi_evtchn_bind_virq, ioctl_evtchn_bind_virq);
SAME_SIZE(pvabi_evtchn_bind_interdomain, ioctl_evtchn_bind_interdomain);
SAME_FIELD(pvabi_evtchn_bind_interdomain, ioctl_evtchn_bind_interdomain, remote_port);
SAME_SIZE(pvabi_evtchn_unbind, ioctl_evtchn_unbind);
SAME_SIZE(pvabi_evtchn_notify, ioctl_evtchn_notify);
SAME_SIZE(pvabi_gntdev_grant_ref, ioctl_gntdev_grant_ref);
SAME_FIELD(pvabi_gntdev_grant_ref, ioctl_gntdev_grant_ref, ref);
SAME_SIZE(pvabi_gntdev_map_grant_ref, ioctl_gntdev_map_grant_ref);
SAME_FIELD(pvabi_gntdev_map_grant_ref, ioctl_gntdev_map_grant_ref, index);
SAME_FIELD(pvabi_gntdev_map_grant_ref, ioctl_gntdev_map_grant_ref, refs);
SAME_SIZE(pvabi_gntdev_unmap_grant_ref, ioctl_gntdev_unmap_grant_ref);
SAME_FIELD(pvabi_gntdev_unmap_grant_ref, ioctl_gntdev_unmap_grant_ref, count);
SAME_SIZE(pvabi_gntdev_unmap_notify, ioctl_gntdev_unmap_notify);
SAME_FIELD(pvabi_gntdev_unmap_notify, ioctl_gntdev_unmap_notify, event_channel_port);

int main(void)
{
    return 0;
}
