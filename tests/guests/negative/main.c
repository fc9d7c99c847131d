/*
 * Negative tests: hypercalls with bad pointers, out-of-range ports and
 * grant references, unknown operations, other domains' objects, and
 * writable mappings of our own page tables. Each must fail with the error
 * real Xen 4.17 gives, and the domain must carry on afterwards.
 */
#include "guest.h"

const char test_title[] = "negative tests";

#define HV_ADDR   0xffff830000000000UL   /* hypervisor direct map */
#define UNMAPPED  0x40000000000UL       /* canonical, never mapped here */
#define NO_DOMAIN 0x7000                /* a domain id nobody has */

static bool initial_domain(void)
{
    return guest_start_info->flags & SIF_INITDOMAIN;
}

static void bad_pointers(void)
{
    /* Xen checks the privilege to use console_io before the buffer: a
     * domU of a release build gets -EPERM either way. */
    long want = initial_domain() ? -XEN_EFAULT : -XEN_EPERM;
    CHECK_EQ(hyp_console_io(CONSOLEIO_write, 16, (const char *)HV_ADDR), want,
             "console_io from a hypervisor address");
    CHECK_EQ(hyp_console_io(CONSOLEIO_write, 16, (const char *)UNMAPPED), want,
             "console_io from an unmapped address");
    CHECK_EQ(hyp_xen_version(XENVER_extraversion, (void *)UNMAPPED), -XEN_EFAULT,
             "xen_version into an unmapped buffer");
    CHECK_EQ(hyp_xen_version(XENVER_capabilities, (void *)HV_ADDR), -XEN_EFAULT,
             "xen_version into hypervisor memory");
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_send, (void *)UNMAPPED), -XEN_EFAULT,
             "event_channel_op with an unmapped argument");
    CHECK_EQ(hyp_sched_op(SCHEDOP_shutdown, (void *)UNMAPPED), -XEN_EFAULT,
             "sched_op shutdown with an unmapped argument");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_get_runstate_info, 0, (void *)HV_ADDR), -XEN_EFAULT,
             "runstate into hypervisor memory");
    CHECK_EQ(hyp_memory_op(XENMEM_memory_map, (void *)UNMAPPED), -XEN_EFAULT,
             "memory_map with an unmapped argument");
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_query_size, (void *)UNMAPPED, 1), -XEN_EFAULT,
             "grant_table_op with an unmapped argument");
    CHECK_EQ(hyp_set_trap_table((const struct trap_info *)UNMAPPED), -XEN_EFAULT,
             "set_trap_table from an unmapped table");
    CHECK_EQ(hyp_callback_op(CALLBACKOP_register, (void *)UNMAPPED), -XEN_EFAULT,
             "callback_op with an unmapped argument");

    /* A memory map into a buffer that is not mapped. The initial domain has
     * no pseudo-physical map of its own (XENMEM_memory_map is -ENOSYS for it
     * on Xen); it reads the machine map instead. */
    unsigned int map_cmd = (guest_start_info->flags & SIF_INITDOMAIN) ?
                           XENMEM_machine_memory_map : XENMEM_memory_map;
    struct xen_memory_map mm = { .nr_entries = 64 };
    set_xen_guest_handle(mm.buffer, (void *)UNMAPPED);
    CHECK_EQ(hyp_memory_op(map_cmd, &mm), -XEN_EFAULT, "memory map into an unmapped buffer");

    /* Poll with its port array unmapped. */
    struct sched_poll poll = { .nr_ports = 1, .timeout = 1 };
    set_xen_guest_handle(poll.ports, (evtchn_port_t *)UNMAPPED);
    CHECK_EQ(hyp_sched_op(SCHEDOP_poll, &poll), -XEN_EFAULT, "poll with unmapped ports");
}

