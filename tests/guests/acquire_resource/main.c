/*
 * XENMEM_acquire_resource for another domain's grant table, as libxc seeds
 * a new domain's table (Linux's privcmd then maps the machine frames it
 * gets): this control domain creates a domain with four grant frames, asks
 * how many there can be (a null frame_list), acquires frame 0 (the frame
 * GNTTABOP_setup_table names too) and frames 1-3 (the table grows to four,
 * query_size says), and checks the refusals: a frame list past the table's
 * maximum or none asked, pad, a frame above 32 bits, the status frames of
 * a version-1 table, other ids, the ioreq-server and vmtrace resources of
 * a PV domain (-EINVAL), an unknown type (-EOPNOTSUPP), its own domain
 * (-EPERM), DOMID_SELF and a domain that does not exist (-ESRCH).
 */
#define PVABI_TOOLSTACK 1
#include "guest.h"
#include <pvabi/control/domctl.h>

const char test_title[] = "memory_op acquire_resource: a domain's grant-table frames";

static long domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_domctl, P(op));
}

static xen_pfn_t list[8];

static long acquire(domid_t d, uint16_t type, uint32_t id, uint64_t frame, uint32_t nr,
                    xen_pfn_t *frames, uint32_t *nr_out)
{
    struct xen_mem_acquire_resource r = { .domid = d, .type = type, .id = id,
                                          .nr_frames = nr, .frame = frame };
    set_xen_guest_handle(r.frame_list, frames);
    long rc = hyp_memory_op(XENMEM_acquire_resource, &r);
    if (nr_out)
        *nr_out = r.nr_frames;
    return rc;
}

void test_main(void)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_createdomain, .domain = 0xffff };
    op.u.createdomain.max_vcpus = 1;
    op.u.createdomain.max_evtchn_port = 1023;
    op.u.createdomain.max_grant_frames = 4;
    op.u.createdomain.max_maptrack_frames = 128;
    op.u.createdomain.grant_opts = XEN_DOMCTL_GRANT_version(1);
    if (!CHECK_EQ(domctl(&op), 0, "createdomain"))
        return;
    domid_t d = op.domain;
    const uint16_t GT = XENMEM_resource_grant_table;
    const uint32_t SHARED = XENMEM_resource_grant_table_id_shared;
    uint32_t nr = 0;

    CHECK_EQ(acquire(d, GT, SHARED, 0, 0, NULL, &nr), 0, "how many frames (null list)");
    CHECK_EQ(nr, 4, "max_grant_frames");
    CHECK_EQ(acquire(d, GT, SHARED, 0, 1, NULL, NULL), -XEN_EINVAL, "null list with a count");

    if (CHECK_EQ(acquire(d, GT, SHARED, 0, 1, list, NULL), 0, "frame 0")) {
        xen_pfn_t frame = ~0ul;
        struct gnttab_setup_table st = { .dom = d, .nr_frames = 1 };
        set_xen_guest_handle(st.frame_list, &frame);
        if (CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table") &&
            CHECK_EQ(st.status, GNTST_okay, "setup_table status"))
            CHECK(frame == list[0], "setup_table names %#lx, acquire gave %#lx", frame, list[0]);
    }
    list[0] = list[1] = list[2] = 0;
    if (CHECK_EQ(acquire(d, GT, SHARED, 1, 3, list, NULL), 0, "frames 1-3")) {
        CHECK(list[0] && list[1] && list[2] && list[0] != list[1] && list[1] != list[2],
              "three frames %#lx %#lx %#lx", list[0], list[1], list[2]);
        struct gnttab_query_size qs = { .dom = d };
        CHECK_EQ(hyp_grant_table_op(GNTTABOP_query_size, &qs, 1), 0, "query_size");
        CHECK_EQ(qs.nr_frames, 4, "the table grew to four frames");
    }
    CHECK_EQ(acquire(d, GT, SHARED, 3, 2, list, NULL), -XEN_EINVAL, "frames 3-4 of four");
    CHECK_EQ(acquire(d, GT, SHARED, 0, 0, list, NULL), -XEN_EINVAL, "no frame asked");
    CHECK_EQ(acquire(d, GT, SHARED, 1ul << 32, 1, list, NULL), -XEN_EINVAL, "frame 2^32");
    struct xen_mem_acquire_resource padded = { .domid = d, .type = GT, .nr_frames = 1, .pad = 1 };
    set_xen_guest_handle(padded.frame_list, list);
    CHECK_EQ(hyp_memory_op(XENMEM_acquire_resource, &padded), -XEN_EINVAL, "pad set");
    CHECK_EQ(acquire(d, GT, XENMEM_resource_grant_table_id_status, 0, 1, list, NULL), -XEN_EINVAL,
             "status frames of a version-1 table");
    CHECK_EQ(acquire(d, GT, 2, 0, 1, list, NULL), -XEN_EINVAL, "grant table id 2");
    CHECK_EQ(acquire(d, XENMEM_resource_ioreq_server, 0, 0, 1, list, NULL), -XEN_EINVAL,
             "ioreq server of a PV domain");
    CHECK_EQ(acquire(d, XENMEM_resource_vmtrace_buf, 0, 0, 1, list, NULL), -XEN_EINVAL,
             "vmtrace buffer (none)");
    CHECK_EQ(acquire(d, 9, 0, 0, 1, list, NULL), -XEN_EOPNOTSUPP, "resource type 9");
    CHECK_EQ(acquire(0, GT, SHARED, 0, 1, list, NULL), -XEN_EPERM, "its own domain");
    CHECK_EQ(acquire(DOMID_SELF, GT, SHARED, 0, 1, list, NULL), -XEN_ESRCH, "DOMID_SELF");
    CHECK_EQ(acquire(0x7000, GT, SHARED, 0, 1, list, NULL), -XEN_ESRCH, "no such domain");

    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_destroydomain;
    op.domain = d;
    CHECK_EQ(domctl(&op), 0, "destroydomain");
}
