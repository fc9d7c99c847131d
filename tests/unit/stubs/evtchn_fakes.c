#include "evtchn_fakes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/arch.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>

__thread struct vcpu *stub_current;
unsigned stub_copy_from_calls, stub_copy_to_calls;
bool stub_fail_copy_from, stub_fail_copy_to;
void (*stub_after_copy_from)(void *guest_src);
unsigned stub_alloc_fail_at;
long stub_allocs_live;

#define WORD_BITS (8 * sizeof(xen_ulong_t))

/* --- hooks ---------------------------------------------------------------- */

struct vcpu *current_vcpu(void)
{
    return stub_current;
}

void vcpu_kick(struct vcpu *v)
{
    struct fake_domain *f = (struct fake_domain *)v->domain;
    __atomic_fetch_add(&f->kicks[v->vcpu_id], 1, __ATOMIC_RELAXED);
}

void domain_free(struct domain *d)
{
    struct fake_domain *f = (struct fake_domain *)d;
    evtchn_domain_free(d);
    f->freed = true;
}

int copy_from_guest(void *dst, uint64_t guest_addr, size_t len)
{
    __atomic_fetch_add(&stub_copy_from_calls, 1, __ATOMIC_RELAXED);
    if (stub_fail_copy_from || !guest_addr)
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)guest_addr, len);
    if (stub_after_copy_from)
        stub_after_copy_from((void *)(uintptr_t)guest_addr);
    return 0;
}

int copy_to_guest(uint64_t guest_addr, const void *src, size_t len)
{
    __atomic_fetch_add(&stub_copy_to_calls, 1, __ATOMIC_RELAXED);
    if (stub_fail_copy_to || !guest_addr)
        return -EFAULT;
    memcpy((void *)(uintptr_t)guest_addr, src, len);
    return 0;
}

static bool alloc_should_fail(void)
{
    if (!stub_alloc_fail_at)
        return false;
    return --stub_alloc_fail_at == 0;
}

void *xzalloc(size_t size)
{
    if (alloc_should_fail())
        return NULL;
    void *p = calloc(1, size);
    if (p)
        __atomic_fetch_add(&stub_allocs_live, 1, __ATOMIC_RELAXED);
    return p;
}

void *xzalloc_array(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return xzalloc(n * size);
}

void xfree(void *p)
{
    if (p)
        __atomic_fetch_sub(&stub_allocs_live, 1, __ATOMIC_RELAXED);
    free(p);
}

/* The guest frames a FIFO control block or event array may live in. */
int arch_guest_frame_hold(struct domain *d, uint64_t gfn, void **va)
{
    struct fake_domain *f = (struct fake_domain *)d;

    for (unsigned i = 0; i < FAKE_FRAMES; i++) {
        if (f->frame[i] && (uint64_t)(uintptr_t)f->frame[i] >> 12 == gfn) {
            __atomic_fetch_add(&f->frames_held, 1, __ATOMIC_RELAXED);
            *va = f->frame[i];
            return 0;
        }
    }
    return -EINVAL;
}

void arch_guest_frame_release(struct domain *d, void *va)
{
    struct fake_domain *f = (struct fake_domain *)d;

    for (unsigned i = 0; i < FAKE_FRAMES; i++) {
        if (f->frame[i] == va) {
            __atomic_fetch_sub(&f->frames_held, 1, __ATOMIC_RELAXED);
            return;
        }
    }
    fprintf(stderr, "arch_guest_frame_release: %p is not a frame of domain %u\n", va,
            d->domain_id);
    abort();
}

void *fake_frame(struct fake_domain *f, unsigned i)
{
    if (i >= FAKE_FRAMES)
        abort();
    if (!f->frame[i]) {
        f->frame[i] = aligned_alloc(4096, 4096);
        if (!f->frame[i])
            abort();
        memset(f->frame[i], 0, 4096);
    }
    return f->frame[i];
}