static void event_channels(void)
{
    CHECK_EQ(evtchn_send_port(EVTCHN_2L_NR_CHANNELS), -XEN_EINVAL, "send on port 4096");
    CHECK_EQ(evtchn_send_port(0xffffffffu), -XEN_EINVAL, "send on port 2^32-1");
    CHECK_EQ(evtchn_send_port(4000), -XEN_EINVAL, "send on a never-allocated port");
    CHECK_EQ(evtchn_close_port(100000), -XEN_EINVAL, "close port 100000");
    struct evtchn_status st = { .dom = DOMID_SELF, .port = 5000 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), -XEN_EINVAL, "status of port 5000");
    struct evtchn_unmask um = { .port = 99999 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_unmask, &um), -XEN_EINVAL, "unmask port 99999");
    struct evtchn_bind_virq bv = { .virq = NR_VIRQS + 5, .vcpu = 0 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL, "bind a VIRQ past NR_VIRQS");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 1000 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), -XEN_ENOENT, "bind VIRQ_TIMER on vCPU 1000");
    struct evtchn_bind_ipi bi = { .vcpu = 1000 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &bi), -XEN_ENOENT, "bind_ipi to vCPU 1000");
    struct evtchn_alloc_unbound au = { .dom = NO_DOMAIN, .remote_dom = DOMID_SELF };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_ESRCH,
             "alloc_unbound in a domain that does not exist");
    struct evtchn_bind_interdomain bd = { .remote_dom = NO_DOMAIN, .remote_port = 1 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bd), -XEN_ESRCH,
             "bind_interdomain to a domain that does not exist");
    /* An interdomain bind to one of our ports that is not unbound. */
    struct evtchn_bind_ipi own = { .vcpu = 0 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_ipi, &own), 0, "bind_ipi");
    bd = (struct evtchn_bind_interdomain){ .remote_dom = DOMID_SELF, .remote_port = own.port };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bd), -XEN_EINVAL,
             "bind_interdomain to a port that is not unbound");
    evtchn_close_port(own.port);
    CHECK_EQ(hyp_event_channel_op(99, &st), -XEN_ENOSYS, "event_channel_op 99");
}

static void grants(void)
{
    xen_pfn_t frame;
    struct gnttab_setup_table st = { .dom = NO_DOMAIN, .nr_frames = 1 };
    set_xen_guest_handle(st.frame_list, &frame);
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table, no domain: hypercall");
    CHECK_EQ(st.status, GNTST_bad_domain, "setup_table for a domain that does not exist");
    st = (struct gnttab_setup_table){ .dom = DOMID_SELF, .nr_frames = 100000 };
    set_xen_guest_handle(st.frame_list, &frame);
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table, huge: hypercall");
    CHECK_EQ(st.status, GNTST_general_error, "setup_table asking for 100000 frames");

    static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    struct gnttab_map_grant_ref m = { .host_addr = (unsigned long)window,
                                      .flags = GNTMAP_host_map, .ref = 0, .dom = NO_DOMAIN };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "map, no domain: hypercall");
    CHECK_EQ(m.status, GNTST_bad_domain, "map_grant_ref from a domain that does not exist");
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)window,
                                       .flags = GNTMAP_host_map, .ref = 0xffffffffu,
                                       .dom = guest_domid };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "map, bad ref: hypercall");
    CHECK_EQ(m.status, GNTST_bad_gntref, "map_grant_ref of ref 2^32-1");
    m.ref = 9;      /* in range, never granted */
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "map, idle ref: hypercall");
    CHECK(m.status != GNTST_okay, "map_grant_ref of an idle ref succeeded");
    m = (struct gnttab_map_grant_ref){ .host_addr = (unsigned long)window, .flags = 0,
                                       .ref = 9, .dom = guest_domid };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_map_grant_ref, &m, 1), 0, "map, no flags: hypercall");
    CHECK_EQ(m.status, GNTST_bad_gntref, "map_grant_ref with neither host nor device map");

    struct gnttab_copy c = {
        .source = { .u.ref = 0x7fffffff, .domid = guest_domid },
        .dest = { .u.gmfn = virt_to_mfn(window), .domid = DOMID_SELF },
        .len = 8, .flags = GNTCOPY_source_gref,
    };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_copy, &c, 1), 0, "copy, bad ref: hypercall");
    CHECK_EQ(c.status, GNTST_bad_gntref, "copy from ref 2^31-1");
    c = (struct gnttab_copy){
        .source = { .u.gmfn = virt_to_mfn(window), .domid = DOMID_SELF },
        .dest = { .u.gmfn = virt_to_mfn(window), .domid = NO_DOMAIN },
        .len = 8,
    };
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_copy, &c, 1), 0, "copy, no domain: hypercall");
    CHECK_EQ(c.status, GNTST_bad_domain, "copy into a domain that does not exist");
    CHECK_EQ(hyp_grant_table_op(99, &c, 1), -XEN_ENOSYS, "grant_table_op 99");
}

