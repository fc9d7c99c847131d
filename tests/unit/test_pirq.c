/*
 * Event channel tests, part 5: the control domain's PIRQs (common/pirq.c)
 * on a fake machine of 24 GSIs. Who may map (the control domain only),
 * every argument check of map/unmap/setup_gsi/eoi/get_free, binding a PIRQ
 * to a port (the line unmasked), a level interrupt masked until the EOI,
 * an edge one never masked, a line nobody is bound to silenced, the EOI
 * bitmap page, closing and unmapping while interrupts arrive, and the
 * owner's death returning everything.
 */
#include <stdint.h>
#include <tessera/bitmap.h>
#include <tessera/errno.h>
#include <tessera/pirq.h>
#include <pvabi/physdev.h>
#include "evtchn_test.h"

#define NR_GSIS 24

static void pirq_setup(void)
{
    setup();
    pirq_init(NR_GSIS);
    for (unsigned g = 0; g < GSI_MAX; g++)
        fake_gsi_masked[g] = true;
    fake_gsi_programmed = 0;
}

static void pirq_teardown(void)
{
    pirq_domain_destroy(&dom0->d);
    CU_ASSERT_EQUAL(dom0->frames_held, 0);
    teardown();
}

static long bind_pirq(struct fake_domain *f, uint32_t pirq, evtchn_port_t *port)
{
    struct evtchn_bind_pirq op = { .pirq = pirq, .flags = BIND_PIRQ__WILL_SHARE };
    long rc = fake_hypercall(f, 0, EVTCHNOP_bind_pirq, &op);
    if (port)
        *port = op.port;
    return rc;
}

/* Frame i of dom0, held as PHYSDEVOP_pirq_eoi_gmfn_v2 holds it (released with the owner). */
static unsigned long *held_frame(unsigned i)
{
    void *page = NULL;
    fake_frame(dom0, i);
    CU_ASSERT_EQUAL(arch_guest_frame_hold(&dom0->d, fake_gfn(dom0, i), &page), 0);
    return page;
}

static int map(int gsi, int pirq)
{
    int p = pirq;
    long rc = pirq_map_gsi(&dom0->d, gsi, &p);
    return rc < 0 ? (int)rc : p;
}

static void test_only_the_control_domain(void)
{
    pirq_setup();
    int p = 10;
    uint32_t free_pirq, flags = 0;
    CU_ASSERT_EQUAL(pirq_map_gsi(&dom1->d, 10, &p), -EPERM);
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom1->d, 10, true, false), -EPERM);
    CU_ASSERT_EQUAL(pirq_get_free(&dom1->d, MAP_PIRQ_TYPE_GSI, &free_pirq), -EPERM);
    CU_ASSERT_EQUAL(bind_pirq(dom1, 10, NULL), -EPERM);
    CU_ASSERT_EQUAL(bind_pirq(dom1, PIRQ_MAX, NULL), -EINVAL);
    /* Mapped by dom0, still not dom1's to unmap, EOI or bind. */
    CU_ASSERT_EQUAL(map(10, 10), 10);
    CU_ASSERT_EQUAL(pirq_unmap(&dom1->d, 10), -EPERM);
    CU_ASSERT_EQUAL(pirq_eoi(&dom1->d, 10), -EINVAL);
    CU_ASSERT_EQUAL(bind_pirq(dom1, 10, NULL), -EPERM);
    /* Any domain may ask whether its PIRQs need an EOI, as on Xen. */
    CU_ASSERT_EQUAL(pirq_status_query(&dom1->d, 3, &flags), 0);
    CU_ASSERT_EQUAL(flags, XENIRQSTAT_needs_eoi);
    CU_ASSERT_EQUAL(pirq_status_query(&dom1->d, PIRQ_MAX, &flags), -EINVAL);
    pirq_teardown();
}

