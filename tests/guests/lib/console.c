/*
 * Console output. Two paths, as a PV guest has them:
 *  - HYPERVISOR_console_io(CONSOLEIO_write): the hypervisor's own console;
 *    real Xen allows it for the initial domain (and debug builds).
 *  - the start_info console ring (domU): bytes into xencons_interface.out,
 *    then an event on the console port; yields while the ring is full.
 * Kernel command line "console=io|ring|both" picks; the default is io, with
 * the ring as a fallback when console_io is refused.
 */
#include "guest.h"

enum { CONS_IO = 1, CONS_RING = 2 };
static unsigned int cons_paths = CONS_IO;
static struct xencons_interface *cons_ring;
static evtchn_port_t cons_port;
static char cons_ring_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void ring_setup(void)
{
    const start_info_t *si = guest_start_info;

    if ((si->flags & SIF_INITDOMAIN) || si->console.domU.mfn == 0)
        return;
    if (map_machine_page(cons_ring_page, si->console.domU.mfn, PTE_KERNEL_RW) != 0)
        return;
    cons_ring = (struct xencons_interface *)cons_ring_page;
    cons_port = si->console.domU.evtchn;
}

void console_setup(const char *cmdline)
{
    ring_setup();
    if (strstr(cmdline, "console=ring"))
        cons_paths = CONS_RING;
    else if (strstr(cmdline, "console=both"))
        cons_paths = CONS_IO | CONS_RING;
    if (!cons_ring)
        cons_paths = CONS_IO;
}

static void ring_write(const char *s, size_t len)
{
    struct xencons_interface *r = cons_ring;
    unsigned int spins = 0;

    while (len) {
        XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
        XENCONS_RING_IDX prod = r->out_prod;
        if (prod - cons >= sizeof(r->out)) {
            /* Full: let the consumer run; give up after a while rather than hang. */
            struct evtchn_send send = { .port = cons_port };
            hyp_event_channel_op(EVTCHNOP_send, &send);
            hyp_sched_op(SCHEDOP_yield, NULL);
            if (++spins > 100000)
                return;
            continue;
        }
        while (len && prod - cons < sizeof(r->out)) {
            r->out[MASK_XENCONS_IDX(prod, r->out)] = *s++;
            prod++;
            len--;
        }
        __atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
        struct evtchn_send send = { .port = cons_port };
        hyp_event_channel_op(EVTCHNOP_send, &send);
    }
}

void console_flush(void)
{
    /* The hypervisor drains rings on a timer: wait (yielding) until it has read ours. */
    for (unsigned int spins = 0; cons_ring && (cons_paths & CONS_RING) && spins < 100000; spins++) {
        if (__atomic_load_n(&cons_ring->out_cons, __ATOMIC_ACQUIRE) == cons_ring->out_prod)
            return;
        hyp_sched_op(SCHEDOP_yield, NULL);
    }
}

void console_write(const char *s, size_t len)
{
    if (cons_paths & CONS_IO) {
        if (hyp_console_io(CONSOLEIO_write, (int)len, s) < 0 && cons_ring) {
            cons_paths = CONS_RING;     /* refused: use the ring from now on */
            ring_write(s, len);
            return;
        }
    }
    if ((cons_paths & CONS_RING) && cons_ring)
        ring_write(s, len);
}
