/* The PV hypercall handlers, each taking the calling vCPU and its five arguments. */
#ifndef ASM_PV_HYPERCALLS_H
#define ASM_PV_HYPERCALLS_H

#include <stdint.h>

struct vcpu;
struct cpu_regs;

long hc_set_trap_table(struct vcpu *v, const uint64_t a[5]);
long hc_stack_switch(struct vcpu *v, const uint64_t a[5]);
long hc_set_callbacks(struct vcpu *v, const uint64_t a[5]);
long hc_update_va_mapping(struct vcpu *v, const uint64_t a[5]);
long hc_mmuext_op(struct vcpu *v, const uint64_t a[5]);
long hc_mmu_update(struct vcpu *v, const uint64_t a[5]);
long hc_memory_op(struct vcpu *v, const uint64_t a[5]);
long hc_xen_version(struct vcpu *v, const uint64_t a[5]);
long hc_console_io(struct vcpu *v, const uint64_t a[5]);
long hc_vm_assist(struct vcpu *v, const uint64_t a[5]);
long hc_set_segment_base(struct vcpu *v, const uint64_t a[5]);
long hc_sched_op(struct vcpu *v, const uint64_t a[5]);
long hc_callback_op(struct vcpu *v, const uint64_t a[5]);
long hc_set_timer_op(struct vcpu *v, const uint64_t a[5]);
long hc_vcpu_op(struct vcpu *v, const uint64_t a[5]);
long hc_fpu_taskswitch(struct vcpu *v, const uint64_t a[5]);
long hc_set_debugreg(struct vcpu *v, const uint64_t a[5]);
long hc_get_debugreg(struct vcpu *v, const uint64_t a[5]);
long hc_event_channel_op(struct vcpu *v, const uint64_t a[5]);
long hc_set_gdt(struct vcpu *v, const uint64_t a[5]);
long hc_update_descriptor(struct vcpu *v, const uint64_t a[5]);
long hc_physdev_op(struct vcpu *v, const uint64_t a[5]);
long hc_platform_op(struct vcpu *v, const uint64_t a[5]);

/* Helpers behind them. */
long pv_set_iopl(struct vcpu *v, unsigned iopl);
bool pv_emulate_io(struct vcpu *v, struct cpu_regs *r, const uint8_t *bytes);
long pv_vcpu_timer_op(struct vcpu *v, int cmd, uint64_t arg);
long pv_block(struct vcpu *v);
long pv_vcpu_control(struct vcpu *v, struct vcpu *target, int cmd, uint64_t arg);
long pv_poll(struct vcpu *v, uint64_t arg);
/* increase/decrease_reservation, populate_physmap from extent 'start' (pv/reservation.c). */
long pv_memory_reservation(struct vcpu *v, unsigned cmd, uint64_t start, uint64_t arg);
/* XENMEM_exchange (pv/reservation.c). */
long pv_memory_exchange(struct vcpu *v, uint64_t arg);
/* End a SCHEDOP_poll once v runs again (its timeout timer, the evtchn side). */
void pv_poll_finish(struct vcpu *v);
/* v's timers, on pCPU cpu's queue; where v first runs. */
void pv_vtimer_init(struct vcpu *v, unsigned cpu);
void pv_vtimer_stop_all(struct vcpu *v);
/* v is switched in on pCPU cpu: its timers move there (pv/vtimer.c). */
void pv_vtimer_follow(struct vcpu *v, unsigned cpu);

#endif
