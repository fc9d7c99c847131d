/*
 * Every hook common hypervisor code calls into the architecture for, in
 * one place: what x86 (arch/x86, arch/x86/pv) must provide and the unit
 * tests replace with doubles. Common code includes only this header for
 * machine-specific services, never an arch header, so it also builds as
 * host C. Grouped by the common code that calls them.
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write bytes to every console (serial, debug port). Safe from any context. */
void arch_console_write(const char *s, size_t len);

/* Disable interrupts on this CPU; returns the previous state for restore. */
unsigned long arch_irq_save(void);
void arch_irq_restore(unsigned long flags);

/* Hint to the CPU inside a spin-wait loop. */
void arch_cpu_relax(void);

/* Index (0 .. nr_cpus-1) of the CPU running the caller. */
unsigned int arch_cpu_id(void);

/* Monotonic nanoseconds since boot (0 before the clock is calibrated). */
uint64_t arch_now_ns(void);

/*
 * Long hypercalls give their CPU up part way (Xen's continuations): a
 * batch loop asks arch_hypercall_preempt_check() between items (never
 * before the first, so each entry makes progress) and, when it says yes,
 * returns arch_hypercall_create_continuation(op, n, args): the hypercall
 * is issued again with these arguments when the vCPU next runs (inside a
 * multicall: its entry is rewritten and the multicall continued). The
 * handler returns that value as its result.
 */
bool arch_hypercall_preempt_check(void);
long arch_hypercall_create_continuation(unsigned int op, unsigned int nargs,
                                        const uint64_t *args);

/*
 * Stop the machine after a fatal error: every other CPU is halted, and
 * test builds end the emulator. Never returns.
 */
void arch_panic_halt(void) __attribute__((noreturn));

struct domain;
struct vcpu;

/* ---- toolstack control (common/domctl.c, sysctl.c, domain_info.c) ------- */

struct xen_domctl;
struct xen_domctl_createdomain;
struct xen_sysctl;
struct xen_sysctl_physinfo;
struct page_allocator;

/*
 * createdomain: an empty domain with this (free) id, as Xen leaves one:
 * shared_info, event channels and a grant table sized from cfg, its
 * max_vcpus vCPUs offline, no memory (max_pages 0), paused once by the
 * toolstack (controller_pause_count 1), registered. 0 with *out set (no
 * reference taken for the caller), or -EINVAL, -ENOMEM; nothing is left
 * behind on failure.
 */
int arch_domain_create(uint16_t id, const struct xen_domctl_createdomain *cfg,
                       struct domain **out);
/* The toolstack's first unpause: the domain's creation is over. */
void arch_domain_creation_finished(struct domain *d);
/*
 * destroydomain: d (not the caller) dies. Its vCPUs stop, its event
 * channels, grant mappings and timers go, the control domain gets
 * VIRQ_DOM_EXC, and the list's reference is dropped: its memory goes back
 * when the last reference does. 0 (also for a domain already dead), or
 * -ERESTART while a vCPU of d is still leaving its CPU (issue it again).
 */
int arch_domain_destroy(struct domain *d);
/*
 * Every domctl common code does not handle (vCPU contexts, address size,
 * TSC, scheduler parameters, ...): 0 or a negative errno, -ENOSYS for an
 * unknown command, -ERESTART to be issued again. Sets *copyback when op
 * is to be copied back to the caller.
 */
long arch_do_domctl(struct domain *caller, struct domain *d, struct xen_domctl *op,
                    bool *copyback);
/* Every sysctl common code does not handle; -ENOSYS for unknown ones. op is copied back on success. */
long arch_do_sysctl(struct xen_sysctl *op);
/* physinfo's CPU and machine facts: CPU counts, cpu_khz, max_mfn, hw_cap, arch capabilities. */
void arch_physinfo(struct xen_sysctl_physinfo *pi);
/* The allocator of machine frames (physinfo's total and free pages). */
struct page_allocator *arch_frame_allocator(void);
/* getdomaininfo's gpaddr_bits: the guest physical address width. */
unsigned int arch_guest_paddr_bits(void);

/* ---- the scheduler (common/sched*.c) ------------------------------------ */

/* Make that pCPU call sched_pick_next soon (an IPI; on this pCPU, a softirq). */
void arch_sched_kick_cpu(unsigned cpu);

/* ---- event channels, FIFO ABI (common/event_channel_fifo.c) ------------- */

/*
 * A page of d's own that the hypervisor writes from now on (a FIFO event
 * channel control block or event array page). gfn must name a frame of
 * d's that may become writable; it is held so that it never becomes a
 * page table or descriptor page while the hypervisor may use it. 0 with
 * *va set to a hypervisor mapping of its 4 KiB, -EINVAL (not d's frame,
 * or one that may not be writable) or -ENOMEM. May take the arch's
 * memory locks: call with no event-channel or grant lock held.
 */
int arch_guest_frame_hold(struct domain *d, uint64_t gfn, void **va);
/* The hypervisor is done with a page from arch_guest_frame_hold (va as returned). Takes no lock. */
void arch_guest_frame_release(struct domain *d, void *va);

/* ---- device interrupts (common/pirq.c) ----------------------------------- */

/*
 * Program I/O APIC input gsi (below pirq_nr_gsis()) with this trigger and
 * polarity, masked or not. Called with pirq.c's lock held and interrupts
 * off: they must take no lock of common code.
 */