uint64_t fake_gfn(struct fake_domain *f, unsigned i)
{
    return (uint64_t)(uintptr_t)fake_frame(f, i) >> 12;
}

/* --- fake domains --------------------------------------------------------- */

struct fake_domain *fake_domain_new(domid_t id, unsigned nr_vcpus, bool privileged)
{
    struct fake_domain *f = calloc(1, sizeof(*f));
    struct shared_info *si = aligned_alloc(4096, 4096);

    if (!f || !si || nr_vcpus > FAKE_MAX_VCPUS) {
        fprintf(stderr, "fake_domain_new: out of memory or too many vCPUs\n");
        abort();
    }
    memset(si, 0, 4096);
    f->d.domain_id = id;
    snprintf(f->d.name, sizeof(f->d.name), "fake%u", (unsigned)id);
    f->d.is_privileged = privileged;
    spin_lock_init(&f->d.lock);
    f->d.state = DOMAIN_RUNNING;
    f->d.shared_info = si;
    f->d.max_vcpus = nr_vcpus;
    for (unsigned i = 0; i < nr_vcpus; i++) {
        f->v[i].vcpu_id = i;
        f->v[i].domain = &f->d;
        f->v[i].vcpu_info = &si->vcpu_info[i];
        f->v[i].run_state = VCPU_RUNNABLE;
        si->vcpu_info[i].evtchn_upcall_mask = 1;
        f->d.vcpus[i] = &f->v[i];
    }
    if (domain_register(&f->d)) {
        free(si);
        free(f);
        return NULL;
    }
    if (evtchn_domain_init(&f->d)) {
        fprintf(stderr, "fake_domain_new: evtchn_domain_init failed\n");
        abort();
    }
    return f;
}

void fake_domain_kill(struct fake_domain *f)
{
    if (f->d.state == DOMAIN_DYING)
        return;
    f->d.state = DOMAIN_DYING;
    evtchn_domain_destroy(&f->d);
    domain_release(&f->d);
}

void fake_domain_release(struct fake_domain *f)
{
    if (!f)
        return;
    fake_domain_kill(f);
    if (!f->freed) {
        fprintf(stderr, "fake_domain_release: domain %u still referenced\n", f->d.domain_id);
        abort();
    }
    if (f->frames_held) {
        fprintf(stderr, "fake_domain_release: domain %u: %d guest frames still held\n",
                f->d.domain_id, f->frames_held);
        abort();
    }
    for (unsigned i = 0; i < FAKE_FRAMES; i++)
        free(f->frame[i]);
    free(f->d.shared_info);
    free(f);
}

long fake_hypercall(struct fake_domain *f, unsigned vcpu, int cmd, void *arg)
{
    stub_current = &f->v[vcpu];
    long rc = do_event_channel_op(cmd, (uint64_t)(uintptr_t)arg);
    stub_current = NULL;
    return rc;
}

/* --- guest views ---------------------------------------------------------- */

static xen_ulong_t bit_of(evtchn_port_t port)
{
    return (xen_ulong_t)1 << (port % WORD_BITS);
}

bool fake_pending(struct fake_domain *f, evtchn_port_t port)
{
    return __atomic_load_n(&f->d.shared_info->evtchn_pending[port / WORD_BITS], __ATOMIC_SEQ_CST) &
           bit_of(port);
}

bool fake_masked(struct fake_domain *f, evtchn_port_t port)
{
    return __atomic_load_n(&f->d.shared_info->evtchn_mask[port / WORD_BITS], __ATOMIC_SEQ_CST) &
           bit_of(port);
}

void fake_set_mask(struct fake_domain *f, evtchn_port_t port, bool masked)
{
    xen_ulong_t *w = &f->d.shared_info->evtchn_mask[port / WORD_BITS];
    if (masked)
        __atomic_fetch_or(w, bit_of(port), __ATOMIC_SEQ_CST);
    else
        __atomic_fetch_and(w, ~bit_of(port), __ATOMIC_SEQ_CST);
}

