/*
 * A vCPU context through domctl, as a toolstack's builder sets one: this
 * control domain creates a domain, gives it four frames (populate_physmap
 * for it), makes one its L4 (MMUEXT_PIN_L4_TABLE with foreigndom), puts
 * the hypercall page in another (hypercall_init: a data frame is taken, a
 * page table refused with -EPERM), sets vCPU 0's context with that L4 in
 * ctrlreg[3] and reads it back (getvcpucontext), then destroys the domain.
 * Needs another domain's memory from the hypervisor (foreign memory).
 */
#define PVABI_TOOLSTACK 1
#include "guest.h"
#include <pvabi/control/domctl.h>

const char test_title[] = "domctl: setvcpucontext/getvcpucontext round trip";

#define KBASE 0xffffffff80000000ul

static long domctl(struct xen_domctl *op)
{
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    return hypercall1(__HYPERVISOR_domctl, P(op));
}

static long simple(uint32_t cmd, domid_t id)
{
    struct xen_domctl op = { .cmd = cmd, .domain = id };
    return domctl(&op);
}

static long vcpuctx(uint32_t cmd, domid_t id, struct vcpu_guest_context *c)
{
    struct xen_domctl op = { .cmd = cmd, .domain = id };
    op.u.vcpucontext.vcpu = 0;
    op.u.vcpucontext.ctxt.p = c;
    return domctl(&op);
}

static long hypercall_init(domid_t id, xen_pfn_t mfn)
{
    struct xen_domctl op = { .cmd = XEN_DOMCTL_hypercall_init, .domain = id };
    op.u.hypercall_init.gmfn = mfn;
    return domctl(&op);
}

static struct vcpu_guest_context set, got;

static void fill(struct vcpu_guest_context *c, xen_pfn_t l4)
{
    memset(c, 0, sizeof(*c));
    c->flags = VGCF_in_kernel;                  /* not online: it stays down */
    c->user_regs.rip = KBASE + 0x1000;
    c->user_regs.rsp = KBASE + 0x2000;
    c->user_regs.rsi = KBASE + 0x3000;          /* start_info, as a builder passes it */
    c->user_regs.cs = FLAT_KERNEL_CS;
    c->user_regs.ss = FLAT_KERNEL_SS;
    c->user_regs.rflags = 0x200;
    c->kernel_ss = FLAT_KERNEL_SS;
    c->kernel_sp = KBASE + 0x4000;
    c->ctrlreg[3] = xen_pfn_to_cr3(l4);
    c->event_callback_eip = KBASE + 0x5000;
    c->failsafe_callback_eip = KBASE + 0x6000;
    c->syscall_callback_eip = KBASE + 0x7000;
    c->vm_assist = 1ul << VMASST_TYPE_writable_pagetables;
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
    memset(&op, 0, sizeof(op));
    op.cmd = XEN_DOMCTL_max_vcpus;
    op.domain = d;
    op.u.max_vcpus.max = 1;
    CHECK_EQ(domctl(&op), 0, "max_vcpus");
    op.cmd = XEN_DOMCTL_max_mem;
    op.u.max_mem.max_memkb = 4096;
    CHECK_EQ(domctl(&op), 0, "max_mem");

    /* Its first four frames; for a PV domain the machine frames come back. */
    static xen_pfn_t frames[4] = { 0, 1, 2, 3 };
    struct xen_memory_reservation r = { .nr_extents = 4, .extent_order = 0, .domid = d };
    r.extent_start.p = frames;
    if (!CHECK_EQ(hyp_memory_op(XENMEM_populate_physmap, &r), 4, "populate_physmap for it"))
        goto out;
    printk("domain %u: frames %#lx %#lx %#lx %#lx\n", d, frames[0], frames[1], frames[2], frames[3]);

    CHECK_EQ(hypercall_init(d, frames[1]), 0, "hypercall_init into its data frame");
    CHECK_EQ(hypercall_init(d, virt_to_mfn(&set)), -XEN_EINVAL, "hypercall_init into our frame");
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L4_TABLE };
    pin.arg1.mfn = frames[0];
    if (!CHECK_EQ(hyp_mmuext_op(&pin, 1, NULL, d), 0, "pin its L4 (foreigndom)"))
        goto out;
    CHECK_EQ(hypercall_init(d, frames[0]), -XEN_EPERM, "hypercall_init into its L4");

    CHECK_EQ(vcpuctx(XEN_DOMCTL_getvcpucontext, d, &got), -XEN_ENODATA, "getvcpucontext before a set");
    fill(&set, frames[0]);
    if (!CHECK_EQ(vcpuctx(XEN_DOMCTL_setvcpucontext, d, &set), 0, "setvcpucontext"))
        goto out;
    /* A different context for a vCPU that has one: Xen 4.17 refuses it. */
    fill(&set, frames[2]);
    CHECK_EQ(vcpuctx(XEN_DOMCTL_setvcpucontext, d, &set), -XEN_EOPNOTSUPP,
             "setvcpucontext again with another L4");
    fill(&set, frames[0]);
    memset(&got, 0xa5, sizeof(got));
    if (CHECK_EQ(vcpuctx(XEN_DOMCTL_getvcpucontext, d, &got), 0, "getvcpucontext")) {
        CHECK_EQ(got.user_regs.rip, set.user_regs.rip, "rip");
        CHECK_EQ(got.user_regs.rsp, set.user_regs.rsp, "rsp");
        CHECK_EQ(got.user_regs.rsi, set.user_regs.rsi, "rsi");
        CHECK_EQ(got.kernel_sp, set.kernel_sp, "kernel_sp");
        CHECK_EQ(got.kernel_ss, FLAT_KERNEL_SS, "kernel_ss");
        CHECK_EQ(got.ctrlreg[3], set.ctrlreg[3], "ctrlreg[3] (the L4)");
        CHECK_EQ(got.event_callback_eip, set.event_callback_eip, "event callback");
        CHECK_EQ(got.failsafe_callback_eip, set.failsafe_callback_eip, "failsafe callback");
        CHECK_EQ(got.syscall_callback_eip, set.syscall_callback_eip, "syscall callback");
        CHECK(got.flags & VGCF_in_kernel, "in kernel mode (flags %#lx)", got.flags);
        CHECK(!(got.flags & VGCF_online), "not online (flags %#lx)", got.flags);
        CHECK_EQ(got.vm_assist & (1ul << VMASST_TYPE_writable_pagetables),
                 1ul << VMASST_TYPE_writable_pagetables, "vm_assist");
    }
    struct xen_domctl info = { .cmd = XEN_DOMCTL_getdomaininfo, .domain = d };
    if (CHECK_EQ(domctl(&info), 0, "getdomaininfo")) {
        CHECK_EQ(info.u.getdomaininfo.tot_pages, 4, "its four frames");
        CHECK_EQ(info.u.getdomaininfo.nr_online_vcpus, 0, "vCPU 0 not online");
        CHECK_EQ(info.u.getdomaininfo.max_pages, 1024, "max_pages of 4 MiB");
    }
out:
    CHECK_EQ(simple(XEN_DOMCTL_destroydomain, d), 0, "destroydomain");
}
