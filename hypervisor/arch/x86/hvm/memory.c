/*
 * An HVM domain's memory: frames from the frame allocator owned by the
 * domain (as a PV domain's), guest-physical [0, nr_pages << 12) mapped
 * onto them by 4-level nested page tables. The tables themselves are the
 * hypervisor's pages, never the guest's or its toolstack's to map. A
 * guest-physical address outside the domain's memory has no mapping, so
 * the guest's access to it ends in a nested page fault.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/paging.h>
#include <asm/pv.h>
#include <asm/setup.h>
#include <asm/x86-defs.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

/*
 * The entry bits are the backend's (hvm_ops): SVM's nested tables are x86
 * page tables, VT-x's EPT has its own format. Both keep the next table's or
 * the page's address in bits 51:12, and both have bit 0 set in every entry
 * made here (P for NPT, R for EPT), which is what "present" means below.
 */
#define NPT_PRESENT 1ull
#define PTE_ADDR  0x000FFFFFFFFFF000ull

static uint64_t *npt_table(struct hvm_domain *h)
{
    uint64_t *t = xmalloc_aligned(PAGE_SIZE, PAGE_SIZE);
    if (t) {
        memset(t, 0, PAGE_SIZE);
        h->npt_frames++;
    }
    return t;
}

static uint64_t *npt_next(struct hvm_domain *h, uint64_t *entry)
{
    if (!(*entry & NPT_PRESENT)) {
        uint64_t *t = npt_table(h);
        if (!t)
            return NULL;
        *entry = virt_to_phys(t) | hvm_ops->npt_table_flags;
    }
    return phys_to_virt(*entry & PTE_ADDR);
}

static int npt_map(struct hvm_domain *h, uint64_t *l4, uint64_t gfn, uint64_t mfn)
{
    uint64_t gpa = gfn << PAGE_SHIFT;
    uint64_t *l3 = npt_next(h, &l4[(gpa >> 39) & 511]);
    uint64_t *l2 = l3 ? npt_next(h, &l3[(gpa >> 30) & 511]) : NULL;
    uint64_t *l1 = l2 ? npt_next(h, &l2[(gpa >> 21) & 511]) : NULL;
    if (!l1)
        return -ENOMEM;
    l1[(gpa >> 12) & 511] = (mfn << PAGE_SHIFT) | hvm_ops->npt_page_flags;
    return 0;
}

static void npt_free(uint64_t *t, unsigned level)
{
    if (level > 1)
        for (unsigned i = 0; i < 512; i++)
            if (t[i] & NPT_PRESENT)
                npt_free(phys_to_virt(t[i] & PTE_ADDR), level - 1);
    xfree(t);
}

static unsigned order_below(uint64_t pages)
{
    unsigned order = 0;
    while (order < PAGE_MAX_ORDER && (2ull << order) <= pages)
        order++;
    return order;
}

/* d's memory, its p2m and its nested tables; d->arch->hvm is set and owns them all. */
int hvm_memory_init(struct domain *d, uint64_t nr_pages)
{
    struct hvm_domain *h = xzalloc(sizeof(*h));
    if (!h)
        return -ENOMEM;
    d->arch->hvm = h;
    h->nr_pages = nr_pages;
    h->shared_info_gfn = ~0ull;
    h->p2m = xmalloc_array(nr_pages, sizeof(uint64_t));
    h->ports_logged = xzalloc(65536 / 8);
    uint64_t *l4 = npt_table(h);
    if (!h->p2m || !h->ports_logged || !l4) {
        xfree(l4);
        return -ENOMEM;
    }
    h->npt_root = virt_to_phys(l4);
    for (uint64_t gfn = 0; gfn < nr_pages;) {
        unsigned order = order_below(nr_pages - gfn);
        uint64_t mfn;
        int rc;
        while ((rc = page_alloc_alloc(&frame_allocator, order, d->domain_id, &mfn)) < 0 && order)
            order--;
        if (rc < 0)
            return rc;
        page_alloc_split(&frame_allocator, mfn, order);
        memclear_sparse(phys_to_virt(mfn << PAGE_SHIFT), PAGE_SIZE << order);
        for (uint64_t k = 0; k < (1ull << order); k++, gfn++) {
            h->p2m[gfn] = mfn + k;
            if ((rc = npt_map(h, l4, gfn, mfn + k)) < 0)
                return rc;
        }
    }
    d->tot_pages = d->max_pages = nr_pages;
    return 0;
}