static void memory_and_mmu(void)
{
    domid_t other = NO_DOMAIN;
    CHECK_EQ(hyp_memory_op(XENMEM_current_reservation, &other), -XEN_ESRCH,
             "current_reservation of a domain that does not exist");
    domid_t self = DOMID_SELF;
    long pages = hyp_memory_op(XENMEM_current_reservation, &self);
    CHECK(pages > 0 && (unsigned long)pages <= guest_start_info->nr_pages + 16,
          "current_reservation of ourselves: %ld (start_info says %lu)", pages,
          guest_start_info->nr_pages);
    CHECK_EQ(hyp_memory_op(99, NULL), -XEN_ENOSYS, "memory_op 99");

    /* Our L4 is a page table: no writable mapping of it may exist. Xen
     * refuses the conflicting page type with -EBUSY. */
    static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    unsigned long l4_mfn = virt_to_mfn((void *)guest_start_info->pt_base);
    long rc = map_machine_page(window, l4_mfn, PTE_KERNEL_RW);
    CHECK(rc == -XEN_EBUSY, "writable mapping of our own L4: got %ld, want -EBUSY", rc);
    rc = map_machine_page(window, l4_mfn, PTE_KERNEL_RO);
    CHECK_EQ(rc, 0, "read-only mapping of our own L4");
    CHECK(memcmp(window, (void *)guest_start_info->pt_base, PAGE_SIZE) == 0,
          "read-only view of the L4 differs");
    CHECK_EQ(unmap_machine_page(window), 0, "restore the window");

    /* A writable mapping of a frame of the read-only m2p table, which
     * belongs to the hypervisor. */
    xen_pfn_t m2p_frames[1];
    struct xen_machphys_mfn_list ml = { .max_extents = 1 };
    set_xen_guest_handle(ml.extent_start, m2p_frames);
    CHECK_EQ(hyp_memory_op(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list");
    if (ml.nr_extents == 1) {
        rc = map_machine_page(window, m2p_frames[0], PTE_KERNEL_RW);
        CHECK(rc == -XEN_EBUSY, "writable mapping of an m2p frame: got %ld, want -EBUSY", rc);
        unmap_machine_page(window);
    }

    /* mmu_update with an unaligned/garbage machine address. */
    struct mmu_update req = { .ptr = 0xdeadbeef000ULL | MMU_NORMAL_PT_UPDATE, .val = 0 };
    unsigned int done = 99;
    rc = hyp_mmu_update(&req, 1, &done, DOMID_SELF);
    CHECK(rc < 0, "mmu_update of a PTE at a garbage address succeeded");
    CHECK_EQ(done, 0, "mmu_update reported done");
    struct mmuext_op op = { .cmd = 63 };
    CHECK(hyp_mmuext_op(&op, 1, NULL, DOMID_SELF) < 0, "mmuext_op 63 accepted");
}

/*
 * Firmware is not RAM: the control domain may map it (the BIOS's reset
 * vector, a far jump, sits at 0xFFFF0), other domains may not.
 */
static void firmware_mapping(void)
{
    static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    long rc = map_machine_page(window, 0xFF, PTE_KERNEL_RO);
    if (initial_domain()) {
        if (CHECK_EQ(rc, 0, "the control domain maps the BIOS frame 0xff read-only")) {
            uint8_t op = ((volatile uint8_t *)window)[0xFF0];
            CHECK(op == 0xEA, "byte at the reset vector is %#x, want 0xea (ljmp)", op);
        }
    } else {
        CHECK(rc < 0, "a domU mapped the BIOS frame 0xff");
    }
    if (rc == 0)
        unmap_machine_page(window);
    /* The local APIC is the hypervisor's, even for the control domain. */
    rc = map_machine_page(window, 0xFEE00, PTE_KERNEL_RW);
    CHECK(rc < 0, "mapping the local APIC page 0xfee00000 succeeded");
    if (rc == 0)
        unmap_machine_page(window);
}

/* The newer hypercalls with bad arguments: nothing happens, a clear error. */
static void newer_hypercalls(void)
{
    CHECK_EQ(hyp_memory_op(XENMEM_exchange, (void *)UNMAPPED), -XEN_EFAULT,
             "XENMEM_exchange with an unmapped argument");
    xen_pfn_t in = 0, out = 0;
    struct xen_memory_exchange x = {
        .in = { .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
        .out = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF },
    };
    set_xen_guest_handle(x.in.extent_start, &in);
    set_xen_guest_handle(x.out.extent_start, &out);
    CHECK_EQ(hyp_memory_op(XENMEM_exchange, &x), -XEN_EINVAL,
             "XENMEM_exchange of 2 pages for 1");
    CHECK_EQ(hypercall1(__HYPERVISOR_platform_op, UNMAPPED), -XEN_EFAULT,
             "platform_op with an unmapped argument");
    CHECK_EQ(hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_set_iopl, UNMAPPED), -XEN_EFAULT,
             "physdev_op set_iopl with an unmapped argument");
    CHECK_EQ(hypercall2(__HYPERVISOR_set_gdt, UNMAPPED, 16), -XEN_EFAULT,
             "set_gdt with an unmapped frame list");
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE, .arg1.mfn = 0x100 };
    CHECK(hyp_mmuext_op(&pin, 1, NULL, DOMID_SELF) < 0, "PIN_L1 of a frame that is not ours");
}

