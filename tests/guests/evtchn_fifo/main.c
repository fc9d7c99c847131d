/*
 * The FIFO event channel ABI: every refusal of init_control, expand_array
 * and set_priority (checked before, during and after the switch from
 * 2-level), a port pending on 2-level carried over, queue heads, LINK
 * fields and READY bits, delivery in priority order and FIFO order within
 * a priority through a FIFO upcall handler, mask/unmask redelivery, a port
 * past the event array delivered once its page is added, the 128-page
 * limit, and EVTCHNOP_reset back to 2-level (and FIFO again). Run as dom0
 * only: the reset would close a domU's console and xenstore ports.
 */
#include "guest.h"

const char test_title[] = "FIFO event channels";

#define WORDS_PER_PAGE EVTCHN_FIFO_EVENT_WORDS_PER_PAGE
#define W(bit) ((event_word_t)1 << (bit))
#define LINKED_PENDING (W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_LINKED))

static uint8_t control_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static event_word_t array_page[2][WORDS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));
static event_word_t spare_page[WORDS_PER_PAGE] __attribute__((aligned(PAGE_SIZE)));

static struct evtchn_fifo_control_block *const cb =
    (struct evtchn_fifo_control_block *)control_page;

/* What the upcall handler took off the queues, in order. */
static evtchn_port_t handled[64];
static volatile unsigned int nr_handled;
static evtchn_port_t local_head[EVTCHN_FIFO_MAX_QUEUES];

static long ev_op(int cmd, void *arg) { return hyp_event_channel_op(cmd, arg); }

static event_word_t *word_of(evtchn_port_t port)
{
    return &array_page[port / WORDS_PER_PAGE][port % WORDS_PER_PAGE];
}

static long init_control(uint64_t gfn, uint32_t offset, uint32_t vcpu, uint8_t *link_bits)
{
    struct evtchn_init_control op = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu,
                                      .link_bits = 0xaa };
    long rc = ev_op(EVTCHNOP_init_control, &op);
    if (link_bits)
        *link_bits = op.link_bits;
    return rc;
}

static long expand_array(uint64_t gfn)
{
    struct evtchn_expand_array op = { .array_gfn = gfn };
    return ev_op(EVTCHNOP_expand_array, &op);
}

static long set_priority(evtchn_port_t port, uint32_t priority)
{
    struct evtchn_set_priority op = { .port = port, .priority = priority };
    return ev_op(EVTCHNOP_set_priority, &op);
}

static evtchn_port_t bind_ipi(void)
{
    struct evtchn_bind_ipi op = { .vcpu = 0 };
    CHECK_EQ(ev_op(EVTCHNOP_bind_ipi, &op), 0, "bind_ipi");
    return op.port;
}

/*
 * Linux's way of taking one event: the head comes from our own copy, or
 * from the control block when the queue was empty; unlinking returns the
 * next port; an empty queue drops its READY bit.
 */