void fake_clear_pending(struct fake_domain *f, evtchn_port_t port)
{
    __atomic_fetch_and(&f->d.shared_info->evtchn_pending[port / WORD_BITS], ~bit_of(port),
                       __ATOMIC_SEQ_CST);
}

xen_ulong_t fake_sel(struct fake_domain *f, unsigned vcpu)
{
    return __atomic_load_n(&f->d.shared_info->vcpu_info[vcpu].evtchn_pending_sel, __ATOMIC_SEQ_CST);
}

uint8_t fake_upcall(struct fake_domain *f, unsigned vcpu)
{
    return __atomic_load_n(&f->d.shared_info->vcpu_info[vcpu].evtchn_upcall_pending,
                           __ATOMIC_SEQ_CST);
}

void fake_guest_ack_all(struct fake_domain *f)
{
    struct shared_info *si = f->d.shared_info;
    for (unsigned i = 0; i < WORD_BITS; i++)
        __atomic_store_n(&si->evtchn_pending[i], 0, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < f->d.max_vcpus; i++) {
        __atomic_store_n(&si->vcpu_info[i].evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        __atomic_store_n(&si->vcpu_info[i].evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    }
}

/* The I/O APIC as common/pirq.c programs it. */
bool fake_gsi_masked[GSI_MAX];
bool fake_gsi_level[GSI_MAX];
bool fake_gsi_active_low[GSI_MAX];
unsigned fake_gsi_programmed;

void arch_gsi_program(unsigned int gsi, bool level, bool active_low, bool masked)
{
    if (gsi >= GSI_MAX)
        abort();
    fake_gsi_level[gsi] = level;
    fake_gsi_active_low[gsi] = active_low;
    fake_gsi_masked[gsi] = masked;
    fake_gsi_programmed++;
}

void arch_gsi_mask(unsigned int gsi, bool masked)
{
    if (gsi >= GSI_MAX)
        abort();
    fake_gsi_masked[gsi] = masked;
}

/* MSI as common/pirq.c asks for it: devfn 0xFF has no MSI capability. */
unsigned fake_msi_vectors_live;
bool fake_msi_masked[256];

int arch_msi_enable(unsigned int bus, unsigned int devfn, unsigned int *vector)
{
    (void)bus;
    if (devfn == 0xFF)
        return -ENODEV;
    *vector = 0xB0 + devfn % 64;
    fake_msi_masked[devfn] = true;
    fake_msi_vectors_live++;
    return 0;
}

void arch_msi_mask(unsigned int bus, unsigned int devfn, bool masked)
{
    (void)bus;
    fake_msi_masked[devfn & 0xFF] = masked;
}

void arch_msi_disable(unsigned int bus, unsigned int devfn, unsigned int vector)
{
    (void)bus;
    (void)vector;
    fake_msi_masked[devfn & 0xFF] = true;
    if (fake_msi_vectors_live == 0)
        abort();
    fake_msi_vectors_live--;
}

/* PCI bus 0 and its device memory, for common/msix.c. */
uint8_t fake_pci_conf[256][256];
uint8_t fake_mmio[FAKE_MMIO_SIZE];
unsigned fake_msix_vectors_live;
unsigned fake_msix_table_maps;
static bool fake_msix_vector_used[64];

void fake_pci_reset(void)
{
    memset(fake_pci_conf, 0xFF, sizeof(fake_pci_conf));
    memset(fake_mmio, 0, sizeof(fake_mmio));
    memset(fake_msix_vector_used, 0, sizeof(fake_msix_vector_used));
    fake_msix_vectors_live = 0;
    fake_msix_table_maps = 0;
}

uint32_t fake_pci_conf_get(unsigned devfn, unsigned reg, unsigned size)
{
    if (devfn > 0xFF || reg + size > 256 || (reg & (size - 1)))
        abort();
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)fake_pci_conf[devfn][reg + i] << (8 * i);
    return v;
}

void fake_pci_conf_set(unsigned devfn, unsigned reg, unsigned size, uint32_t value)
{
    if (devfn > 0xFF || reg + size > 256 || (reg & (size - 1)))
        abort();
    for (unsigned i = 0; i < size; i++)
        fake_pci_conf[devfn][reg + i] = (uint8_t)(value >> (8 * i));
}

void fake_pci_add_msix(unsigned devfn, unsigned nr_entries, unsigned table_bir,
                       uint32_t table_offset, uint32_t pba_offset, uint64_t bar_address,
                       bool bar64)
{
    memset(fake_pci_conf[devfn], 0, 256);
    fake_pci_conf_set(devfn, 0x00, 4, 0x10001AF4);               /* a virtio vendor/device */
    fake_pci_conf_set(devfn, 0x06, 2, 1u << 4);                  /* has a capability list */
    fake_pci_conf_set(devfn, 0x34, 1, 0x40);
    fake_pci_conf_set(devfn, 0x40, 1, 0x09);                     /* a vendor capability first */
    fake_pci_conf_set(devfn, 0x41, 1, 0x50);
    fake_pci_conf_set(devfn, 0x50, 1, 0x11);                     /* MSI-X, last in the list */
    fake_pci_conf_set(devfn, 0x52, 2, (nr_entries - 1) & 0x7FF);
    fake_pci_conf_set(devfn, 0x54, 4, table_offset | table_bir);
    fake_pci_conf_set(devfn, 0x58, 4, pba_offset | table_bir);
    unsigned bar = 0x10 + 4 * table_bir;
    fake_pci_conf_set(devfn, bar, 4, (uint32_t)bar_address | (bar64 ? 4u : 0u));
    if (bar64)
        fake_pci_conf_set(devfn, bar + 4, 4, (uint32_t)(bar_address >> 32));
}

uint32_t fake_mmio_read32(uint64_t pa)
{
    if (pa < FAKE_MMIO_BASE || pa + 4 > FAKE_MMIO_BASE + FAKE_MMIO_SIZE)
        abort();
    uint32_t v;
    memcpy(&v, &fake_mmio[pa - FAKE_MMIO_BASE], 4);
    return v;
}

uint32_t arch_pci_conf_read(unsigned int bus, unsigned int devfn, unsigned int reg,
                            unsigned int size)
{
    if (bus != 0)
        return size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
    return fake_pci_conf_get(devfn, reg, size);
}

void arch_pci_conf_write(unsigned int bus, unsigned int devfn, unsigned int reg,
                         unsigned int size, uint32_t value)
{
    if (bus == 0)
        fake_pci_conf_set(devfn, reg, size, value);
}

volatile void *arch_msix_table_map(uint64_t pa, size_t len)
{
    if (pa < FAKE_MMIO_BASE || pa + len > FAKE_MMIO_BASE + FAKE_MMIO_SIZE)
        return NULL;
    fake_msix_table_maps++;
    return &fake_mmio[pa - FAKE_MMIO_BASE];
}

int arch_msi_vector_alloc(unsigned int *vector)
{
    for (unsigned i = 0; i < 64; i++) {
        if (!fake_msix_vector_used[i]) {
            fake_msix_vector_used[i] = true;
            fake_msix_vectors_live++;
            *vector = FAKE_MSIX_VECTOR_BASE + i;
            return 0;
        }
    }
    return -ENOSPC;
}

void arch_msi_vector_free(unsigned int vector)
{
    unsigned i = vector - FAKE_MSIX_VECTOR_BASE;
    if (i >= 64 || !fake_msix_vector_used[i])
        abort();                /* freeing what was never handed out is a bug */
    fake_msix_vector_used[i] = false;
    fake_msix_vectors_live--;
}

void arch_msi_message(unsigned int vector, uint64_t *address, uint32_t *data)
{
    *address = 0xFEE00000u;
    *data = vector;
}