static void test_map_argument_checks(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(map(-1, 5), -EINVAL);
    CU_ASSERT_EQUAL(map(NR_GSIS, 5), -EINVAL);
    CU_ASSERT_EQUAL(map(5, PIRQ_MAX), -EINVAL);
    CU_ASSERT_EQUAL(map(5, 5), 5);
    CU_ASSERT_EQUAL(map(5, 5), 5);            /* the same again: nothing to do */
    CU_ASSERT_EQUAL(map(5, -1), 5);           /* "any": the GSI's own */
    CU_ASSERT_EQUAL(map(5, 6), -EBUSY);       /* the GSI has another PIRQ */
    CU_ASSERT_EQUAL(map(6, 5), -EBUSY);       /* the PIRQ has another GSI */
    CU_ASSERT_EQUAL(map(20, -1), 16);         /* dynamic GSI numbers start at 16 */
    CU_ASSERT_EQUAL(map(21, -1), 17);
    CU_ASSERT_TRUE(fake_gsi_masked[5]);       /* mapped, not bound: still masked */
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, 99), -EINVAL);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, -1), -EINVAL);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, PIRQ_MAX), -EINVAL);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, 5), 0);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, 5), -EINVAL);
    CU_ASSERT_EQUAL(map(6, 5), 5);            /* both free again */
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, PIRQ_MAX), -EINVAL);
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, 7), -EINVAL);   /* not mapped */
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, 5), 0);
    pirq_teardown();
}

static void test_setup_gsi(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, -1, true, true), -EINVAL);
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, NR_GSIS, true, true), -EINVAL);
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, 11, true, false), 0);
    CU_ASSERT_TRUE(fake_gsi_level[11]);
    CU_ASSERT_FALSE(fake_gsi_active_low[11]);
    CU_ASSERT_TRUE(fake_gsi_masked[11]);
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, 11, false, false), -EEXIST);
    CU_ASSERT_TRUE(fake_gsi_level[11]);
    /* Without setup_gsi a line takes the firmware's defaults when mapped. */
    pirq_gsi_set_default(9, true, false);
    CU_ASSERT_EQUAL(map(9, 9), 9);
    CU_ASSERT_TRUE(fake_gsi_level[9]);
    CU_ASSERT_EQUAL(map(4, 4), 4);
    CU_ASSERT_FALSE(fake_gsi_level[4]);       /* ISA: edge, active high */
    CU_ASSERT_FALSE(fake_gsi_active_low[4]);
    CU_ASSERT_EQUAL(map(17, 17), 17);
    CU_ASSERT_TRUE(fake_gsi_level[17]);       /* PCI: level, active low */
    CU_ASSERT_TRUE(fake_gsi_active_low[17]);
    pirq_teardown();
}

static void test_get_free(void)
{
    pirq_setup();
    uint32_t p = 0;
    CU_ASSERT_EQUAL(pirq_get_free(&dom0->d, MAP_PIRQ_TYPE_GSI, &p), 0);
    CU_ASSERT_EQUAL(p, 16);
    CU_ASSERT_EQUAL(map(3, 16), 16);
    CU_ASSERT_EQUAL(pirq_get_free(&dom0->d, MAP_PIRQ_TYPE_GSI, &p), 0);
    CU_ASSERT_EQUAL(p, 17);
    CU_ASSERT_EQUAL(pirq_get_free(&dom0->d, MAP_PIRQ_TYPE_MSI, &p), 0);
    CU_ASSERT_EQUAL(p, PIRQ_MAX - 1);         /* others from the top down */
    pirq_teardown();
}