static void consume_one(unsigned int q)
{
    evtchn_port_t port = local_head[q];
    if (!port)
        port = __atomic_load_n(&cb->head[q], __ATOMIC_ACQUIRE);
    event_word_t *w = word_of(port);
    event_word_t old = __atomic_load_n(w, __ATOMIC_ACQUIRE), new;
    do {
        new = old & ~(W(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK);
    } while (!__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    evtchn_port_t next = old & EVTCHN_FIFO_LINK_MASK;
    if (!next)
        __atomic_fetch_and(&cb->ready, ~(1u << q), __ATOMIC_SEQ_CST);
    local_head[q] = next;
    if ((old & W(EVTCHN_FIFO_PENDING)) && !(old & W(EVTCHN_FIFO_MASKED))) {
        __atomic_fetch_and(w, ~W(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
        if (nr_handled < ARRAY_SIZE(handled))
            handled[nr_handled] = port;
        nr_handled++;
    }
}

/* The upcall once on FIFO: highest priority (lowest number) first. */
static void fifo_upcall(void)
{
    vcpu_info_t *vi = this_vcpu_info();

    while (__atomic_exchange_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_ACQ_REL)) {
        uint32_t ready;
        while ((ready = __atomic_load_n(&cb->ready, __ATOMIC_ACQUIRE)) != 0)
            consume_one((unsigned int)__builtin_ctz(ready));
    }
}

static void expect_handled(const evtchn_port_t *want, unsigned int n, const char *what)
{
    CHECK_EQ(nr_handled, n, what);
    for (unsigned int i = 0; i < n && i < nr_handled; i++)
        CHECK(handled[i] == want[i], "%s: event %u was port %u, want %u", what, i,
              handled[i], want[i]);
    nr_handled = 0;
}

/* Inside the first bucket of ports, never bound here. */
#define CLOSED_PORT 20

static void refusals_on_2level(evtchn_port_t bound)
{
    CHECK_EQ(expand_array(virt_to_mfn(array_page[0])), -XEN_EOPNOTSUPP,
             "expand_array on 2-level");
    CHECK_EQ(set_priority(bound, 3), -XEN_ENOSYS, "set_priority on 2-level");
    CHECK_EQ(set_priority(CLOSED_PORT, 3), -XEN_ENOSYS, "set_priority on 2-level, closed port");
    CHECK_EQ(set_priority(99999, 3), -XEN_EINVAL, "set_priority on a port out of range");

    /* EVTCHNOP_unmask leaves a closed port's mask bit alone. */
    evtchn_mask_port(CLOSED_PORT);
    evtchn_unmask_port(CLOSED_PORT);
    CHECK(guest_shared_info->evtchn_mask[0] & (1UL << CLOSED_PORT),
          "unmask cleared the mask of closed port %u", CLOSED_PORT);
    __atomic_fetch_and(&guest_shared_info->evtchn_mask[0], ~(1UL << CLOSED_PORT),
                       __ATOMIC_SEQ_CST);
}

static void init_control_refusals(void)
{
    uint64_t gfn = virt_to_mfn(control_page);
    uint8_t bits;

    CHECK_EQ(init_control(gfn, 0, 9999, &bits), -XEN_ENOENT, "init_control for vCPU 9999");
    CHECK_EQ(init_control(gfn, 0, XEN_LEGACY_MAX_VCPUS, &bits), -XEN_ENOENT,
             "init_control for vCPU 32");
    CHECK_EQ(init_control(gfn, PAGE_SIZE - sizeof(*cb) + 8, 0, &bits), -XEN_EINVAL,
             "init_control with the block crossing the page end");
    CHECK_EQ(init_control(gfn, PAGE_SIZE, 0, &bits), -XEN_EINVAL, "init_control at offset 4096");
    CHECK_EQ(init_control(gfn, 0xffffffffu, 0, &bits), -XEN_EINVAL,
             "init_control at offset 2^32-1");
    CHECK_EQ(init_control(gfn, 4, 0, &bits), -XEN_EINVAL, "init_control at offset 4");
    CHECK_EQ(init_control(gfn, PAGE_SIZE - sizeof(*cb) - 4, 0, &bits), -XEN_EINVAL,
             "init_control at the last offset, misaligned");
    CHECK_EQ(init_control(virt_to_mfn((void *)guest_start_info->pt_base), 0, 0, &bits),
             -XEN_EINVAL, "init_control in our L4 page table");
    CHECK_EQ(init_control(0xfffffffffULL, 0, 0, &bits), -XEN_EINVAL,
             "init_control in a frame that does not exist");
    CHECK_EQ(bits, 0xaa, "link_bits written back by a refused init_control");
    CHECK_EQ(ev_op(EVTCHNOP_init_control, (void *)0x40000000000UL), -XEN_EFAULT,
             "init_control with an unmapped argument");
}

/* A self pair with the bound end pending on 2-level, not yet seen. */
static evtchn_port_t pending_on_2level(void)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = guest_domid };
    CHECK_EQ(ev_op(EVTCHNOP_alloc_unbound, &alloc), 0, "alloc_unbound");
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = alloc.port };
    CHECK_EQ(ev_op(EVTCHNOP_bind_interdomain, &bind), 0, "bind_interdomain to self");
    /* the binding marked bind.local_port pending; the send marks alloc.port */
    CHECK_EQ(evtchn_send_port(bind.local_port), 0, "send on 2-level");
    CHECK(guest_shared_info->evtchn_pending[alloc.port / 64] & (1UL << (alloc.port % 64)),
          "port %u not pending on 2-level", alloc.port);
    evtchn_test_and_clear_pending(bind.local_port);
    return alloc.port;
}

