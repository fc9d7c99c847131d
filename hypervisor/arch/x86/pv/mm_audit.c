/*
 * The PV memory audit in the hypervisor (asm/pv_mm_audit.h): with the boot
 * option pv_audit=N, every N-th hypercall (counted over all domains)
 * audits the calling domain on its way out, under its grant and mm locks,
 * and panics with the first difference found. Meant for fuzzing runs
 * (tests/guests/hostile); off in normal boots.
 *
 * What it holds: the domain's other vCPUs (and the control domain) may be
 * in hypercalls meanwhile; reservation changes count and allocate or free
 * a domain's frames under its mm lock, which the audit holds, so
 * tot_pages is exact. (XENMEM_exchange allocates under its grant and mm
 * locks too.)
 */
#include <stdint.h>
#include <asm/m2p.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/pv_mm_audit.h>
#include <asm/setup.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/panic.h>
#include <tessera/spinlock.h>

uint64_t pv_audit_every;

static spinlock_t audit_lock = SPINLOCK_INIT;   /* [order] before any domain's locks */
static struct mm_audit_scratch scratch;          /* [audit_lock] */
static uint64_t hv_l4[512];                      /* [audit_lock] */
static uint64_t calls, audits;                   /* [a] */

static const uint64_t *audit_frame(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return phys_to_virt(mfn << PAGE_SHIFT);
}

static void audit_grant_counts(void *ctx, uint64_t mfn, unsigned *ro, unsigned *rw)
{
    (void)ctx;
    grant_frame_counts(mfn, ro, rw);
}

static bool audit_outside_reservation(void *ctx, uint64_t mfn)
{
    struct domain *d = ctx;
    return mfn == d->shared_info_mfn || (d->grant_table && grant_table_has_frame(d, mfn));
}

static bool audit_xen_readable(void *ctx, uint64_t mfn)
{
    (void)ctx;
    return m2p_frame(mfn);
}

static void add_ref(uint64_t *list, unsigned *nr, uint64_t mfn)
{
    if (*nr < MM_AUDIT_MAX_REFS)
        list[(*nr)++] = mfn;
}

/* Under audit_lock and d's locks: d's base pointers and GDT frames. */
static void gather(struct domain *d, struct mm_audit_domain *ad)
{
    *ad = (struct mm_audit_domain){ .id = d->domain_id, .privileged = d->is_privileged,
                                    .tot_pages = __atomic_load_n(&d->tot_pages, __ATOMIC_ACQUIRE) };
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        const struct arch_vcpu *a = d->vcpus[i]->arch;
        if (a->guest_cr3)
            add_ref(ad->bases, &ad->nr_bases, a->guest_cr3 >> PAGE_SHIFT);
        if (a->user_cr3)
            add_ref(ad->bases, &ad->nr_bases, a->user_cr3 >> PAGE_SHIFT);
        for (unsigned p = 0; p * 512 < a->gdt_entries; p++)
            add_ref(ad->gdt_frames, &ad->nr_gdt_frames, a->gdt_mfn[p]);
    }
}

int pv_audit_domain(struct domain *d, char *why, size_t why_len)
{
    struct mm_audit_domain ad;
    int rc;

    spin_lock(&audit_lock);
    if (!scratch.type_refs) {
        scratch.type_refs = xzalloc_array(frame_allocator.nr_frames, sizeof(uint32_t));
        scratch.map_refs = xzalloc_array(frame_allocator.nr_frames, sizeof(uint32_t));
        paging_copy_hypervisor_slots(hv_l4);
    }
    if (!scratch.type_refs || !scratch.map_refs) {
        spin_unlock(&audit_lock);
        return -ENOMEM;
    }
    const struct mm_audit_ops ops = {
        .frame = audit_frame, .grant_counts = audit_grant_counts,
        .outside_reservation = audit_outside_reservation, .hv_l4 = hv_l4, .ctx = d,
        .xen_readable = audit_xen_readable,
    };
    pv_mm_lock_all(d);
    gather(d, &ad);
    rc = mm_audit_check(&frame_allocator, &ad, &ops, &scratch, why, why_len);
    pv_mm_unlock_all(d);
    spin_unlock(&audit_lock);
    return rc;
}

void pv_audit_after_hypercall(struct vcpu *v, uint64_t nr)
{
    char why[200];

    if (__atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED) % pv_audit_every)
        return;
    int rc = pv_audit_domain(v->domain, why, sizeof(why));
    if (rc == -ENOMEM)
        return;
    if (rc)
        panic("pv_audit: domain %u after hypercall %lu: %s", v->domain->domain_id,
              (unsigned long)nr, why);
    uint64_t n = __atomic_add_fetch(&audits, 1, __ATOMIC_RELAXED);
    if (n == 1 || n % 1000 == 0)
        log_info("pv_audit: %lu audits clean (every %lu hypercalls; last domain %u)\n",
                 (unsigned long)n, (unsigned long)pv_audit_every, v->domain->domain_id);
}