static void test_level_interrupt_masked_until_eoi(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, 11, true, false), 0);
    CU_ASSERT_EQUAL(map(11, 11), 11);
    unsigned long *eoi_map = held_frame(0);
    CU_ASSERT_EQUAL(pirq_set_eoi_map(&dom0->d, eoi_map), 0);
    CU_ASSERT_EQUAL(pirq_set_eoi_map(&dom0->d, eoi_map), -EBUSY);
    CU_ASSERT_EQUAL(bind_pirq(dom0, 99, NULL), -EINVAL);     /* not mapped */
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, 11, &port), 0);
    CU_ASSERT_EQUAL(bind_pirq(dom0, 11, NULL), -EBUSY);
    CU_ASSERT_FALSE(fake_gsi_masked[11]);
    CU_ASSERT_TRUE(bitmap_test(eoi_map, 11));                /* level: needs an EOI */
    struct evtchn_status st;
    CU_ASSERT_EQUAL(ev_status(dom0, DOMID_SELF, port, &st), 0);
    CU_ASSERT_EQUAL(st.status, EVTCHNSTAT_pirq);
    CU_ASSERT_EQUAL(st.u.pirq, 11);

    CU_ASSERT_TRUE(pirq_gsi_interrupt(11));
    CU_ASSERT_TRUE(fake_gsi_masked[11]);                     /* silenced until the EOI */
    CU_ASSERT_FALSE(fake_pending(dom0, port));               /* delivered by the softirq */
    pirq_deliver_pending();
    CU_ASSERT_TRUE(fake_pending(dom0, port));
    CU_ASSERT_EQUAL(pirq_gsi_count(11), 1);
    fake_guest_ack_all(dom0);
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, 11), 0);
    CU_ASSERT_FALSE(fake_gsi_masked[11]);
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, 11), 0);              /* a second EOI changes nothing */
    CU_ASSERT_FALSE(fake_gsi_masked[11]);

    /* Closed: masked again, its EOI bit gone, a late interrupt goes nowhere. */
    CU_ASSERT_TRUE(pirq_gsi_interrupt(11));
    CU_ASSERT_EQUAL(ev_close(dom0, port), 0);
    CU_ASSERT_TRUE(fake_gsi_masked[11]);
    CU_ASSERT_FALSE(bitmap_test(eoi_map, 11));
    pirq_deliver_pending();
    CU_ASSERT_FALSE(fake_pending(dom0, port));
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, 11), 0);
    CU_ASSERT_TRUE(fake_gsi_masked[11]);                     /* an EOI does not unmask a closed line */
    CU_ASSERT_EQUAL(dom0->frames_held, 1);                   /* the EOI page, until the owner goes */
    pirq_teardown();
}

static void test_edge_interrupt_not_masked(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(map(1, 1), 1);
    unsigned long *eoi_map = held_frame(0);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, 1, &port), 0);
    CU_ASSERT_EQUAL(pirq_set_eoi_map(&dom0->d, eoi_map), 0);
    CU_ASSERT_FALSE(bitmap_test(eoi_map, 1));                /* edge: no EOI needed */
    for (int i = 0; i < 3; i++)
        CU_ASSERT_TRUE(pirq_gsi_interrupt(1));
    CU_ASSERT_FALSE(fake_gsi_masked[1]);
    pirq_deliver_pending();
    CU_ASSERT_TRUE(fake_pending(dom0, port));
    CU_ASSERT_EQUAL(pirq_gsi_count(1), 3);
    CU_ASSERT_EQUAL(ev_close(dom0, port), 0);
    pirq_teardown();
}

static void test_unbound_line_silenced(void)
{
    pirq_setup();
    fake_gsi_masked[7] = false;               /* as if the firmware left it open */
    CU_ASSERT_FALSE(pirq_gsi_interrupt(7));   /* not even mapped */
    CU_ASSERT_TRUE(fake_gsi_masked[7]);
    CU_ASSERT_EQUAL(map(8, 8), 8);
    CU_ASSERT_FALSE(pirq_gsi_interrupt(8));   /* mapped, not bound */
    CU_ASSERT_FALSE(pirq_gsi_interrupt(GSI_MAX));
    CU_ASSERT_EQUAL(pirq_gsi_count(7), 1);
    pirq_teardown();
}

static void test_unmap_while_bound(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(map(10, 10), 10);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, 10, &port), 0);
    CU_ASSERT_TRUE(pirq_gsi_interrupt(10));
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, 10), 0);
    CU_ASSERT_TRUE(fake_gsi_masked[10]);
    pirq_deliver_pending();
    CU_ASSERT_FALSE(fake_pending(dom0, port));   /* the queued interrupt went with the map */
    CU_ASSERT_FALSE(pirq_gsi_interrupt(10));
    /* Mapped again to another GSI: the old port does not hear of it. */
    CU_ASSERT_EQUAL(map(12, 10), 10);
    CU_ASSERT_EQUAL(status_of(dom0, port), EVTCHNSTAT_pirq);
    CU_ASSERT_EQUAL(ev_close(dom0, port), 0);
    evtchn_port_t port2;
    CU_ASSERT_EQUAL(bind_pirq(dom0, 10, &port2), 0);
    CU_ASSERT_FALSE(fake_gsi_masked[12]);
    CU_ASSERT_EQUAL(ev_close(dom0, port2), 0);
    pirq_teardown();
}

