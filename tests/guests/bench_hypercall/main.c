/*
 * Benchmark: the cost of a hypercall round trip and of an event-channel
 * round trip, in TSC cycles per iteration (and ns through the pvclock).
 * Prints "bench: <name> <cycles> cycles/iter <ns> ns/iter" lines; make
 * bench runs it on each hypervisor and compares.
 */
#include "guest.h"

const char test_title[] = "benchmark: hypercall and event round trips";

#define ITERS 20000

static void report(const char *name, uint64_t cycles, uint64_t ns, unsigned long iters)
{
    printk("bench: %s %lu cycles/iter %lu ns/iter (%lu iterations)\n", name,
           (unsigned long)(cycles / iters), (unsigned long)(ns / iters), iters);
}

static void measure(const char *name, long (*fn)(void), long want)
{
    uint64_t best_cycles = ~0ULL, best_ns = 0;
    /* Best of five runs: the emulator's own noise only ever adds time. */
    for (int run = 0; run < 5; run++) {
        uint64_t t0 = system_time_ns(), c0 = rdtsc_ordered();
        for (int i = 0; i < ITERS; i++) {
            long rc = fn();
            if (rc != want) {
                test_fail("%s returned %ld, want %ld", name, rc, want);
                return;
            }
        }
        uint64_t cycles = rdtsc_ordered() - c0, ns = system_time_ns() - t0;
        if (cycles < best_cycles) {
            best_cycles = cycles;
            best_ns = ns;
        }
    }
    report(name, best_cycles, best_ns, ITERS);
}

static long null_hypercall(void) { return hypercall1(60, 0); }      /* -ENOSYS at once */
static long version_hypercall(void) { return hyp_xen_version(XENVER_version, NULL) > 0; }

static evtchn_port_t port_a, port_b;
static long event_round_trip(void)
{
    /* Send to ourselves and take the upcall: a full delivery each time. */
    unsigned long before = guest_port_hits[port_a];
    long rc = evtchn_send_port(port_b);
    return rc == 0 && guest_port_hits[port_a] == before + 1;
}

void test_main(void)
{
    measure("null_hypercall", null_hypercall, -XEN_ENOSYS);
    measure("xen_version", version_hypercall, 1);

    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = guest_domid };
    hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc);
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF, .remote_port = alloc.port };
    if (hyp_event_channel_op(EVTCHNOP_bind_interdomain, &bind)) {
        test_error("cannot bind an event channel to ourselves");
        return;
    }
    port_a = alloc.port;
    port_b = bind.local_port;
    events_enable();
    measure("event_send_upcall", event_round_trip, 1);
    events_disable();
}