static void switch_to_fifo(evtchn_port_t carried)
{
    uint8_t bits = 0;

    CHECK_EQ(init_control(virt_to_mfn(control_page), 0, 0, &bits), 0, "init_control");
    CHECK_EQ(bits, EVTCHN_FIFO_LINK_BITS, "link_bits");
    CHECK_EQ(init_control(virt_to_mfn(control_page), 0, 0, NULL), -XEN_EINVAL,
             "a second init_control for vCPU 0");
    CHECK_EQ(init_control(virt_to_mfn(spare_page), 0, 0, NULL), -XEN_EINVAL,
             "a second init_control for vCPU 0 in another page");

    /* No event words yet: the carried port waits. */
    CHECK_EQ(cb->ready, 0, "READY bits before any event array page");
    CHECK_EQ(set_priority(carried, EVTCHN_FIFO_PRIORITY_MIN + 1), -XEN_EINVAL,
             "set_priority 16");
    CHECK_EQ(set_priority(carried, 0xffffffffu), -XEN_EINVAL, "set_priority 2^32-1");
    /* Xen 4.17: ports not in use are -EACCES, checked before the priority. */
    CHECK_EQ(set_priority(0, 3), -XEN_EACCES, "set_priority on port 0");
    CHECK_EQ(set_priority(CLOSED_PORT, 3), -XEN_EACCES, "set_priority on a closed port");
    CHECK_EQ(set_priority(CLOSED_PORT, 99), -XEN_EACCES, "set_priority 99 on a closed port");
    CHECK_EQ(expand_array(0xfffffffffULL), -XEN_EINVAL, "expand_array with a frame that does not exist");
    CHECK_EQ(expand_array(virt_to_mfn((void *)guest_start_info->pt_base)), -XEN_EINVAL,
             "expand_array with our L4 page table");

    vcpu_info_t *vi = this_vcpu_info();
    vi->evtchn_upcall_pending = 0;
    CHECK_EQ(expand_array(virt_to_mfn(array_page[0])), 0, "expand_array");
    CHECK_EQ(*word_of(carried), LINKED_PENDING, "the carried port's event word");
    CHECK_EQ(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], carried, "head of the default queue");
    CHECK_EQ(cb->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT, "READY bits");
    CHECK_EQ(vi->evtchn_upcall_pending, 1, "upcall pending after the carried event");

    guest_upcall_handler = fifo_upcall;
    events_enable();
    events_disable();
    evtchn_port_t want[] = { carried };
    expect_handled(want, 1, "the carried event");
}

static void priority_order(void)
{
    static const uint32_t prio[] = { 12, 3, EVTCHN_FIFO_PRIORITY_MAX, EVTCHN_FIFO_PRIORITY_MIN };
    evtchn_port_t p[4];

    for (unsigned int i = 0; i < 4; i++) {
        p[i] = bind_ipi();
        CHECK_EQ(set_priority(p[i], prio[i]), 0, "set_priority");
    }
    /* Sent lowest priority first, with events off: every queue gets a head. */
    for (unsigned int i = 0; i < 4; i++)
        CHECK_EQ(evtchn_send_port(p[i]), 0, "send");
    for (unsigned int i = 0; i < 4; i++)
        CHECK(cb->head[prio[i]] == p[i], "head of queue %u is %u, want %u", prio[i],
              cb->head[prio[i]], p[i]);
    CHECK_EQ(cb->ready, (1u << 12) | (1u << 3) | 1u | (1u << 15), "READY bits for four queues");
    events_enable();
    events_disable();
    evtchn_port_t want[] = { p[2], p[1], p[0], p[3] };
    expect_handled(want, 4, "events by priority");

    /* One queue: FIFO order, through the LINK fields. */
    evtchn_port_t q[3] = { bind_ipi(), bind_ipi(), bind_ipi() };
    for (unsigned int i = 0; i < 3; i++)
        CHECK_EQ(set_priority(q[i], 5), 0, "set_priority 5");
    CHECK_EQ(evtchn_send_port(q[2]), 0, "send");
    CHECK_EQ(evtchn_send_port(q[0]), 0, "send");
    CHECK_EQ(evtchn_send_port(q[1]), 0, "send");
    CHECK_EQ(evtchn_send_port(q[0]), 0, "send again while pending");
    CHECK_EQ(cb->head[5], q[2], "head of queue 5");
    CHECK_EQ(*word_of(q[2]), LINKED_PENDING | q[0], "LINK of the first event");
    CHECK_EQ(*word_of(q[0]), LINKED_PENDING | q[1], "LINK of the second event");
    CHECK_EQ(*word_of(q[1]), LINKED_PENDING, "the tail's word");
    events_enable();
    events_disable();
    evtchn_port_t want_q[] = { q[2], q[0], q[1] };
    expect_handled(want_q, 3, "events in one queue");

    /* A new priority is for the next event. */
    CHECK_EQ(evtchn_send_port(q[0]), 0, "send");
    CHECK_EQ(set_priority(q[0], 1), 0, "set_priority 1");
    CHECK_EQ(cb->ready, 1u << 5, "READY after changing a queued port's priority");
    events_enable();
    events_disable();
    CHECK_EQ(evtchn_send_port(q[0]), 0, "send");
    CHECK_EQ(cb->ready, 1u << 1, "READY for the port's new priority");
    events_enable();
    events_disable();
    evtchn_port_t want_twice[] = { q[0], q[0] };
    expect_handled(want_twice, 2, "before and after set_priority");
}

