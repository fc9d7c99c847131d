/*
 * Shared by the event channel test files: the two fake domains every
 * test starts from (dom0 privileged with 2 vCPUs, dom1 with 3), setup and
 * teardown (which checks both domains' invariants and that every
 * allocation was returned), and one wrapper per hypercall returning its
 * result.
 */
#ifndef TESSERA_TEST_EVTCHN_TEST_H
#define TESSERA_TEST_EVTCHN_TEST_H

#include <stddef.h>
#include <stdint.h>
#include <tessera/event_channel.h>
#include "evtchn_fakes.h"
#include "unit.h"

#define ARRAY_SIZE_UNIT(a) (sizeof(a) / sizeof((a)[0]))

extern struct fake_domain *dom0, *dom1;

/* evtchn_domain_check must pass (a CUnit failure, with the reason, if not). */
void check_invariants(struct fake_domain *f);
/* Fresh dom0 and dom1, stubs reset. */
void setup(void);
/* Invariants of both, release both, every allocation returned. */
void teardown(void);

/* EVTCHNOP_* from vCPU 0 of f; OUT fields through the pointers. */
long alloc_unbound(struct fake_domain *f, domid_t dom, domid_t remote, evtchn_port_t *port);
long bind_interdomain(struct fake_domain *f, domid_t remote, evtchn_port_t rport,
                      evtchn_port_t *lport);
long bind_virq(struct fake_domain *f, uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
long bind_ipi(struct fake_domain *f, uint32_t vcpu, evtchn_port_t *port);
long ev_close(struct fake_domain *f, evtchn_port_t port);
long ev_send(struct fake_domain *f, evtchn_port_t port);
long ev_status(struct fake_domain *f, domid_t dom, evtchn_port_t port, struct evtchn_status *st);
/* EVTCHNSTAT_* of our own port (asserting the call works). */
uint32_t status_of(struct fake_domain *f, evtchn_port_t port);
long bind_vcpu(struct fake_domain *f, evtchn_port_t port, uint32_t vcpu);
long ev_unmask(struct fake_domain *f, evtchn_port_t port);
long ev_reset(struct fake_domain *f, domid_t dom);
/* An interdomain pair: a in server for client, bound by the client as b. */
void make_pair(struct fake_domain *server, struct fake_domain *client,
               evtchn_port_t *a, evtchn_port_t *b);

/* The test tables of each file, registered as one suite by main(). */
extern const struct unit_case evtchn_port_cases[];
extern const size_t evtchn_port_cases_n;
extern const struct unit_case evtchn_delivery_cases[];
extern const size_t evtchn_delivery_cases_n;
extern const struct unit_case evtchn_thread_cases[];
extern const size_t evtchn_thread_cases_n;
extern const struct unit_case evtchn_fifo_cases[];
extern const size_t evtchn_fifo_cases_n;
extern const struct unit_case pirq_cases[];
extern const size_t pirq_cases_n;
extern const struct unit_case msix_cases[];
extern const size_t msix_cases_n;

#endif