/*
 * Escapes a review found (issue 9). Bit 62 of an L1 entry is spare for
 * software: Tessera keeps it for its own grant mappings and refuses it in
 * a guest's entries (-EINVAL, as a debug build of Xen does), while Xen
 * 4.17's release build lets a guest set it on its own frames as an
 * ordinary bit. Either way it must change nothing about which frames a
 * guest may map (once it skipped Tessera's ownership check), and an
 * entry that carries it must stay the guest's to change.
 */
#define PTE_SPARE_BIT62 (1UL << 62)

static void spare_bit62_in_ptes(void)
{
    static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    xen_pfn_t m2p_frame = 0;
    struct xen_machphys_mfn_list ml = { .max_extents = 1 };
    set_xen_guest_handle(ml.extent_start, &m2p_frame);
    CHECK_EQ(hyp_memory_op(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list");

    window[0] = 'k';
    long rc = map_machine_page(window, m2p_frame, PTE_KERNEL_RW | PTE_SPARE_BIT62);
    printk("negative: update_va_mapping of an m2p frame with bit 62 -> %ld\n", rc);
    CHECK(rc == -XEN_EBUSY || rc == -XEN_EINVAL,
          "writable mapping of a hypervisor frame with bit 62: got %ld", rc);
    CHECK(((volatile char *)window)[0] == 'k', "the window no longer maps its own frame");

    rc = map_machine_page(window, virt_to_mfn(window), PTE_KERNEL_RW | PTE_SPARE_BIT62);
    printk("negative: update_va_mapping of our own frame with bit 62 -> %ld\n", rc);
    CHECK(rc == 0 || rc == -XEN_EINVAL, "mapping our own frame with bit 62: got %ld", rc);
    CHECK(((volatile char *)window)[0] == 'k', "the window lost its contents");
    CHECK_EQ(unmap_machine_page(window), 0, "an entry with bit 62 is replaced like any other");
}

/*
 * XENMEM_exchange naming one input frame twice: it must not be given (and
 * freed) twice, which would leave the domain more memory than its
 * reservation and free a frame someone else may get. Xen exchanges chunk
 * by chunk and stops at the second mention (-EINVAL, the first chunk
 * done); Tessera's exchange is all or nothing (-EINVAL, nothing done).
 * Either way the reservation holds and every frame is accounted for.
 */
static char exchange_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void exchange_same_frame_twice(void)
{
    domid_t self = DOMID_SELF;
    long before = hyp_memory_op(XENMEM_current_reservation, &self);
    unsigned long mfn = virt_to_mfn(exchange_page);
    unsigned long pfn = (unsigned long)exchange_page >> PAGE_SHIFT;
    exchange_page[0] = 'e';
    if (!CHECK_EQ(hyp_update_va_mapping((unsigned long)exchange_page, 0, UVMF_INVLPG | UVMF_LOCAL),
                  0, "unmap the page to exchange"))
        return;
    xen_pfn_t in[2] = { mfn, mfn }, out[2] = { pfn, pfn };
    struct xen_memory_exchange x = {
        .in = { .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
        .out = { .nr_extents = 2, .extent_order = 0, .domid = DOMID_SELF },
    };
    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, out);
    long rc = hyp_memory_op(XENMEM_exchange, &x);
    printk("negative: exchange of one frame twice -> %ld, %lu exchanged\n", rc,
           (unsigned long)x.nr_exchanged);
    CHECK_EQ(rc, -XEN_EINVAL, "XENMEM_exchange naming one frame twice");
    CHECK(x.nr_exchanged <= 1, "%lu extents exchanged with one frame named twice",
          (unsigned long)x.nr_exchanged);
    CHECK_EQ(hyp_memory_op(XENMEM_current_reservation, &self), before,
             "reservation after the refused exchange");
    if (x.nr_exchanged == 0) {
        CHECK_EQ(map_machine_page(exchange_page, mfn, PTE_KERNEL_RW), 0,
                 "the frame named twice is still ours");
        CHECK(((volatile char *)exchange_page)[0] == 'e', "the frame named twice lost its contents");
    } else {
        CHECK(map_machine_page(exchange_page, mfn, PTE_KERNEL_RO) < 0,
              "the frame exchanged once is still ours");
        CHECK(out[0] != mfn, "the new frame is the old one");
        CHECK_EQ(map_machine_page(exchange_page, out[0], PTE_KERNEL_RW), 0,
                 "the frame given in exchange is ours");
        ((unsigned long *)guest_start_info->mfn_list)[pfn] = out[0];
    }

    /* An extent order far past any limit, on either side, shifts nothing. */
    x = (struct xen_memory_exchange){
        .in = { .nr_extents = 1, .extent_order = 64, .domid = DOMID_SELF },
        .out = { .nr_extents = 1, .extent_order = 0, .domid = DOMID_SELF },
    };
    set_xen_guest_handle(x.in.extent_start, in);
    set_xen_guest_handle(x.out.extent_start, out);
    rc = hyp_memory_op(XENMEM_exchange, &x);
    printk("negative: exchange with input order 64 -> %ld\n", rc);
    CHECK(rc == -XEN_EPERM && x.nr_exchanged == 0, "XENMEM_exchange with input order 64 -> %ld", rc);
    x.in.extent_order = 0;
    x.out.extent_order = 200;
    rc = hyp_memory_op(XENMEM_exchange, &x);
    printk("negative: exchange with output order 200 -> %ld\n", rc);
    CHECK(rc == -XEN_EPERM && x.nr_exchanged == 0, "XENMEM_exchange with output order 200 -> %ld", rc);
}

static void scheduling_and_vcpus(void)
{
    CHECK_EQ(hyp_sched_op(99, NULL), -XEN_ENOSYS, "sched_op 99");
    evtchn_port_t ports[1] = { 1 };
    struct sched_poll poll = { .nr_ports = 1000, .timeout = 1 };
    set_xen_guest_handle(poll.ports, ports);
    CHECK_EQ(hyp_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL, "poll on 1000 ports");
    struct sched_remote_shutdown rs = { .domain_id = NO_DOMAIN, .reason = SHUTDOWN_poweroff };
    CHECK_EQ(hyp_sched_op(SCHEDOP_remote_shutdown, &rs), -XEN_ESRCH,
             "remote_shutdown of a domain that does not exist");
    CHECK_EQ(hyp_vcpu_op(99, 0, NULL), -XEN_ENOSYS, "vcpu_op 99");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_up, 5000, NULL), -XEN_ENOENT, "VCPUOP_up of vCPU 5000");
    struct vcpu_set_periodic_timer per = { .period_ns = 10000000 };
    CHECK_EQ(hyp_vcpu_op(VCPUOP_set_periodic_timer, 5000, &per), -XEN_ENOENT,
             "periodic timer on vCPU 5000");
    CHECK_EQ(hyp_vm_assist(VMASST_CMD_enable, 31), -XEN_EINVAL, "vm_assist of an unknown type");
    CHECK_EQ(hyp_vm_assist(7, VMASST_TYPE_writable_pagetables), -XEN_ENOSYS,
             "vm_assist with an unknown command");
    CHECK_EQ(hypercall1(60, 0), -XEN_ENOSYS, "hypercall 60");
}