static void mask_unmask(void)
{
    evtchn_port_t p = bind_ipi();
    __atomic_fetch_or(word_of(p), W(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    events_enable();
    CHECK_EQ(evtchn_send_port(p), 0, "send on a masked port");
    CHECK_EQ(nr_handled, 0, "events handled for a masked port");
    CHECK_EQ(*word_of(p), W(EVTCHN_FIFO_PENDING) | W(EVTCHN_FIFO_MASKED), "masked word");
    evtchn_unmask_port(p);          /* clears MASKED and relinks the pending event */
    evtchn_port_t want[] = { p };
    expect_handled(want, 1, "after EVTCHNOP_unmask");
    CHECK_EQ(*word_of(p), 0, "word after handling");
    /* unmasking a port that is not pending delivers nothing */
    __atomic_fetch_or(word_of(p), W(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
    evtchn_unmask_port(p);
    CHECK_EQ(nr_handled, 0, "events after unmasking an idle port");
    CHECK_EQ(*word_of(p), 0, "word after unmasking an idle port");
    /* nor does unmasking a closed port, pending or not */
    *word_of(CLOSED_PORT) = W(EVTCHN_FIFO_MASKED) | W(EVTCHN_FIFO_PENDING);
    evtchn_unmask_port(CLOSED_PORT);
    CHECK_EQ(*word_of(CLOSED_PORT), W(EVTCHN_FIFO_MASKED) | W(EVTCHN_FIFO_PENDING),
             "closed port's word after unmask");
    CHECK_EQ(nr_handled, 0, "events after unmasking a closed port");
    *word_of(CLOSED_PORT) = 0;
    events_disable();
}

/*
 * Ports past the event array: bound, but delivered only once their page
 * comes. A domain limited to fewer ports (as xl's default 1023 for a domU)
 * cannot have one; it still adds the second page and checks the page limit.
 */
static void beyond_the_array(void)
{
    evtchn_port_t p = 0;
    long rc = 0;
    for (unsigned int bound = 0; p < WORDS_PER_PAGE + 3 && bound < WORDS_PER_PAGE + 100; bound++) {
        struct evtchn_bind_ipi op = { .vcpu = 0 };
        if ((rc = ev_op(EVTCHNOP_bind_ipi, &op)) != 0)
            break;
        p = op.port;
    }
    if (rc == -XEN_ENOSPC && p < WORDS_PER_PAGE) {
        printk("evtchn_fifo: this domain may have no port past %u: not sending past the array\n", p);
        CHECK_EQ(expand_array(virt_to_mfn(array_page[1])), 0, "expand_array, second page");
        goto limit;
    }
    CHECK_EQ(rc, 0, "bind_ipi");
    CHECK(p >= WORDS_PER_PAGE, "could not bind past port %u (last %u)", WORDS_PER_PAGE, p);
    CHECK_EQ(set_priority(p, 2), 0, "set_priority past the array");
    CHECK_EQ(evtchn_send_port(p), 0, "send past the array");
    struct evtchn_unmask um = { .port = p };
    CHECK_EQ(ev_op(EVTCHNOP_unmask, &um), 0, "unmask past the array");
    CHECK_EQ(cb->ready, 0, "READY for a port with no event word");
    vcpu_info_t *vi = this_vcpu_info();
    CHECK_EQ(vi->evtchn_upcall_pending, 0, "upcall for a port with no event word");

    CHECK_EQ(expand_array(virt_to_mfn(array_page[1])), 0, "expand_array, second page");
    CHECK_EQ(*word_of(p), LINKED_PENDING, "the waiting port's word");
    CHECK_EQ(cb->ready, 1u << 2, "READY once the page is there");
    events_enable();
    events_disable();
    evtchn_port_t want[] = { p };
    expect_handled(want, 1, "the event raised before its page");

limit:;
    /* The page limit: 128 pages, counted whatever frames they are. */
    unsigned int pages = 2;
    while (pages < 200 && (rc = expand_array(virt_to_mfn(spare_page))) == 0)
        pages++;
    CHECK_EQ(rc, -XEN_ENOSPC, "expand_array past the limit");
    CHECK_EQ(pages, EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES, "event array pages");
    CHECK_EQ(expand_array(0xfffffffffULL), -XEN_ENOSPC, "a bad frame past the limit");
}

static void reset_to_2level(void)
{
    struct evtchn_reset r = { .dom = DOMID_SELF };
    CHECK_EQ(ev_op(EVTCHNOP_reset, &r), 0, "reset");
    guest_upcall_handler = NULL;
    evtchn_port_t p = bind_ipi();
    refusals_on_2level(p);
    CHECK_EQ(evtchn_send_port(p), 0, "send after reset");
    CHECK(guest_shared_info->evtchn_pending[p / 64] & (1UL << (p % 64)),
          "port %u not pending on 2-level after reset", p);
    evtchn_test_and_clear_pending(p);
    this_vcpu_info()->evtchn_upcall_pending = 0;
    this_vcpu_info()->evtchn_pending_sel = 0;

    /* FIFO again, with the same pages. */
    memset(control_page, 0, sizeof(control_page));
    memset(array_page, 0, sizeof(array_page));
    memset(local_head, 0, sizeof(local_head));
    CHECK_EQ(init_control(virt_to_mfn(control_page), 8, 0, NULL), 0, "init_control after reset");
    CHECK_EQ(expand_array(virt_to_mfn(array_page[0])), 0, "expand_array after reset");
    CHECK_EQ(evtchn_send_port(p), 0, "send on FIFO again");
    struct evtchn_fifo_control_block *cb8 = (void *)(control_page + 8);
    CHECK_EQ(cb8->head[EVTCHN_FIFO_PRIORITY_DEFAULT], p, "head in a block at offset 8");
    CHECK_EQ(cb8->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT, "READY in a block at offset 8");
    CHECK_EQ(ev_op(EVTCHNOP_reset, &r), 0, "reset again");
}

static long mmuext_mfn(unsigned int cmd, unsigned long mfn)
{
    struct mmuext_op op = { .cmd = cmd, .arg1.mfn = mfn };
    return hyp_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

/*
 * After EVTCHNOP_reset the hypervisor holds none of the FIFO frames any
 * more (Xen 4.17 puts its page and type references): the control block's
 * frame can become a page table, and the spare array page (expanded 126
 * times over) can be given back.
 */
static void frames_back_after_reset(void)
{
    unsigned long control_mfn = virt_to_mfn(control_page);
    memset(control_page, 0, sizeof(control_page));      /* valid (empty) L1 entries */
    CHECK_EQ(map_machine_page(control_page, control_mfn, PTE_KERNEL_RO), 0,
             "control page read-only");
    CHECK_EQ(mmuext_mfn(MMUEXT_PIN_L1_TABLE, control_mfn), 0,
             "pin the former control block's frame as an L1 table after reset");
    CHECK_EQ(mmuext_mfn(MMUEXT_UNPIN_TABLE, control_mfn), 0, "unpin it");
    CHECK_EQ(map_machine_page(control_page, control_mfn, PTE_KERNEL_RW), 0,
             "control page writable again");

    unsigned long array_mfn = virt_to_mfn(array_page[1]);
    CHECK_EQ(map_machine_page(array_page[1], array_mfn, PTE_KERNEL_RO), 0, "array page read-only");
    CHECK_EQ(mmuext_mfn(MMUEXT_PIN_L1_TABLE, array_mfn), 0,
             "pin a former event array frame as an L1 table after reset");
    CHECK_EQ(mmuext_mfn(MMUEXT_UNPIN_TABLE, array_mfn), 0, "unpin it");
    CHECK_EQ(map_machine_page(array_page[1], array_mfn, PTE_KERNEL_RW), 0,
             "array page writable again");

    xen_pfn_t extent = virt_to_mfn(spare_page);
    CHECK_EQ(unmap_machine_page(spare_page), 0, "unmap the spare array page");
    struct xen_memory_reservation r = { .nr_extents = 1, .domid = DOMID_SELF };
    set_xen_guest_handle(r.extent_start, &extent);
    CHECK_EQ(hyp_memory_op(XENMEM_decrease_reservation, &r), 1,
             "decrease_reservation of the spare array frame (held 126 times) after reset");
    printk("evtchn_fifo: after reset, frames %#lx and %#lx pinned as L1 and %#lx given back\n",
           control_mfn, array_mfn, (unsigned long)extent);
}

void test_main(void)
{
    events_disable();
    evtchn_port_t carried = pending_on_2level();
    refusals_on_2level(carried);
    init_control_refusals();
    refusals_on_2level(carried);        /* the refusals left us on 2-level */
    switch_to_fifo(carried);
    priority_order();
    mask_unmask();
    beyond_the_array();
    reset_to_2level();
    frames_back_after_reset();
    events_enable();
}
