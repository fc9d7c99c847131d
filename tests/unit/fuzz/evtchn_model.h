/*
 * A reference model of the event channel hypercall for the fuzzer: plain
 * arrays, no locks, no buckets of storage, no guest memory. Given the
 * same calls it must give the same results and OUT fields as the real
 * code, so the fuzzer checks exact answers, not only invariants.
 */
#ifndef TESSERA_TEST_EVTCHN_MODEL_H
#define TESSERA_TEST_EVTCHN_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/event_channel.h>

#define MODEL_DOMS 3

/* Forget everything about domain slot i: a new domain with this id. */
void model_domain_new(unsigned slot, domid_t id, unsigned nr_vcpus, bool privileged);
/* Slot i is destroyed: its ports close, peers see their ends unbound. */
void model_domain_kill(unsigned slot);
/* What the real domain's state is (reset of another domain depends on it). */
void model_set_paused(unsigned slot, bool paused);

/*
 * EVTCHNOP 'cmd' from vCPU 'vcpu' of slot 'caller' with argument 'arg'
 * (the whole argument struct, updated in place with the OUT fields as the
 * hypervisor would copy them back). Returns the expected result.
 */
long model_event_channel_op(unsigned caller, unsigned vcpu, int cmd, void *arg);
/* The same through hypercall 16's struct evtchn_op. */
long model_event_channel_op_compat(unsigned caller, unsigned vcpu, struct evtchn_op *op);

/* Argument size of cmd as the hypervisor copies it (0 for none). */
unsigned model_arg_size(int cmd);

#endif