/*
 * VCPUOP_initialise with one address of the context non-canonical: Xen
 * refuses the whole context with -EINVAL (a base that reached wrmsr would
 * fault in the hypervisor). Needs a second vCPU that is still down.
 */
static void initialise_non_canonical(void)
{
    static struct vcpu_guest_context ctx;
    static char stack[4096] __attribute__((aligned(16)));
    const unsigned long bad = 0x8000000000000000UL;
    static const char *const fields[] = {
        "fs_base", "gs_base_kernel", "gs_base_user", "rsp", "kernel_sp", "ldt_base",
    };

    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) != 0) {
        printk("negative: no offline vCPU 1: VCPUOP_initialise cases skipped\n");
        return;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++) {
        vcpu_context(&ctx, 1, NULL, stack + sizeof(stack));
        unsigned long *field[] = { &ctx.fs_base, &ctx.gs_base_kernel, &ctx.gs_base_user,
                                   &ctx.user_regs.rsp, &ctx.kernel_sp, &ctx.ldt_base };
        *field[i] = bad;
        char what[80];
        snprintf(what, sizeof(what), "VCPUOP_initialise with a non-canonical %s", fields[i]);
        CHECK_EQ(hyp_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL, what);
    }
    /* The LDT's base must be page-aligned and it has at most 8192 entries. */
    vcpu_context(&ctx, 1, NULL, stack + sizeof(stack));
    ctx.ldt_base = 0x1008;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL,
             "VCPUOP_initialise with a misaligned ldt_base");
    vcpu_context(&ctx, 1, NULL, stack + sizeof(stack));
    ctx.ldt_ents = 8193;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_initialise, 1, &ctx), -XEN_EINVAL,
             "VCPUOP_initialise with 8193 LDT entries");
    CHECK_EQ(hyp_vcpu_op(VCPUOP_is_up, 1, NULL), 0, "vCPU 1 still down after the refusals");
}

