/*
 * The toolstack's hypercalls from an unprivileged domain: every domctl
 * number (Xen 4.17's 1-86 and 1000-1003, retired ones too) on its own
 * domain and on dom0, and every sysctl number, answer -EPERM; a wrong
 * interface version is -EACCES before that, and a domain that does not
 * exist is -ESRCH (Xen looks the target up before it checks the caller).
 * Seven device-assignment ops Xen 4.17.7 refuses by their arguments
 * (-EINVAL, -EOPNOTSUPP) before it looks at the caller are accepted so.
 * Nothing is changed: dom0 is still there, unpaused, and this domain
 * still runs. As the initial domain (privileged) it skips.
 */
#define PVABI_TOOLSTACK 1
#include "guest.h"
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>

const char test_title[] = "domctl/sysctl refused to an unprivileged domain";

static long domctl(uint32_t cmd, domid_t dom, uint32_t version)
{
    struct xen_domctl op;
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = version;
    op.domain = dom;
    /* Fields some ops read, made plausible so that only the caller is wrong. */
    op.u.createdomain.max_vcpus = 1;
    return hypercall1(__HYPERVISOR_domctl, P(&op));
}

static long sysctl(uint32_t cmd, uint32_t version)
{
    struct xen_sysctl op;
    memset(&op, 0, sizeof(op));
    op.cmd = cmd;
    op.interface_version = version;
    return hypercall1(__HYPERVISOR_sysctl, P(&op));
}

/*
 * Xen 4.17.7 handles these without its generic permission check, each
 * judging its arguments first: from a domU with a zeroed payload they say
 * -EINVAL or -EOPNOTSUPP (measured on Debian's 4.17.7) and do nothing.
 * Tessera implements none of them and refuses them with -EPERM, as the rest.
 */
static bool checks_arguments_first(uint32_t cmd)
{
    switch (cmd) {
    case XEN_DOMCTL_ioport_permission:
    case XEN_DOMCTL_bind_pt_irq:
    case XEN_DOMCTL_memory_mapping:
    case XEN_DOMCTL_ioport_mapping:
    case XEN_DOMCTL_set_target:
    case XEN_DOMCTL_unbind_pt_irq:
    case XEN_DOMCTL_get_device_group:
        return true;
    default:
        return false;
    }
}

static unsigned denied(long rc, long want, const char *what, unsigned cmd, unsigned dom)
{
    if (rc == want)
        return 1;
    if (want == -XEN_EPERM && checks_arguments_first(cmd) &&
        (rc == -XEN_EINVAL || rc == -XEN_EOPNOTSUPP))
        return 1;
    test_fail("%s %u on domain %u: got %ld, want %ld", what, cmd, dom, rc, want);
    return 0;
}

void test_main(void)
{
    if (guest_start_info->flags & SIF_PRIVILEGED) {
        test_skip("the control domain may use domctl: run this as a domU");
        return;
    }
    domid_t self = guest_domid;
    unsigned ok = 0, calls = 0;

    printk("domctl_deny: domain %u\n", self);
    CHECK_EQ(domctl(XEN_DOMCTL_getdomaininfo, 0, XEN_DOMCTL_INTERFACE_VERSION - 1), -XEN_EACCES,
             "domctl with version 0x14");
    CHECK_EQ(sysctl(XEN_SYSCTL_physinfo, XEN_SYSCTL_INTERFACE_VERSION + 1), -XEN_EACCES,
             "sysctl with version 0x16");

    for (uint32_t cmd = 0; cmd <= 1003; cmd++) {
        if (cmd == 100)
            cmd = 1000;
        const domid_t targets[2] = { 0, self };
        for (unsigned t = 0; t < 2; t++, calls++)
            ok += denied(domctl(cmd, targets[t], XEN_DOMCTL_INTERFACE_VERSION), -XEN_EPERM,
                         "domctl", cmd, targets[t]);
    }
    /* No such domain: found missing before the caller is judged (not createdomain's case). */
    ok += denied(domctl(XEN_DOMCTL_pausedomain, 0x7000, XEN_DOMCTL_INTERFACE_VERSION),
                 -XEN_ESRCH, "domctl", XEN_DOMCTL_pausedomain, 0x7000);
    ok += denied(domctl(XEN_DOMCTL_createdomain, 0xffff, XEN_DOMCTL_INTERFACE_VERSION),
                 -XEN_EPERM, "domctl", XEN_DOMCTL_createdomain, 0xffff);
    calls += 2;
    for (uint32_t cmd = 0; cmd <= 40; cmd++, calls++)
        ok += denied(sysctl(cmd, XEN_SYSCTL_INTERFACE_VERSION), -XEN_EPERM, "sysctl", cmd, 0);

    /* Still ourselves, and dom0 still there: it answers an event channel status query. */
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 1 };
    CHECK(hyp_event_channel_op(EVTCHNOP_status, &st) == 0, "event channel status still works");
    CHECK(hyp_xen_version(XENVER_version, NULL) > 0, "xen_version still works");
    printk("domctl_deny: %u of %u calls refused as Xen refuses them\n", ok, calls);
}