void arch_gsi_program(unsigned int gsi, bool level, bool active_low, bool masked);
void arch_gsi_mask(unsigned int gsi, bool masked);
/*
 * MSI of PCI function bus:devfn (same rules): enable writes its message
 * for a newly allocated vector (0 with *vector set, -ENODEV without an
 * MSI capability, -ENOSPC no vector) and masks it where the device can;
 * mask sets or clears that mask; disable clears the enable bit and frees
 * the vector.
 */
int arch_msi_enable(unsigned int bus, unsigned int devfn, unsigned int *vector);
void arch_msi_mask(unsigned int bus, unsigned int devfn, bool masked);
void arch_msi_disable(unsigned int bus, unsigned int devfn, unsigned int vector);

/*
 * ---- PCI configuration space, MSI-X (common/msix.c) -----------------------
 * Called with msix.c's lock held (inside pirq.c's) and interrupts off.
 */

/* One register of bus:devfn (size 1, 2 or 4, naturally aligned). */
uint32_t arch_pci_conf_read(unsigned int bus, unsigned int devfn, unsigned int reg,
                            unsigned int size);
void arch_pci_conf_write(unsigned int bus, unsigned int devfn, unsigned int reg,
                         unsigned int size, uint32_t value);
/* A hypervisor mapping, uncached, of MMIO [pa, pa + len), kept for good; NULL if none. */
volatile void *arch_msix_table_map(uint64_t pa, size_t len);
/* A free device vector (-ENOSPC), and giving one back. */
int arch_msi_vector_alloc(unsigned int *vector);
void arch_msi_vector_free(unsigned int vector);
/* The message naming vector: fixed delivery to the boot CPU, edge-triggered. */
void arch_msi_message(unsigned int vector, uint64_t *address, uint32_t *data);

/*
 * ---- grant tables (common/grant_table*.c) ---------------------------------
 * Called with grant locks held: they must not take a grant lock or call
 * back into the grant code (lock order in tessera/grant_table.h).
 */

/*
 * Map machine frame mfn at guest virtual address va in the page tables v
 * runs on (a PV guest's current L4), read-only or writable, replacing
 * whatever ordinary entry the L1 held (Xen's create_grant_host_mapping:
 * the L1 table covering va must exist). It must refuse (general_error) an
 * L1 entry that already holds a grant mapping, so that the grant mappings
 * in a domain's page tables always match its live maptrack entries one
 * for one. Returns GNTST_okay, GNTST_bad_virt_addr (va not page aligned,
 * in the hypervisor's range, or no L1 covers it) or GNTST_general_error;
 * any other value counts as general_error.
 */
int arch_grant_map_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly);

/*
 * Remove a grant mapping of mfn at va: the L1 entry must be one that
 * arch_grant_map_host made, of mfn (else GNTST_general_error and nothing
 * changes; it may be another live handle's mapping of the same frame,
 * which keeps the one-for-one match). It is left not present and the
 * TLBs of the domain's vCPUs are flushed.
 * Also called for a dying domain (v stopped): it must then still work or
 * fail harmlessly; the counts are dropped either way.
 */
int arch_grant_unmap_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly);

/*
 * The same two for GNTMAP_contains_pte (Linux's gntdev maps grants into
 * user space this way in PV guests): pte_maddr is the machine address of
 * the L1 entry to write, which must lie in a page table of v's domain
 * (else GNTST_general_error); the one-for-one rule above applies too.
 */
int arch_grant_map_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly);
int arch_grant_unmap_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly);

/*
 * GNTTABOP_unmap_and_replace (Xen's replace_grant_pv_mapping with a
 * new_addr): the ordinary L1 entry that maps new_va in v's page tables is
 * taken away (left not present, its references moving with it) and put
 * where the grant mapping of mfn at va was. Steps and answers as Xen's:
 * new_va without an L1: GNTST_general_error, nothing changed; then va
 * without an L1, or va not holding this grant mapping: GNTST_general_error
 * with new_va's entry already gone (its references dropped). An entry at
 * new_va that is itself a grant mapping is refused (general_error, nothing
 * changed): grant mappings stay where the maptrack says. TLBs flushed.
 */
int arch_grant_replace_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly,
                            uint64_t new_va);

/*
 * Version 2 -> 1: d's status frames go back to the allocator, all or none.
 * -EBUSY when d still maps any of them (as Xen refuses while the guest
 * holds a reference), else 0. Called under d's grant lock.
 */
int arch_grant_free_status_frames(struct domain *d, const uint64_t *mfn, unsigned int n);

/*
 * The machine frame behind d's guest frame number gfn (PV: gfn is the
 * mfn, checked to be d's). 0 with *mfn set; -EAGAIN if the frame is
 * temporarily unavailable (paged out: GNTST_eagain); any other negative
 * value when d has no such frame (GNTST_bad_page).
 */
int arch_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn);

/*
 * The one rule for writing a frame through a grant, asked by every map and
 * copy that writes: one more writable use of rd's frame mfn, refused (a
 * negative errno) while the frame's contents are trusted by the hardware
 * (a page table, a descriptor page) or it is being given back. While the
 * use is held the frame cannot become such a frame; it lasts until
 * arch_frame_put_writable. Called with grant locks held.
 */
int arch_frame_get_writable(struct domain *rd, uint64_t mfn);
void arch_frame_put_writable(struct domain *rd, uint64_t mfn);

/*
 * A hypervisor pointer to the 4 KiB of machine frame mfn, or NULL. The
 * pointer stays valid until arch_unmap_frame (the grant table keeps its
 * own frames mapped for as long as it has them).
 */
void *arch_map_frame(uint64_t mfn);
void arch_unmap_frame(void *va);

#endif