static void test_owner_death_returns_everything(void)
{
    pirq_setup();
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, 11, true, false), 0);
    CU_ASSERT_EQUAL(map(11, 11), 11);
    CU_ASSERT_EQUAL(pirq_set_eoi_map(&dom0->d, held_frame(1)), 0);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, 11, &port), 0);
    CU_ASSERT_TRUE(pirq_gsi_interrupt(11));
    /* As the hypervisor does when a domain shuts down: ports first, then PIRQs. */
    evtchn_domain_destroy(&dom0->d);
    CU_ASSERT_TRUE(fake_gsi_masked[11]);
    pirq_domain_destroy(&dom0->d);
    CU_ASSERT_EQUAL(dom0->frames_held, 0);
    pirq_deliver_pending();                   /* nothing left to deliver, nothing crashes */
    /* The line is free for a new owner, and may be set up afresh. */
    CU_ASSERT_EQUAL(pirq_setup_gsi(&dom0->d, 11, false, false), 0);
    teardown();
}

static void test_msi(void)
{
    pirq_setup();
    int p = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom1->d, 0, 0x18, &p), -EPERM);
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0x100, 0x18, &p), -EINVAL);
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x100, &p), -EINVAL);
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0xFF, &p), -ENODEV);   /* no MSI capability */
    p = PIRQ_MAX;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x18, &p), -EINVAL);
    CU_ASSERT_EQUAL(fake_msi_vectors_live, 0);
    p = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x18, &p), 0);
    CU_ASSERT_EQUAL(p, PIRQ_MAX - 1);                                /* from the top down */
    int again = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x18, &again), -EEXIST);
    CU_ASSERT_EQUAL(map(3, PIRQ_MAX - 1), -EBUSY);
    CU_ASSERT_TRUE(fake_msi_masked[0x18]);
    unsigned vector = 0xB0 + 0x18;

    /* Before the bind: masked again, nothing queued. */
    fake_msi_masked[0x18] = false;
    CU_ASSERT_FALSE(pirq_msi_interrupt(vector));
    CU_ASSERT_TRUE(fake_msi_masked[0x18]);
    unsigned long *eoi_map = held_frame(0);
    CU_ASSERT_EQUAL(pirq_set_eoi_map(&dom0->d, eoi_map), 0);
    evtchn_port_t port;
    CU_ASSERT_EQUAL(bind_pirq(dom0, (uint32_t)p, &port), 0);
    CU_ASSERT_FALSE(fake_msi_masked[0x18]);
    CU_ASSERT_FALSE(bitmap_test(eoi_map, (size_t)p));               /* an edge: no EOI */
    CU_ASSERT_TRUE(pirq_msi_interrupt(vector));
    CU_ASSERT_FALSE(pirq_msi_interrupt(0xEF));                       /* nobody's vector */
    CU_ASSERT_FALSE(fake_msi_masked[0x18]);
    pirq_deliver_pending();
    CU_ASSERT_TRUE(fake_pending(dom0, port));
    CU_ASSERT_EQUAL(pirq_eoi(&dom0->d, (uint32_t)p), 0);
    CU_ASSERT_EQUAL(ev_close(dom0, port), 0);
    CU_ASSERT_TRUE(fake_msi_masked[0x18]);
    CU_ASSERT_EQUAL(pirq_unmap(&dom0->d, p), 0);
    CU_ASSERT_EQUAL(fake_msi_vectors_live, 0);
    /* Mapped again, then left for the owner's death to undo. */
    p = -1;
    CU_ASSERT_EQUAL(pirq_map_msi(&dom0->d, 0, 0x18, &p), 0);
    pirq_teardown();
    CU_ASSERT_EQUAL(fake_msi_vectors_live, 0);
}

const struct unit_case pirq_cases[] = {
    UNIT_CASE(msi),
    UNIT_CASE(only_the_control_domain),
    UNIT_CASE(map_argument_checks),
    UNIT_CASE(setup_gsi),
    UNIT_CASE(get_free),
    UNIT_CASE(level_interrupt_masked_until_eoi),
    UNIT_CASE(edge_interrupt_not_masked),
    UNIT_CASE(unbound_line_silenced),
    UNIT_CASE(unmap_while_bound),
    UNIT_CASE(owner_death_returns_everything),
};
const size_t pirq_cases_n = ARRAY_SIZE_UNIT(pirq_cases);
