/* Between the files of common HVM code (arch/x86/hvm/). */
#ifndef HVM_INTERNAL_H
#define HVM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/hvm_insn.h>
#include <pvabi/hvm_start_info.h>

struct vcpu;
struct domain;
struct hvm_exit;

int hvm_memory_init(struct domain *d, uint64_t nr_pages);
/* The guest runs 64-bit code now (EFER.LMA and CS.L). */
bool hvm_long_mode(struct vcpu *v);
/* Step RIP over the instruction that exited (next_rip if the CPU gave it, else
 * decoded), or end the domain if the instruction there is not that one. */
void hvm_skip_insn(struct vcpu *v, enum hvm_insn insn, uint64_t next_rip);
struct cpuid_regs hvm_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf);
void hvm_handle_exit(struct vcpu *v, const struct hvm_exit *e);
/* VMMCALL/VMCALL: the hypercall in the guest's registers; RIP stepped over it
 * (to next_rip when the CPU gave it, else decoded). */
void hvm_hypercall(struct vcpu *v, uint64_t next_rip);
/* OUTS/INS (rep or not): the elements written, RSI/RCX moved (io_string.c). */
void hvm_io_string(struct vcpu *v, const struct hvm_exit *e);
/* count elements of size bytes written to port: the console (0xe9) or nothing. */
void hvm_port_write_elements(struct vcpu *v, uint16_t port, unsigned size, const uint8_t *data,
                             uint64_t count);
/* A write to the hypercall-page MSR: 0, or -1 for a #GP. */
int hvm_hypercall_page_msr(struct vcpu *v, uint64_t value);

/* The x2APIC (vlapic.c): reset state, its MSRs (0 or -1 for a #GP), and
 * the vectors its self-IPIs left pending (highest first, -1 if none). */
void hvm_vlapic_init(struct vcpu *v);
int hvm_vlapic_msr_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_vlapic_msr_write(struct vcpu *v, uint32_t msr, uint64_t val);
int hvm_vlapic_take_pending(struct vcpu *v);
/* Its registers by x2APIC MSR number whatever the mode (for the xAPIC page). */
int hvm_vlapic_reg_read(struct vcpu *v, uint32_t msr, uint64_t *val);
int hvm_vlapic_reg_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* Enabled and in xAPIC mode (its page at 0xFEE00000 answers). */
bool hvm_vlapic_xapic_mode(struct vcpu *v);
/* A nested page fault at gpa that is the xAPIC page: emulated, true; else false. */
bool hvm_vlapic_mmio(struct vcpu *v, uint64_t gpa);
bool hvm_vlapic_has_pending(struct vcpu *v);
/* An event upcall is pending for v and a vector is registered to deliver it. */
bool hvm_upcall_pending(struct vcpu *v);
/* The guest's memory map (start info and XENMEM_memory_map): its RAM, then
 * the console ring's page, reserved (build.c). */
#define HVM_MEMMAP_MAX 2
unsigned hvm_memory_map(const struct domain *d, struct hvm_memmap_table_entry *map);
long hvm_memory_op(struct vcpu *v, uint64_t cmd, uint64_t arg);
long hvm_op(struct vcpu *v, uint64_t op, uint64_t arg);
/* An operation the guest asked for that is not offered yet: said once per
 * family and number in the log (the caller answers -ENOSYS). */
void hvm_log_unsupported(struct vcpu *v, const char *family, uint64_t op);

#endif