void hvm_domain_free(struct domain *d)
{
    struct hvm_domain *h = d->arch->hvm;
    if (!h)
        return;
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpus[i];
        if (v && v->arch->hvm) {
            if (hvm_ops)
                hvm_ops->vcpu_destroy(v);
            xfree(v->arch->hvm);
            v->arch->hvm = NULL;
        }
    }
    if (h->npt_root)
        npt_free(phys_to_virt(h->npt_root), 4);
    xfree(h->p2m);
    xfree(h->ports_logged);
    xfree(h);
    d->arch->hvm = NULL;   /* the frames go with the domain's (page_alloc_free_owned) */
}

/*
 * The grant frame mapped at gfn outside RAM, or -1. Lock-free, as the
 * grant and event-channel code translate frames under their own locks,
 * which come after domain.lock: writers (under domain.lock) clear
 * `mapped` before changing gfn and set it after.
 */
static int grant_frame_at(const struct hvm_domain *h, uint64_t gfn)
{
    for (unsigned i = 0; i < HVM_GRANT_FRAMES_MAX; i++)
        if (__atomic_load_n(&h->grant_frames[i].mapped, __ATOMIC_ACQUIRE) &&
            __atomic_load_n(&h->grant_frames[i].gfn, __ATOMIC_RELAXED) == gfn)
            return (int)i;
    return -1;
}

int hvm_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    const struct hvm_domain *h = d->arch->hvm;

    if (gfn < h->nr_pages) {
        *mfn = __atomic_load_n(&h->p2m[gfn], __ATOMIC_ACQUIRE);
        return 0;
    }
    /* Outside RAM: one of its grant frames, if it put one there (frames
     * only ever grow, so an index below nr_frames stays valid). */
    int idx = grant_frame_at(h, gfn);
    if (idx < 0 || (unsigned)idx >= __atomic_load_n(&d->grant_table->nr_frames, __ATOMIC_ACQUIRE))
        return -EINVAL;
    *mfn = d->grant_table->frame_mfn[idx];
    return 0;
}

/* Drop gfn's entry from the nested tables (an access there faults again). */
static void npt_unmap(struct hvm_domain *h, uint64_t gfn)
{
    uint64_t gpa = gfn << PAGE_SHIFT, *t = phys_to_virt(h->npt_root);
    for (int shift = 39; shift > 12; shift -= 9) {
        uint64_t e = t[(gpa >> shift) & 511];
        if (!(e & NPT_PRESENT))
            return;
        t = phys_to_virt(e & PTE_ADDR);
    }
    t[(gpa >> 12) & 511] = 0;
}

/*
 * XENMEM_add_to_physmap of XENMAPSPACE_grant_table: frame idx of the
 * domain's grant table (grown to it, as Xen grows it, up to its maximum)
 * at gfn, where Linux puts it: pages it keeps outside its RAM for such
 * mappings. A frame mapped elsewhere before moves; a grant frame already
 * at gfn is replaced. Over RAM is -EINVAL here (the p2m is an array over
 * RAM only), where Xen would take the RAM page out.
 */