/*
 * VCPUOP_initialise with an FPU image (VGCF_I387_VALID): Xen 4.17 takes
 * the context's 512-byte fxsave image as the vCPU's x87/SSE state, and
 * vCPU 1 finds FCW 0x27f, MXCSR round-toward-zero 0x7f80 and XMM0's
 * pattern from it. (A vCPU is initialised once only, so one image; one
 * whose MXCSR has reserved bits, which faults when restored on hardware,
 * cannot be tried here anyway: QEMU's TCG restores it without a fault.)
 */
static volatile uint32_t seen_mxcsr, seen_fcw_word;
static volatile uint64_t seen_xmm0[2];
static volatile unsigned int fpu_vcpu_runs;

static void report_fpu(unsigned int vcpu)
{
    (void)vcpu;
    uint32_t mxcsr;
    uint16_t fcw;
    uint64_t xmm0[2];
    __asm__ volatile("stmxcsr %0; fnstcw %1; movdqu %%xmm0, %2"
                     : "=m"(mxcsr), "=m"(fcw), "=m"(xmm0));
    seen_mxcsr = mxcsr;
    seen_fcw_word = fcw;
    seen_xmm0[0] = xmm0[0];
    seen_xmm0[1] = xmm0[1];
    __atomic_fetch_add(&fpu_vcpu_runs, 1, __ATOMIC_RELEASE);
}

