/* The PV hypercall handlers, each taking the calling vCPU and its five arguments. */
#ifndef ASM_PV_HYPERCALLS_H
#define ASM_PV_HYPERCALLS_H

#include <stdint.h>

struct vcpu;

long hc_set_trap_table(struct vcpu *v, const uint64_t a[5]);
long hc_stack_switch(struct vcpu *v, const uint64_t a[5]);
long hc_set_callbacks(struct vcpu *v, const uint64_t a[5]);
long hc_update_va_mapping(struct vcpu *v, const uint64_t a[5]);
long hc_xen_version(struct vcpu *v, const uint64_t a[5]);
long hc_console_io(struct vcpu *v, const uint64_t a[5]);
long hc_vm_assist(struct vcpu *v, const uint64_t a[5]);
long hc_set_segment_base(struct vcpu *v, const uint64_t a[5]);
long hc_sched_op(struct vcpu *v, const uint64_t a[5]);
long hc_callback_op(struct vcpu *v, const uint64_t a[5]);

#endif
