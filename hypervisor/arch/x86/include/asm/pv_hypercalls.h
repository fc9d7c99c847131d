/* The PV hypercall handlers and the helpers behind them. */
#ifndef ASM_PV_HYPERCALLS_H
#define ASM_PV_HYPERCALLS_H

#include <stdint.h>

struct vcpu;
struct cpu_regs;

/*
 * Each takes the calling vCPU and its arguments typed as the ABI types
 * them (pv/hypercall.c converts the registers, in one table); a handler
 * validates them before anything else. Grouped by hypercall family and
 * named by the file that holds them.
 */

/* pv/hc_cpu.c: the vCPU's virtual CPU state */
long hc_set_trap_table(struct vcpu *v, uint64_t traps);
long hc_stack_switch(struct vcpu *v, uint64_t ss, uint64_t sp);
long hc_set_callbacks(struct vcpu *v, uint64_t event, uint64_t failsafe, uint64_t syscall);
long hc_callback_op(struct vcpu *v, int cmd, uint64_t arg);
long hc_set_segment_base(struct vcpu *v, unsigned int which, uint64_t base);
long hc_fpu_taskswitch(struct vcpu *v, int set);
long hc_set_debugreg(struct vcpu *v, int reg, uint64_t val);
long hc_get_debugreg(struct vcpu *v, int reg);
long hc_vm_assist(struct vcpu *v, unsigned int cmd, unsigned int type);
/* vm_assist for any guest: types outside 'allowed' -EINVAL, an unknown cmd -ENOSYS. */
long vm_assist_op(struct vcpu *v, unsigned int cmd, unsigned int type, unsigned long allowed);

/* pv/mm.c: the PV MMU */
long hc_update_va_mapping(struct vcpu *v, uint64_t va, uint64_t val, uint64_t flags);
long hc_mmuext_op(struct vcpu *v, uint64_t ops, unsigned int count, uint64_t done_ptr,
                  unsigned int domid);
long hc_mmu_update(struct vcpu *v, uint64_t reqs, unsigned int count, uint64_t done_ptr,
                   unsigned int domid);

/* pv/gdt.c: descriptor tables */
long hc_set_gdt(struct vcpu *v, uint64_t frame_list, unsigned int entries);
long hc_update_descriptor(struct vcpu *v, uint64_t ma, uint64_t desc);

/* pv/hc_memory.c: memory_op (cmd with the extent to resume from in its bits above 6) */
long hc_memory_op(struct vcpu *v, uint64_t op, uint64_t arg);

/* pv/hc_info.c */
long hc_xen_version(struct vcpu *v, int cmd, uint64_t arg);
long hc_console_io(struct vcpu *v, int cmd, unsigned int count, uint64_t buf);

/* pv/hc_sched.c */
long hc_sched_op(struct vcpu *v, int cmd, uint64_t arg);
/* pv/vtimer.c */
long hc_set_timer_op(struct vcpu *v, uint64_t timeout);
/* pv/hc_vcpu.c */
long hc_vcpu_op(struct vcpu *v, int cmd, unsigned int id, uint64_t arg);
/* pv/ioport.c */
long hc_physdev_op(struct vcpu *v, int cmd, uint64_t arg);
/* pv/platform.c */
long hc_platform_op(struct vcpu *v, uint64_t arg);

/* Helpers behind them. */
long pv_set_iopl(struct vcpu *v, unsigned iopl);
bool pv_emulate_io(struct vcpu *v, struct cpu_regs *r, const uint8_t *bytes);
long pv_vcpu_timer_op(struct vcpu *v, int cmd, uint64_t arg);
long pv_vcpu_control(struct vcpu *v, struct vcpu *target, int cmd, uint64_t arg);
/* increase/decrease_reservation, populate_physmap from extent 'start' (pv/reservation.c). */
long pv_memory_reservation(struct vcpu *v, unsigned cmd, uint64_t start, uint64_t arg);
/* XENMEM_exchange (pv/reservation.c). */
long pv_memory_exchange(struct vcpu *v, uint64_t arg);
/* The toolstack's memory_op operations on the domains it builds (pv/memory_toolstack.c). */
long pv_memory_claim(struct vcpu *v, uint64_t arg);
long pv_memory_acquire_resource(struct vcpu *v, uint64_t start, uint64_t arg);
long pv_memory_set_map(struct vcpu *v, uint64_t arg);
long pv_memory_maximum_gpfn(struct vcpu *v, uint64_t arg);
/* XENMEM_memory_map from the map set for v's domain: 1 with *rc, or 0 if none was set. */
int pv_memory_map_from_toolstack(struct vcpu *v, uint64_t arg, long *rc);
/* End a SCHEDOP_poll once v runs again (its timeout timer, the evtchn side). */
void pv_poll_finish(struct vcpu *v);
/* v's timers, on pCPU cpu's queue; where v first runs. */
void pv_vtimer_init(struct vcpu *v, unsigned cpu);
void pv_vtimer_stop_all(struct vcpu *v);
/* v is switched in on pCPU cpu: its timers move there (pv/vtimer.c). */
void pv_vtimer_follow(struct vcpu *v, unsigned cpu);

#endif