/* Starts vCPU 1 with this FPU image; false if it never ran. */
static bool start_with_fpu_image(uint16_t fcw, uint32_t mxcsr, const uint64_t xmm0[2],
                                 const char *what)
{
    static struct vcpu_guest_context ctx;
    static char stack[8192] __attribute__((aligned(16)));

    unsigned int runs = fpu_vcpu_runs;
    vcpu_context(&ctx, 1, report_fpu, stack + sizeof(stack));
    ctx.flags |= VGCF_I387_VALID;
    memcpy(ctx.fpu_ctxt.x + 0, &fcw, sizeof(fcw));
    memcpy(ctx.fpu_ctxt.x + 24, &mxcsr, sizeof(mxcsr));
    memcpy(ctx.fpu_ctxt.x + 160, xmm0, 16);
    if (!CHECK_EQ(hyp_vcpu_op(VCPUOP_initialise, 1, &ctx), 0, what))
        return false;
    CHECK_EQ(hyp_vcpu_op(VCPUOP_up, 1, NULL), 0, "VCPUOP_up of that vCPU");
    uint64_t deadline = system_time_ns() + 3000000000ull;
    while (__atomic_load_n(&fpu_vcpu_runs, __ATOMIC_ACQUIRE) == runs &&
           system_time_ns() < deadline)
        hyp_sched_op(SCHEDOP_yield, NULL);
    /* Down again (vcpu_start's wrapper takes it down when fn returns). */
    deadline = system_time_ns() + 3000000000ull;
    while (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) != 0 && system_time_ns() < deadline)
        hyp_sched_op(SCHEDOP_yield, NULL);
    printk("negative: %s: vCPU 1 ran with FCW %#x MXCSR %#x XMM0 %#lx:%#lx\n", what,
           seen_fcw_word, seen_mxcsr, (unsigned long)seen_xmm0[1], (unsigned long)seen_xmm0[0]);
    return CHECK(fpu_vcpu_runs != runs, "%s: vCPU 1 never ran", what);
}

static void initialise_fpu_image(void)
{
    static const uint64_t pattern[2] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };

    if (hyp_vcpu_op(VCPUOP_is_up, 1, NULL) != 0)
        return;
    if (start_with_fpu_image(0x027f, 0x7f80, pattern, "FPU image FCW 0x27f MXCSR 0x7f80")) {
        CHECK_EQ(seen_fcw_word, 0x027f, "vCPU 1's FCW from its image");
        CHECK_EQ(seen_mxcsr, 0x7f80, "vCPU 1's MXCSR from its image");
        CHECK(seen_xmm0[0] == pattern[0] && seen_xmm0[1] == pattern[1],
              "vCPU 1's XMM0 %#lx:%#lx, want its image's", (unsigned long)seen_xmm0[1],
              (unsigned long)seen_xmm0[0]);
    }
}

/* A trap handler at a non-canonical address would be iret'd to: -EINVAL. */
static void trap_table_non_canonical(void)
{
    static const struct trap_info bad[] = {
        { 15, 0, FLAT_KERNEL_CS, 0x8000000000000000UL },
        { 0, 0, 0, 0 },
    };
    CHECK_EQ(hyp_set_trap_table(bad), -XEN_EINVAL, "set_trap_table with a non-canonical handler");
}

