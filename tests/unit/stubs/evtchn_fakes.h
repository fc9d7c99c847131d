/*
 * Fake domains for the event channel tests and fuzzer: each a real
 * struct domain with a page-sized shared_info, vCPUs whose vcpu_info is in
 * it, registered in common/domain.c's list. Also the test doubles of the
 * hooks event channels call: current_vcpu, vcpu_kick, domain_free,
 * copy_from_guest/copy_to_guest (guest addresses are host pointers) and
 * xzalloc/xfree (calloc/free with failure injection and counting).
 */
#ifndef TESSERA_TEST_EVTCHN_FAKES_H
#define TESSERA_TEST_EVTCHN_FAKES_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/domain.h>
#include <tessera/event_channel.h>
#include <tessera/pirq.h>

#define FAKE_MAX_VCPUS 4
#define FAKE_FRAMES 8

struct fake_domain {
    struct domain d;
    struct vcpu v[FAKE_MAX_VCPUS];
    unsigned kicks[FAKE_MAX_VCPUS];     /* vcpu_kick calls per vCPU */
    bool freed;                         /* domain_free ran */
    /* Guest frames (4 KiB, zeroed, made on first use); gfn = address >> 12. */
    void *frame[FAKE_FRAMES];
    int frames_held;                    /* arch_guest_frame_hold minus releases */
};

/*
 * Frame i of f (0 .. FAKE_FRAMES-1) and its gfn. arch_guest_frame_hold
 * takes only these frames of the domain itself; anything else is -EINVAL.
 */
void *fake_frame(struct fake_domain *f, unsigned i);
uint64_t fake_gfn(struct fake_domain *f, unsigned i);

/* Builds, registers and sets up event channels; NULL if the id is taken. */
struct fake_domain *fake_domain_new(domid_t id, unsigned nr_vcpus, bool privileged);
/* State DYING, evtchn_domain_destroy, unregister (the list's reference goes). */
void fake_domain_kill(struct fake_domain *f);
/* Kills it if needed and frees the memory; the last reference must be gone. */
void fake_domain_release(struct fake_domain *f);

/* The vCPU whose hypercall is "running", per thread. */
extern __thread struct vcpu *stub_current;

/* Guest copies: counts, and forced faults. */
extern unsigned stub_copy_from_calls, stub_copy_to_calls;
extern bool stub_fail_copy_from, stub_fail_copy_to;
/* Run after each successful copy_from_guest (a guest changing its memory). */
extern void (*stub_after_copy_from)(void *guest_src);

/* Allocation: fail the Nth call from now (1 = the next), 0 = never. */
extern unsigned stub_alloc_fail_at;
extern long stub_allocs_live;

/* Call do_event_channel_op as vCPU 'vcpu' of f. */
long fake_hypercall(struct fake_domain *f, unsigned vcpu, int cmd, void *arg);

/* Guest views of the 2-level bits. */
bool fake_pending(struct fake_domain *f, evtchn_port_t port);
bool fake_masked(struct fake_domain *f, evtchn_port_t port);
void fake_set_mask(struct fake_domain *f, evtchn_port_t port, bool masked);
void fake_clear_pending(struct fake_domain *f, evtchn_port_t port);
xen_ulong_t fake_sel(struct fake_domain *f, unsigned vcpu);
uint8_t fake_upcall(struct fake_domain *f, unsigned vcpu);
/* What a guest does after handling everything: clear pending, selectors, upcall flags. */
void fake_guest_ack_all(struct fake_domain *f);

/* The I/O APIC inputs as arch_gsi_program/arch_gsi_mask last left them. */
extern bool fake_gsi_masked[GSI_MAX];
extern bool fake_gsi_level[GSI_MAX];
extern bool fake_gsi_active_low[GSI_MAX];
extern unsigned fake_gsi_programmed;
/* MSI: vectors handed out and not disabled, and each devfn's mask (bus ignored). */
extern unsigned fake_msi_vectors_live;
extern bool fake_msi_masked[256];

/*
 * PCI bus 0 for common/msix.c: each devfn's 256 bytes of configuration
 * space (all 0xFF: no function) and FAKE_MMIO_SIZE bytes of device memory
 * from FAKE_MMIO_BASE, which arch_msix_table_map hands out. MSI-X vectors
 * come from a pool of 64 starting at FAKE_MSIX_VECTOR_BASE.
 */
#define FAKE_MMIO_BASE 0xFE000000ull
#define FAKE_MMIO_SIZE 0x10000u
#define FAKE_MSIX_VECTOR_BASE 0x50u
extern uint8_t fake_pci_conf[256][256];
extern uint8_t fake_mmio[FAKE_MMIO_SIZE];
extern unsigned fake_msix_vectors_live;
extern unsigned fake_msix_table_maps;
/* Every function gone, device memory zeroed, no vector handed out. */
void fake_pci_reset(void);
/*
 * A function at devfn with an MSI-X capability at 0x40: nr_entries
 * entries, the table at table_offset in BAR table_bir (a 32-bit memory
 * BAR at bar_address, or 64-bit if bar64), the PBA at pba_offset in the same BAR.
 */
void fake_pci_add_msix(unsigned devfn, unsigned nr_entries, unsigned table_bir,
                       uint32_t table_offset, uint32_t pba_offset, uint64_t bar_address,
                       bool bar64);
/* A little-endian register of the fake configuration space or device memory. */
uint32_t fake_pci_conf_get(unsigned devfn, unsigned reg, unsigned size);
void fake_pci_conf_set(unsigned devfn, unsigned reg, unsigned size, uint32_t value);
uint32_t fake_mmio_read32(uint64_t pa);

#endif