int hvm_map_grant_frame(struct domain *d, unsigned idx, uint64_t gfn)
{
    struct hvm_domain *h = d->arch->hvm;
    struct grant_table *gt = d->grant_table;
    int rc = 0;

    if (gfn < h->nr_pages || gfn >= (1ull << (48 - PAGE_SHIFT)) || idx >= HVM_GRANT_FRAMES_MAX)
        return -EINVAL;
    grant_table_lock(d);
    if (idx >= gt->max_frames || gt->dying)
        rc = -EINVAL;
    else if (idx >= gt->nr_frames && gnt_grow(gt, idx + 1) < 0)
        rc = -ENOMEM;
    uint64_t mfn = rc ? 0 : gt->frame_mfn[idx];
    grant_table_unlock(d);
    if (rc)
        return rc;

    spin_lock(&d->lock);
    int there = grant_frame_at(h, gfn);
    if (there >= 0)
        __atomic_store_n(&h->grant_frames[there].mapped, false, __ATOMIC_RELEASE);
    if (h->grant_frames[idx].mapped && h->grant_frames[idx].gfn != gfn)
        npt_unmap(h, h->grant_frames[idx].gfn);
    __atomic_store_n(&h->grant_frames[idx].mapped, false, __ATOMIC_RELEASE);
    rc = npt_map(h, phys_to_virt(h->npt_root), gfn, mfn);
    if (!rc) {
        __atomic_store_n(&h->grant_frames[idx].gfn, gfn, __ATOMIC_RELAXED);
        __atomic_store_n(&h->grant_frames[idx].mapped, true, __ATOMIC_RELEASE);
    }
    spin_unlock(&d->lock);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i] && hvm_ops->npt_changed)
            hvm_ops->npt_changed(d->vcpus[i]);
    return rc;
}

/* Point gfn at mfn in the p2m and the nested tables (the tables exist: gfn is RAM). */
static void remap(struct domain *d, uint64_t gfn, uint64_t mfn)
{
    struct hvm_domain *h = d->arch->hvm;

    __atomic_store_n(&h->p2m[gfn], mfn, __ATOMIC_RELEASE);
    npt_map(h, phys_to_virt(h->npt_root), gfn, mfn);
}

/*
 * XENMEM_add_to_physmap of XENMAPSPACE_shared_info: the page covers a RAM
 * frame of the guest's (Linux picks a free one), which comes back when the
 * page moves on; the frame stays the domain's meanwhile. Xen would also
 * take a gfn outside RAM; here the p2m is an array over RAM only, so such
 * a gfn is -EINVAL.
 */
int hvm_map_shared_info(struct domain *d, uint64_t gfn)
{
    struct hvm_domain *h = d->arch->hvm;

    if (gfn >= h->nr_pages)
        return -EINVAL;
    spin_lock(&d->lock);
    if (h->shared_info_gfn != gfn) {
        if (h->shared_info_gfn != ~0ull)
            remap(d, h->shared_info_gfn, h->displaced_mfn);
        h->displaced_mfn = h->p2m[gfn];
        h->shared_info_gfn = gfn;
        remap(d, gfn, d->shared_info_mfn);
    }
    spin_unlock(&d->lock);
    for (unsigned i = 0; i < d->max_vcpus; i++)
        if (d->vcpus[i] && hvm_ops->npt_changed)
            hvm_ops->npt_changed(d->vcpus[i]);
    return 0;
}

/* Copy through the p2m, a page at a time; write selects the direction. */
static int copy_gpa(struct domain *d, uint64_t gpa, void *buf, size_t len, bool write)
{
    const struct hvm_domain *h = d->arch->hvm;
    uint8_t *p = buf;

    if (!h)
        return -EFAULT;
    while (len) {
        uint64_t gfn = gpa >> PAGE_SHIFT, off = gpa & (PAGE_SIZE - 1), mfn;
        size_t n = MIN(len, (size_t)(PAGE_SIZE - off));
        if (hvm_gfn_to_mfn(d, gfn, &mfn) < 0)
            return -EFAULT;
        uint8_t *hv = (uint8_t *)phys_to_virt(mfn << PAGE_SHIFT) + off;
        if (write)
            memcpy(hv, p, n);
        else
            memcpy(p, hv, n);
        p += n;
        gpa += n;
        len -= n;
    }
    return 0;
}

int hvm_copy_from_gpa(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
    return copy_gpa(d, gpa, dst, len, false);
}

int hvm_copy_to_gpa(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
    return copy_gpa(d, gpa, (void *)src, len, true);
}