/* An unprivileged domain reaching for another domain's objects (dom0's). */
static void other_domains_objects(void)
{
    if (initial_domain())
        return;     /* the initial domain is privileged: nothing to refuse */
    struct evtchn_status st = { .dom = 0, .port = 1 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_status, &st), -XEN_EPERM, "status of dom0's port");
    struct evtchn_alloc_unbound au = { .dom = 0, .remote_dom = DOMID_SELF };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_alloc_unbound, &au), -XEN_EPERM,
             "alloc_unbound in dom0");
    struct evtchn_reset er = { .dom = 0 };
    CHECK_EQ(hyp_event_channel_op(EVTCHNOP_reset, &er), -XEN_EPERM, "reset dom0's ports");
    xen_pfn_t frame;
    struct gnttab_setup_table gs = { .dom = 0, .nr_frames = 1 };
    set_xen_guest_handle(gs.frame_list, &frame);
    CHECK_EQ(hyp_grant_table_op(GNTTABOP_setup_table, &gs, 1), 0, "setup_table of dom0: hypercall");
    CHECK(gs.status != GNTST_okay, "setup_table of dom0's grant table succeeded");
    domid_t zero = 0;
    CHECK_EQ(hyp_memory_op(XENMEM_current_reservation, &zero), -XEN_EPERM,
             "current_reservation of dom0");
    xen_pfn_t extent = 0;
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = 0 };
    set_xen_guest_handle(r.extent_start, &extent);
    long grown = hyp_memory_op(XENMEM_increase_reservation, &r);
    CHECK(grown <= 0, "increase_reservation for dom0 from a domU added %ld extents", grown);
    struct sched_remote_shutdown rs = { .domain_id = 0, .reason = SHUTDOWN_poweroff };
    CHECK_EQ(hyp_sched_op(SCHEDOP_remote_shutdown, &rs), -XEN_EPERM, "remote_shutdown of dom0");
    /* Xen answers privileged xen_version sub-ops with the string
     * "<denied>" rather than an error. */
    static xen_commandline_t cmdline;
    CHECK_EQ(hyp_xen_version(XENVER_commandline, cmdline), 0, "XENVER_commandline from a domU");
    CHECK(!strncmp(cmdline, "<denied>", 8), "a domU read the hypervisor command line '%.40s'",
          cmdline);
    /* Mapping a frame we do not own: dom0's start of RAM. */
    static char window[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
    long rc = map_machine_page(window, 0x100, PTE_KERNEL_RO);
    CHECK(rc < 0, "mapping machine frame 0x100 (not ours) succeeded");
    if (rc == 0)
        unmap_machine_page(window);
    /*
     * Device interrupts are the control domain's: an MSI-X entry of a PCI
     * function (QEMU's first slot, 00:03.0) with a table in its BAR, and
     * announcing a PCI function, are refused to a domU, which gets no PIRQ.
     */
    struct physdev_map_pirq mp = { .domid = DOMID_SELF, .type = MAP_PIRQ_TYPE_MSI, .index = -1,
                                   .pirq = -1, .bus = 0, .devfn = 0x18, .entry_nr = 0,
                                   .table_base = 0xFEBC0000ull };
    rc = hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_map_pirq, (unsigned long)&mp);
    CHECK(rc < 0 && mp.pirq == -1, "a domU mapped an MSI-X entry: rc %ld, pirq %d", rc, mp.pirq);
    struct physdev_pci_device_add add = { .seg = 0, .bus = 0, .devfn = 0x18 };
    rc = hypercall2(__HYPERVISOR_physdev_op, PHYSDEVOP_pci_device_add, (unsigned long)&add);
    CHECK(rc < 0, "a domU announced PCI function 00:03.0: rc %ld", rc);
    printk("negative: unprivileged checks done\n");
}

/*
 * The control domain may shut another domain down: with "victim=N" on its
 * command line (a boot test gives it a domain that would block for ever),
 * SCHEDOP_remote_shutdown must succeed, the machine must go on, and
 * VIRQ_DOM_EXC must tell us.
 */
static void remote_shutdown_victim(void)
{
    long victim = cmdline_number("victim", -1);
    if (victim < 0 || !initial_domain())
        return;
    struct evtchn_bind_virq bv = { .virq = VIRQ_DOM_EXC, .vcpu = 0 };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_DOM_EXC"))
        return;
    struct sched_remote_shutdown rs = { .domain_id = (domid_t)victim, .reason = SHUTDOWN_poweroff };
    CHECK_EQ(hyp_sched_op(SCHEDOP_remote_shutdown, &rs), 0, "remote_shutdown of the victim");
    printk("negative: shut down domain %ld\n", victim);
    uint64_t deadline = system_time_ns() + 5000000000ULL;
    bool told = false;
    while (!(told = evtchn_test_and_clear_pending(bv.port)) && system_time_ns() < deadline)
        guest_sleep_ns(1000000);
    CHECK(told, "no VIRQ_DOM_EXC after shutting domain %ld down", victim);
    evtchn_close_port(bv.port);
}

void test_main(void)
{
    bad_pointers();
    other_domains_objects();
    event_channels();
    grants();
    memory_and_mmu();
    firmware_mapping();
    newer_hypercalls();
    spare_bit62_in_ptes();
    exchange_same_frame_twice();
    scheduling_and_vcpus();
    initialise_non_canonical();
    initialise_fpu_image();
    trap_table_non_canonical();
    remote_shutdown_victim();

    /* Still alive and well after all that. */
    CHECK(hyp_xen_version(XENVER_version, NULL) > 0, "xen_version after the negative tests");
    static const char msg[] = "negative: domain still running\n";
    if (initial_domain())
        CHECK(hyp_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg) >= 0, "console after the tests");
    else
        printk("%s", msg);
}
