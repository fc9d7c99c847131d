/*
 * common/grant_table*.c against fake domains and fake frames: every
 * GNTTABOP this hypervisor implements and its GNTST_* errors, the status
 * bits a granter sees, the frames pinned while mapped, the death of either
 * side, batches, and threads mapping concurrently. Each test starts from
 * dom0 (privileged), dom1 and dom2, and ends by checking every domain's
 * invariants and that all memory, frames and frame mappings came back.
 *
 * The doubles (arch hooks, guest copies, allocation, domain_free) are at
 * the top of this file; guest addresses are host pointers.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pvabi/xen.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>
#include "arch_stubs.h"
#include "unit.h"

/* ==== doubles ============================================================== */

#define NR_FRAMES   1024
#define FIRST_MFN   0x1000u
#define DOM_ORDER   3                       /* 8 data frames per fake domain */
#define BAD_VA      0xFFFF800000000000ull   /* the hypervisor's range */

struct page_allocator frame_allocator;
static struct page_info frame_meta[NR_FRAMES];
static uint8_t *frame_memory;

static __thread struct vcpu *stub_current;
static unsigned copy_from_calls, copy_to_calls;
static bool fail_copy_from, fail_copy_to;
static unsigned alloc_fail_at;             /* fail the Nth xzalloc from now */
static long allocs_live, frame_maps_live;
static uint64_t eagain_gfn = UINT64_MAX;
static bool map_host_fails;
static unsigned unmap_host_calls;

struct host_map {
    struct domain *d;
    uint64_t va, mfn;
    bool ro, used;
};
#define MAX_HOST_MAPS 4096
static struct host_map host_maps[MAX_HOST_MAPS];
static pthread_mutex_t host_maps_lock = PTHREAD_MUTEX_INITIALIZER;

struct vcpu *current_vcpu(void)
{
    return stub_current;
}

void vcpu_kick(struct vcpu *v)
{
    (void)v;
}

int copy_from_guest(void *dst, uint64_t guest_addr, size_t len)
{
    __atomic_fetch_add(&copy_from_calls, 1, __ATOMIC_RELAXED);
    if (fail_copy_from || !guest_addr)
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)guest_addr, len);
    return 0;
}

int copy_to_guest(uint64_t guest_addr, const void *src, size_t len)
{
    __atomic_fetch_add(&copy_to_calls, 1, __ATOMIC_RELAXED);
    if (fail_copy_to || !guest_addr)
        return -EFAULT;
    memcpy((void *)(uintptr_t)guest_addr, src, len);
    return 0;
}

void *xzalloc(size_t size)
{
    if (alloc_fail_at && --alloc_fail_at == 0)
        return NULL;
    void *p = calloc(1, size);
    if (p)
        __atomic_fetch_add(&allocs_live, 1, __ATOMIC_RELAXED);
    return p;
}

void *xzalloc_array(size_t n, size_t size)
{
    return size && n > SIZE_MAX / size ? NULL : xzalloc(n * size);
}

void xfree(void *p)
{
    if (p)
        __atomic_fetch_sub(&allocs_live, 1, __ATOMIC_RELAXED);
    free(p);
}

static bool in_span(uint64_t mfn)
{
    return mfn >= FIRST_MFN && mfn < FIRST_MFN + NR_FRAMES;
}

static uint8_t *frame_ptr(uint64_t mfn)
{
    return frame_memory + (mfn - FIRST_MFN) * PAGE_SIZE;
}

void *arch_map_frame(uint64_t mfn)
{
    if (!in_span(mfn))
        return NULL;
    __atomic_fetch_add(&frame_maps_live, 1, __ATOMIC_RELAXED);
    return frame_ptr(mfn);
}

void arch_unmap_frame(void *va)
{
    CU_ASSERT_PTR_NOT_NULL(va);
    __atomic_fetch_sub(&frame_maps_live, 1, __ATOMIC_RELAXED);
}

/*
 * The arch's page-type rule, as the tests model it: a frame flagged
 * PGF_PAGETABLE takes no writable use; every use is counted so the tests
 * can check that each one taken is given back.
 */
static unsigned writable_uses[NR_FRAMES];

int arch_frame_get_writable(struct domain *rd, uint64_t mfn)
{
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, mfn), rd->domain_id);
    if (!in_span(mfn) || (frame_meta[mfn - FIRST_MFN].flags & PGF_PAGETABLE))
        return -EBUSY;
    __atomic_fetch_add(&writable_uses[mfn - FIRST_MFN], 1, __ATOMIC_RELAXED);
    return 0;
}

void arch_frame_put_writable(struct domain *rd, uint64_t mfn)
{
    (void)rd;
    CU_ASSERT_FATAL(in_span(mfn));
    CU_ASSERT_FATAL(__atomic_load_n(&writable_uses[mfn - FIRST_MFN], __ATOMIC_RELAXED) > 0);
    __atomic_fetch_sub(&writable_uses[mfn - FIRST_MFN], 1, __ATOMIC_RELAXED);
}

/* Every writable use agrees with the writable grant mappings (no copy in flight). */
static void check_writable_uses(void)
{
    for (unsigned i = 0; i < NR_FRAMES; i++) {
        unsigned ro, rw;
        grant_frame_counts(FIRST_MFN + i, &ro, &rw);
        CU_ASSERT_EQUAL(writable_uses[i], rw);
    }
}

int arch_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    (void)d;
    if (gfn == eagain_gfn)
        return -EAGAIN;
    if (!in_span(gfn))
        return -EINVAL;
    *mfn = gfn;     /* PV: the guest names machine frames */
    return 0;
}

static struct host_map *find_host_map(struct domain *d, uint64_t va)
{
    for (unsigned i = 0; i < MAX_HOST_MAPS; i++)
        if (host_maps[i].used && host_maps[i].d == d && host_maps[i].va == va)
            return &host_maps[i];
    return NULL;
}

/* Grant mappings by PTE address live in the same table under this bit. */
#define PTE_KEY (1ull << 62)

/* The fake page tables: one grant mapping per key, never over another. */
static int fake_map(struct domain *d, uint64_t key, uint64_t mfn, bool readonly)
{
    int rc = GNTST_general_error;
    pthread_mutex_lock(&host_maps_lock);
    if (!find_host_map(d, key)) {
        for (unsigned i = 0; i < MAX_HOST_MAPS; i++)
            if (!host_maps[i].used) {
                host_maps[i] = (struct host_map){ d, key, mfn, readonly, true };
                rc = GNTST_okay;
                break;
            }
    }
    pthread_mutex_unlock(&host_maps_lock);
    return rc;
}

static int fake_unmap(struct domain *d, uint64_t key, uint64_t mfn)
{
    int rc = GNTST_general_error;
    __atomic_fetch_add(&unmap_host_calls, 1, __ATOMIC_RELAXED);
    pthread_mutex_lock(&host_maps_lock);
    struct host_map *h = find_host_map(d, key);
    if (h && h->mfn == mfn) {
        h->used = false;
        rc = GNTST_okay;
    }
    pthread_mutex_unlock(&host_maps_lock);
    return rc;
}

int arch_grant_map_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly)
{
    if (va & (PAGE_SIZE - 1) || va >= BAD_VA)
        return GNTST_bad_virt_addr;
    if (map_host_fails)
        return -EINVAL;     /* not a GNTST code: must read as general_error */
    return fake_map(v->domain, va, mfn, readonly);
}

int arch_grant_unmap_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool readonly)
{
    (void)readonly;
    return fake_unmap(v->domain, va, mfn);
}

int arch_grant_map_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly)
{
    if (pte_maddr & 7)
        return GNTST_general_error;     /* not an entry of a page table */
    return fake_map(v->domain, pte_maddr | PTE_KEY, mfn, readonly);
}

int arch_grant_unmap_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn, bool readonly)
{
    (void)readonly;
    return fake_unmap(v->domain, pte_maddr | PTE_KEY, mfn);
}

/* What the guest sees at va through its host mappings, or NULL. */
static uint8_t *guest_va(struct domain *d, uint64_t va, bool *ro)
{
    struct host_map *h = find_host_map(d, va);
    if (!h)
        return NULL;
    if (ro)
        *ro = h->ro;
    return frame_ptr(h->mfn);
}

/* ---- fake domains ---- */

struct fake_dom {
    struct domain d;
    struct vcpu v[2];
    uint64_t first_mfn;        /* 2^DOM_ORDER data frames */
    bool freed, freed_while_mapped;
};

void domain_free(struct domain *d)
{
    struct fake_dom *f = (struct fake_dom *)d;
    for (unsigned i = 0; i < (1u << DOM_ORDER); i++)
        if (grant_frame_in_use(f->first_mfn + i))
            f->freed_while_mapped = true;
    grant_table_domain_free(d);
    page_alloc_free(&frame_allocator, f->first_mfn, DOM_ORDER);
    f->freed = true;
}

static struct fake_dom *fake_dom_new(domid_t id, bool privileged)
{
    struct fake_dom *f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    f->d.domain_id = id;
    f->d.is_privileged = privileged;
    spin_lock_init(&f->d.lock);
    f->d.state = DOMAIN_RUNNING;
    f->d.max_vcpus = 2;
    for (unsigned i = 0; i < 2; i++) {
        f->v[i].vcpu_id = i;
        f->v[i].domain = &f->d;
        f->d.vcpus[i] = &f->v[i];
    }
    if (page_alloc_alloc(&frame_allocator, DOM_ORDER, id, &f->first_mfn) ||
        grant_table_domain_init(&f->d, 0) || domain_register(&f->d))
        abort();
    return f;
}

static void fake_dom_kill(struct fake_dom *f)
{
    if (f->d.state == DOMAIN_DYING)
        return;
    f->d.state = DOMAIN_DYING;
    grant_table_domain_destroy(&f->d);
    domain_release(&f->d);
}

static void fake_dom_release(struct fake_dom *f)
{
    if (!f)
        return;
    fake_dom_kill(f);
    CU_ASSERT_TRUE(f->freed);
    CU_ASSERT_FALSE(f->freed_while_mapped);
    if (f->freed)
        free(f);
}

/* ==== test helpers ========================================================= */

static struct fake_dom *dom0, *dom1, *dom2;
static uint64_t free_at_start;

static uint64_t frames_free(void)
{
    struct page_alloc_stats st;
    page_alloc_stats(&frame_allocator, &st);
    return st.free;
}

static void check_invariants(struct fake_dom *f)
{
    const char *why = NULL;
    if (!f || f->freed)
        return;
    int rc = grant_table_check(&f->d, &why);
    if (rc)
        fprintf(stderr, "\n  domain %u: %s\n", f->d.domain_id, why);
    CU_ASSERT_EQUAL(rc, 0);
}

static void setup(void)
{
    copy_from_calls = copy_to_calls = unmap_host_calls = 0;
    fail_copy_from = fail_copy_to = map_host_fails = false;
    alloc_fail_at = 0;
    eagain_gfn = UINT64_MAX;
    memset(host_maps, 0, sizeof(host_maps));
    free_at_start = frames_free();
    dom0 = fake_dom_new(0, true);
    dom1 = fake_dom_new(1, false);
    dom2 = fake_dom_new(2, false);
}

static void teardown(void)
{
    check_writable_uses();
    check_invariants(dom0);
    check_invariants(dom1);
    check_invariants(dom2);
    fake_dom_release(dom2);
    fake_dom_release(dom1);
    fake_dom_release(dom0);
    dom0 = dom1 = dom2 = NULL;
    CU_ASSERT_EQUAL(allocs_live, 0);
    CU_ASSERT_EQUAL(frame_maps_live, 0);
    CU_ASSERT_EQUAL(frames_free(), free_at_start);
    CU_ASSERT_EQUAL(page_alloc_check(&frame_allocator), 0);
    for (unsigned i = 0; i < NR_FRAMES; i++)
        CU_ASSERT_EQUAL(writable_uses[i], 0);
}

static long hypercall(struct fake_dom *f, unsigned cmd, void *arg, unsigned count)
{
    stub_current = &f->v[0];
    long rc = do_grant_table_op(cmd, (uint64_t)(uintptr_t)arg, count);
    stub_current = NULL;
    return rc;
}

static grant_entry_v1_t *entry(struct fake_dom *f, grant_ref_t ref)
{
    return gnt_entry(f->d.grant_table, ref);
}

/* The granting guest's side: frame and domid, then flags. */
static void grant(struct fake_dom *f, grant_ref_t ref, domid_t to, uint64_t mfn, uint16_t extra)
{
    grant_entry_v1_t *e = entry(f, ref);
    e->domid = to;
    e->frame = (uint32_t)mfn;
    __atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | extra), __ATOMIC_RELEASE);
}

static uint16_t flags_of(struct fake_dom *f, grant_ref_t ref)
{
    return __atomic_load_n(&entry(f, ref)->flags, __ATOMIC_ACQUIRE);
}

/* A guest revoking properly: only if the hypervisor is not using the entry. */
static bool guest_revoke(struct fake_dom *f, grant_ref_t ref)
{
    uint16_t expect = flags_of(f, ref) & ~(GTF_reading | GTF_writing);
    return __atomic_compare_exchange_n(&entry(f, ref)->flags, &expect, 0, false, __ATOMIC_ACQ_REL,
                                       __ATOMIC_ACQUIRE);
}

static uint64_t data_mfn(struct fake_dom *f, unsigned i)
{
    return f->first_mfn + i;
}

#define VA(n) (0x400000ull + (uint64_t)(n) * PAGE_SIZE)

static int16_t map(struct fake_dom *f, domid_t dom, grant_ref_t ref, uint64_t va, uint32_t flags,
                   grant_handle_t *handle)
{
    struct gnttab_map_grant_ref op = { .host_addr = va, .flags = flags, .ref = ref, .dom = dom,
                                       .status = 99, .handle = 0xdead };
    CU_ASSERT_EQUAL(hypercall(f, GNTTABOP_map_grant_ref, &op, 1), 0);
    if (handle)
        *handle = op.handle;
    return op.status;
}

static int16_t unmap(struct fake_dom *f, grant_handle_t handle, uint64_t va)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = va, .handle = handle, .status = 99 };
    CU_ASSERT_EQUAL(hypercall(f, GNTTABOP_unmap_grant_ref, &op, 1), 0);
    return op.status;
}

static int16_t copy(struct fake_dom *f, struct gnttab_copy *c)
{
    c->status = 99;
    CU_ASSERT_EQUAL(hypercall(f, GNTTABOP_copy, c, 1), 0);
    return c->status;
}

static void counts(uint64_t mfn, unsigned *ro, unsigned *rw)
{
    grant_frame_counts(mfn, ro, rw);
}

/* ==== table management ===================================================== */

static void test_init_defaults(void)
{
    struct gnttab_query_size qs = { .dom = DOMID_SELF, .status = 99 };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_query_size, &qs, 1), 0);
    CU_ASSERT_EQUAL(qs.status, GNTST_okay);
    CU_ASSERT_EQUAL(qs.nr_frames, 1);
    CU_ASSERT_EQUAL(qs.max_nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, dom1->d.grant_table->frame_mfn[0]), 1);
    CU_ASSERT_EQUAL(grant_table_domain_init(&dom1->d, 0), -EEXIST);

    struct domain d = { .domain_id = 9 };
    CU_ASSERT_EQUAL(grant_table_domain_init(&d, GNTTAB_MAX_FRAMES_LIMIT + 1), -EINVAL);
    CU_ASSERT_PTR_NULL(d.grant_table);
    uint64_t before = frames_free();
    for (unsigned n = 1; n <= 2; n++) {
        alloc_fail_at = n;          /* the table struct, then the active array */
        CU_ASSERT_EQUAL(grant_table_domain_init(&d, 4), -ENOMEM);
        CU_ASSERT_PTR_NULL(d.grant_table);
        CU_ASSERT_EQUAL(frames_free(), before);
    }
    alloc_fail_at = 0;
    CU_ASSERT_EQUAL(grant_table_domain_init(&d, 4), 0);
    CU_ASSERT_EQUAL(d.grant_table->max_frames, 4);
    grant_table_domain_free(&d);
    CU_ASSERT_PTR_NULL(d.grant_table);
    CU_ASSERT_EQUAL(frames_free(), before);
}

static long setup_table(struct fake_dom *f, domid_t dom, uint32_t n, xen_pfn_t *frames, int16_t *status)
{
    struct gnttab_setup_table st = { .dom = dom, .nr_frames = n, .status = 99 };
    set_xen_guest_handle(st.frame_list, frames);
    long rc = hypercall(f, GNTTABOP_setup_table, &st, 1);
    *status = st.status;
    return rc;
}

static void test_setup_table_frames(void)
{
    xen_pfn_t frames[GNTTAB_MAX_FRAMES_LIMIT] = { 0 };
    int16_t st;

    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 1, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_okay);
    CU_ASSERT_EQUAL(frames[0], dom1->d.grant_table->frame_mfn[0]);
    /* The frame the guest gets is the table the hypervisor reads. */
    grant_entry_v1_t *guest_view = (grant_entry_v1_t *)frame_ptr(frames[0]);
    guest_view[10].frame = 1234;
    CU_ASSERT_EQUAL(entry(dom1, 10)->frame, 1234);
    guest_view[10].frame = 0;

    /* Growth: four frames, all distinct and the domain's; entries beyond. */
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 4, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_okay);
    for (unsigned i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(page_owner(&frame_allocator, frames[i]), 1);
        CU_ASSERT_TRUE(grant_table_has_frame(&dom1->d, frames[i]));
        for (unsigned j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(frames[i], frames[j]);
    }
    CU_ASSERT_EQUAL(gnt_nr_entries(dom1->d.grant_table), 4 * 512);
    /* Asking for fewer keeps the table; the first frames are unchanged. */
    xen_pfn_t again[2];
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 2, again, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_okay);
    CU_ASSERT_EQUAL(again[0], frames[0]);
    CU_ASSERT_EQUAL(again[1], frames[1]);
    CU_ASSERT_EQUAL(dom1->d.grant_table->nr_frames, 4);

    /* The limit: 33 is refused and nothing grows; 32 is fine. */
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 33, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_general_error);
    CU_ASSERT_EQUAL(dom1->d.grant_table->nr_frames, 4);
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 100000, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_general_error);
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 32, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_okay);
    CU_ASSERT_EQUAL(dom1->d.grant_table->nr_frames, 32);
}

static void test_setup_table_errors(void)
{
    xen_pfn_t frames[4];
    int16_t st;
    struct gnttab_setup_table op = { .dom = DOMID_SELF, .nr_frames = 1 };
    set_xen_guest_handle(op.frame_list, frames);

    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_setup_table, &op, 2), -EINVAL);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_setup_table, NULL, 1), -EFAULT);
    fail_copy_to = true;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_setup_table, &op, 1), -EFAULT);
    fail_copy_to = false;

    CU_ASSERT_EQUAL(setup_table(dom1, 0x7000, 1, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_bad_domain);
    CU_ASSERT_EQUAL(setup_table(dom1, 0, 1, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_permission_denied);
    CU_ASSERT_EQUAL(setup_table(dom1, 2, 1, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_permission_denied);
    /* The control domain may set up another's table. */
    CU_ASSERT_EQUAL(setup_table(dom0, 2, 2, frames, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_okay);
    CU_ASSERT_EQUAL(frames[1], dom2->d.grant_table->frame_mfn[1]);
    /* An unwritable frame list. */
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 1, NULL, &st), 0);
    CU_ASSERT_EQUAL(st, GNTST_bad_virt_addr);

    /* Out of frames while growing: nothing half-added. */
    uint64_t before = frames_free();
    alloc_fail_at = 2;              /* the second frame's active array */
    CU_ASSERT_EQUAL(setup_table(dom1, DOMID_SELF, 3, frames, &st), 0);
    alloc_fail_at = 0;
    CU_ASSERT_EQUAL(st, GNTST_general_error);
    CU_ASSERT_EQUAL(dom1->d.grant_table->nr_frames, 1);
    CU_ASSERT_EQUAL(frames_free(), before);
}

static void test_query_size_errors(void)
{
    struct gnttab_query_size qs = { .dom = DOMID_SELF };

    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_query_size, &qs, 0), -EINVAL);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_query_size, NULL, 1), -EFAULT);
    qs.dom = 0x7000;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_query_size, &qs, 1), 0);
    CU_ASSERT_EQUAL(qs.status, GNTST_bad_domain);
    qs.dom = 2;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_query_size, &qs, 1), 0);
    CU_ASSERT_EQUAL(qs.status, GNTST_permission_denied);
    qs.dom = 2;
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_query_size, &qs, 1), 0);
    CU_ASSERT_EQUAL(qs.status, GNTST_okay);
    CU_ASSERT_EQUAL(qs.nr_frames, 1);
}

static void test_versions(void)
{
    struct gnttab_get_version gv = { .dom = DOMID_SELF };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_version, &gv, 1), 0);
    CU_ASSERT_EQUAL(gv.version, 1);

    struct gnttab_set_version sv = { .version = 1 };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_set_version, &sv, 1), 0);
    CU_ASSERT_EQUAL(sv.version, 1);
    sv.version = 2;         /* above the domain's maximum: refused cleanly, the version stays 1 */
    CU_ASSERT_EQUAL(grant_table_set_max_version(&dom1->d, 1), 0);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_set_version, &sv, 1), -ENOSYS);
    CU_ASSERT_EQUAL(sv.version, 1);
    sv.version = 3;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_set_version, &sv, 1), -EINVAL);
    CU_ASSERT_EQUAL(sv.version, 1);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_set_version, NULL, 1), -EFAULT);

    gv = (struct gnttab_get_version){ .dom = 0x7000 };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_version, &gv, 1), -ESRCH);
    gv.dom = 2;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_version, &gv, 1), -EPERM);
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_get_version, &gv, 1), 0);
    CU_ASSERT_EQUAL(gv.version, 1);

    /* Version 1 has no status frames. */
    uint64_t sf[1];
    struct gnttab_get_status_frames gs = { .nr_frames = 1, .dom = DOMID_SELF };
    set_xen_guest_handle(gs.frame_list, sf);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_status_frames, &gs, 1), 0);
    CU_ASSERT_EQUAL(gs.status, GNTST_general_error);
    gs.nr_frames = 0;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_status_frames, &gs, 1), 0);
    CU_ASSERT_EQUAL(gs.status, GNTST_okay);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_status_frames, &gs, 2), -EINVAL);
    gs.dom = 0x7000;
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_get_status_frames, &gs, 1), 0);
    CU_ASSERT_EQUAL(gs.status, GNTST_bad_domain);
}

static void test_unknown_ops(void)
{
    struct gnttab_copy c = { 0 };
    CU_ASSERT_EQUAL(hypercall(dom1, 99, &c, 1), -ENOSYS);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_transfer, &c, 1), -ENOSYS);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_swap_grant_ref, &c, 1), -ENOSYS);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_copy, &c, (unsigned)-1), -EINVAL);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_copy | (1u << 12), &c, 1), -EINVAL);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_map_grant_ref, NULL, 1), -EFAULT);
    CU_ASSERT_STRING_EQUAL(gnttab_op_name(GNTTABOP_map_grant_ref), "map_grant_ref");
    CU_ASSERT_PTR_NULL(gnttab_op_name(99));
    /* No current vCPU: nothing to act for. */
    CU_ASSERT_EQUAL(do_grant_table_op(GNTTABOP_copy, (uint64_t)(uintptr_t)&c, 1), -ENOSYS);
}

/* ==== map and unmap ======================================================== */

static void test_map_unmap_self(void)
{
    uint64_t page = data_mfn(dom1, 0);
    memset(frame_ptr(page), 0x5a, PAGE_SIZE);
    grant(dom1, 10, 1, page, 0);

    struct gnttab_map_grant_ref op = { .host_addr = VA(1), .flags = GNTMAP_host_map, .ref = 10, .dom = 1 };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_map_grant_ref, &op, 1), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_okay);
    CU_ASSERT_EQUAL(op.dev_bus_addr, page << PAGE_SHIFT);
    bool ro = true;
    CU_ASSERT_PTR_EQUAL(guest_va(&dom1->d, VA(1), &ro), frame_ptr(page));
    CU_ASSERT_FALSE(ro);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading | GTF_writing);
    unsigned r, w;
    counts(page, &r, &w);
    CU_ASSERT_EQUAL(r, 0);
    CU_ASSERT_EQUAL(w, 1);
    CU_ASSERT_TRUE(grant_frame_in_use(page));
    check_invariants(dom1);

    CU_ASSERT_EQUAL(unmap(dom1, op.handle, VA(1)), GNTST_okay);
    CU_ASSERT_PTR_NULL(guest_va(&dom1->d, VA(1), NULL));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    CU_ASSERT_FALSE(grant_frame_in_use(page));
    /* Twice: the handle is gone. */
    CU_ASSERT_EQUAL(unmap(dom1, op.handle, VA(1)), GNTST_bad_handle);
}

static void test_map_readonly_grant(void)
{
    uint64_t page = data_mfn(dom1, 1);
    grant(dom1, 11, 2, page, GTF_readonly);
    grant_handle_t h;

    CU_ASSERT_EQUAL(map(dom2, 1, 11, VA(1), GNTMAP_host_map, &h), GNTST_general_error);
    CU_ASSERT_EQUAL(flags_of(dom1, 11), GTF_permit_access | GTF_readonly);
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 11, VA(1), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 11), GTF_permit_access | GTF_readonly | GTF_reading);
    bool ro = false;
    CU_ASSERT_PTR_EQUAL(guest_va(&dom2->d, VA(1), &ro), frame_ptr(page));
    CU_ASSERT_TRUE(ro);
    unsigned r, w;
    counts(page, &r, &w);
    CU_ASSERT_EQUAL(r, 1);
    CU_ASSERT_EQUAL(w, 0);
    /* Still no writable use while mapped read-only. */
    CU_ASSERT_EQUAL(map(dom2, 1, 11, VA(2), GNTMAP_host_map, NULL), GNTST_general_error);
    check_invariants(dom1);
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 11), GTF_permit_access | GTF_readonly);
}

static void test_map_errors(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);

    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), 0, NULL), GNTST_bad_gntref);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_readonly, NULL), GNTST_bad_gntref);
    CU_ASSERT_EQUAL(map(dom2, 0x7000, 0, VA(1), GNTMAP_host_map, NULL), GNTST_bad_domain);
    CU_ASSERT_EQUAL(map(dom1, DOMID_SELF, 10, VA(1), GNTMAP_host_map, NULL), GNTST_bad_domain);
    CU_ASSERT_EQUAL(map(dom2, 1, 1u << 20, VA(1), GNTMAP_host_map, NULL), GNTST_bad_gntref);
    CU_ASSERT_EQUAL(map(dom2, 1, 0xffffffffu, VA(1), GNTMAP_host_map, NULL), GNTST_bad_gntref);
    CU_ASSERT_EQUAL(map(dom2, 1, 512, VA(1), GNTMAP_host_map, NULL), GNTST_bad_gntref);
    CU_ASSERT_EQUAL(map(dom2, 1, 9, VA(1), GNTMAP_host_map, NULL), GNTST_general_error);  /* idle */
    CU_ASSERT_EQUAL(map(dom0, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_general_error); /* not ours */
    CU_ASSERT_EQUAL(map(dom2, 1, 10, 0x5003, GNTMAP_host_map | GNTMAP_contains_pte, NULL),
                    GNTST_general_error);       /* the arch refuses the PTE address */
    /* The hook refuses the address: nothing stays behind. */
    CU_ASSERT_EQUAL(map(dom2, 1, 10, BAD_VA, GNTMAP_host_map, NULL), GNTST_bad_virt_addr);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1) + 8, GNTMAP_host_map, NULL), GNTST_bad_virt_addr);
    map_host_fails = true;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_general_error);
    map_host_fails = false;
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, 0);
    CU_ASSERT_FALSE(grant_frame_in_use(page));

    /* Frames the granter does not own, paged out, or a page table. */
    grant(dom1, 12, 2, data_mfn(dom2, 0), 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(1), GNTMAP_host_map, NULL), GNTST_bad_page);
    grant(dom1, 12, 2, FIRST_MFN + NR_FRAMES + 5, 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(1), GNTMAP_host_map, NULL), GNTST_bad_page);
    grant(dom1, 12, 2, data_mfn(dom1, 2), 0);
    eagain_gfn = data_mfn(dom1, 2);
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(1), GNTMAP_host_map, NULL), GNTST_eagain);
    eagain_gfn = UINT64_MAX;
    CU_ASSERT_EQUAL(flags_of(dom1, 12), GTF_permit_access);
    struct page_info *pi = gnt_frame_info(data_mfn(dom1, 2));
    pi->flags |= PGF_PAGETABLE;
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(1), GNTMAP_host_map, NULL), GNTST_general_error);
    grant_handle_t h;
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(1), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);
    /* Mapped read-only, a writable mapping of the page table is still refused. */
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(2), GNTMAP_host_map, NULL), GNTST_general_error);
    CU_ASSERT_EQUAL(flags_of(dom1, 12), GTF_permit_access | GTF_reading);
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    pi->flags &= (uint8_t)~PGF_PAGETABLE;
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, 0);
}

static void test_unmap_errors(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    grant_handle_t h;

    CU_ASSERT_EQUAL(unmap(dom2, 12345, VA(1)), GNTST_bad_handle);
    CU_ASSERT_EQUAL(unmap(dom2, 0, VA(1)), GNTST_bad_handle);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);
    CU_ASSERT_EQUAL(unmap(dom2, h + 1, VA(1)), GNTST_bad_handle);
    /* Another domain's handle number names nothing of ours. */
    CU_ASSERT_EQUAL(unmap(dom1, h, VA(1)), GNTST_bad_handle);
    /* The wrong address: the hook refuses and the mapping stays. */
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(7)), GNTST_general_error);
    CU_ASSERT_PTR_NOT_NULL(guest_va(&dom2->d, VA(1), NULL));
    /* No address at all: nothing to do, and nothing done. */
    CU_ASSERT_EQUAL(unmap(dom2, h, 0), GNTST_okay);
    CU_ASSERT_TRUE(grant_frame_in_use(page));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading | GTF_writing);
    check_invariants(dom1);
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(page));

    /* A copy of an unmap op with a fault writing the status back. */
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);
    struct gnttab_unmap_grant_ref u = { .host_addr = VA(1), .handle = h };
    fail_copy_to = true;
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_unmap_grant_ref, &u, 1), -EFAULT);
    fail_copy_to = false;
    CU_ASSERT_FALSE(grant_frame_in_use(page));     /* the unmap itself was done */
}

/* GNTMAP_contains_pte: host_addr names a PTE; the _pte hooks get it, both ways. */
static void test_map_by_pte_address(void)
{
    uint64_t page = data_mfn(dom1, 0), pte = 0x123458;
    grant(dom1, 10, 2, page, 0);
    grant_handle_t h;

    CU_ASSERT_EQUAL(map(dom2, 1, 10, pte, GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_application_map, &h),
                    GNTST_okay);
    struct host_map *hm = find_host_map(&dom2->d, pte | PTE_KEY);
    CU_ASSERT_PTR_NOT_NULL(hm);
    CU_ASSERT_PTR_NULL(find_host_map(&dom2->d, pte));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading | GTF_writing);
    /* Unmapping goes to the PTE hook too: the VA-keyed entry does not exist. */
    CU_ASSERT_EQUAL(unmap(dom2, h, pte + 8), GNTST_general_error);
    CU_ASSERT_EQUAL(unmap(dom2, h, pte), GNTST_okay);
    CU_ASSERT_PTR_NULL(find_host_map(&dom2->d, pte | PTE_KEY));
    CU_ASSERT_FALSE(grant_frame_in_use(page));

    /* A PTE mapping of a dying mapper is removed through the PTE hook. */
    CU_ASSERT_EQUAL(map(dom2, 1, 10, pte, GNTMAP_host_map | GNTMAP_contains_pte | GNTMAP_readonly, NULL),
                    GNTST_okay);
    fake_dom_kill(dom2);
    CU_ASSERT_PTR_NULL(find_host_map(&dom2->d, pte | PTE_KEY));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    fake_dom_release(dom2);
    dom2 = NULL;
}

static void test_device_map(void)
{
    uint64_t page = data_mfn(dom1, 3);
    grant(dom1, 20, 0, page, 0);
    struct gnttab_map_grant_ref op = { .flags = GNTMAP_device_map, .ref = 20, .dom = 1 };

    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_map_grant_ref, &op, 1), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_okay);
    CU_ASSERT_EQUAL(op.dev_bus_addr, page << PAGE_SHIFT);
    CU_ASSERT_EQUAL(gnt_active(dom1->d.grant_table, 20)->dev_rw, 1);
    CU_ASSERT_EQUAL(flags_of(dom1, 20), GTF_permit_access | GTF_reading | GTF_writing);
    check_invariants(dom1);

    struct gnttab_unmap_grant_ref u = { .dev_bus_addr = (page + 1) << PAGE_SHIFT, .handle = op.handle };
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    CU_ASSERT_EQUAL(u.status, GNTST_bad_dev_addr);
    u.dev_bus_addr = page << PAGE_SHIFT;
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    CU_ASSERT_EQUAL(u.status, GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 20), GTF_permit_access);
    CU_ASSERT_EQUAL(dom0->d.grant_table->maptrack_live, 0);

    /* Host and device at once: two uses, released separately. */
    op = (struct gnttab_map_grant_ref){ .host_addr = VA(3), .flags = GNTMAP_device_map | GNTMAP_host_map,
                                        .ref = 20, .dom = 1 };
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_map_grant_ref, &op, 1), 0);
    CU_ASSERT_EQUAL(op.status, GNTST_okay);
    unsigned r, w;
    counts(page, &r, &w);
    CU_ASSERT_EQUAL(w, 2);
    u = (struct gnttab_unmap_grant_ref){ .host_addr = VA(3), .handle = op.handle };
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    CU_ASSERT_EQUAL(u.status, GNTST_okay);
    counts(page, &r, &w);
    CU_ASSERT_EQUAL(w, 1);
    CU_ASSERT_EQUAL(dom0->d.grant_table->maptrack_live, 1);
    check_invariants(dom1);
    u = (struct gnttab_unmap_grant_ref){ .dev_bus_addr = page << PAGE_SHIFT, .handle = op.handle };
    CU_ASSERT_EQUAL(hypercall(dom0, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    CU_ASSERT_EQUAL(u.status, GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(page));
    CU_ASSERT_EQUAL(dom0->d.grant_table->maptrack_live, 0);
}

static void test_two_domains_status_bits(void)
{
    uint64_t page = data_mfn(dom1, 0);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        frame_ptr(page)[i] = (uint8_t)(i ^ 0x5a);
    grant(dom1, 10, 2, page, 0);
    grant_handle_t hw, hr;

    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &hw), GNTST_okay);
    uint8_t *window = guest_va(&dom2->d, VA(1), NULL);
    CU_ASSERT_EQUAL(window[7], 7 ^ 0x5a);
    memcpy(window + 100, "reply", 5);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(page) + 100, "reply", 5), 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(2), GNTMAP_host_map | GNTMAP_readonly, &hr), GNTST_okay);
    CU_ASSERT_NOT_EQUAL(hw, hr);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading | GTF_writing);
    /* A proper revoke fails while the entry is in use. */
    CU_ASSERT_FALSE(guest_revoke(dom1, 10));
    check_invariants(dom1);

    CU_ASSERT_EQUAL(unmap(dom2, hw, VA(1)), GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading);
    CU_ASSERT_FALSE(guest_revoke(dom1, 10));
    CU_ASSERT_EQUAL(unmap(dom2, hr, VA(2)), GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    CU_ASSERT_TRUE(guest_revoke(dom1, 10));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_general_error);
}

static void test_revoke_by_force_while_mapped(void)
{
    /* A guest that clears its entry regardless: the mapping it already
     * gave stays valid and consistent until unmapped. */
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    grant_handle_t h, h2;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);
    __atomic_store_n(&entry(dom1, 10)->flags, 0, __ATOMIC_RELEASE);
    entry(dom1, 10)->frame = (uint32_t)data_mfn(dom1, 5);
    /* Pinned: the same mapper gets the frame it already has, not the new one. */
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(2), GNTMAP_host_map, &h2), GNTST_okay);
    CU_ASSERT_PTR_EQUAL(guest_va(&dom2->d, VA(2), NULL), frame_ptr(page));
    CU_ASSERT_TRUE(grant_frame_in_use(page));
    CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom1, 5)));
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    CU_ASSERT_EQUAL(unmap(dom2, h2, VA(2)), GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(page));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), 0);
}

static void test_batches(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    struct gnttab_map_grant_ref ops[3] = {
        { .host_addr = VA(1), .flags = GNTMAP_host_map, .ref = 10, .dom = 1 },
        { .host_addr = VA(2), .flags = GNTMAP_host_map, .ref = 11, .dom = 1 },
        { .host_addr = VA(3), .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 10, .dom = 1 },
    };
    copy_from_calls = copy_to_calls = 0;
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_map_grant_ref, ops, 3), 0);
    CU_ASSERT_EQUAL(copy_from_calls, 3);
    CU_ASSERT_EQUAL(copy_to_calls, 3);
    CU_ASSERT_EQUAL(ops[0].status, GNTST_okay);
    CU_ASSERT_EQUAL(ops[1].status, GNTST_general_error);
    CU_ASSERT_EQUAL(ops[2].status, GNTST_okay);
    CU_ASSERT_EQUAL(gnt_active(dom1->d.grant_table, 10)->host_rw, 1);
    CU_ASSERT_EQUAL(gnt_active(dom1->d.grant_table, 10)->host_ro, 1);

    struct gnttab_unmap_grant_ref u[2] = {
        { .host_addr = VA(1), .handle = ops[0].handle },
        { .host_addr = VA(3), .handle = ops[2].handle },
    };
    copy_from_calls = copy_to_calls = 0;
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_unmap_grant_ref, u, 2), 0);
    CU_ASSERT_EQUAL(copy_from_calls, 2);
    CU_ASSERT_EQUAL(copy_to_calls, 2);
    CU_ASSERT_EQUAL(u[0].status, GNTST_okay);
    CU_ASSERT_EQUAL(u[1].status, GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(page));

    /* A copy between two of our own frames by number. */
    struct gnttab_copy c[1] = { {
        .source = { .u.gmfn = data_mfn(dom2, 0), .domid = DOMID_SELF },
        .dest = { .u.gmfn = data_mfn(dom2, 1), .domid = DOMID_SELF }, .len = 4,
    } };
    memcpy(frame_ptr(data_mfn(dom2, 0)), "abcd", 4);
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_copy, c, 1), 0);
    CU_ASSERT_EQUAL(c[0].status, GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(data_mfn(dom2, 1)), "abcd", 4), 0);
}

static void test_batch_fault_midway(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    struct gnttab_map_grant_ref ops[2] = {
        { .host_addr = VA(1), .flags = GNTMAP_host_map, .ref = 10, .dom = 1 },
        { .host_addr = VA(2), .flags = GNTMAP_host_map, .ref = 10, .dom = 1 },
    };
    /* Writing op 0's result back faults: op 0 is done, op 1 never read. */
    fail_copy_to = true;
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_map_grant_ref, ops, 2), -EFAULT);
    fail_copy_to = false;
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, 1);    /* op 0 mapped, op 1 never read */
    CU_ASSERT_TRUE(grant_frame_in_use(page));
    /* The guest never learnt the handle; its death cleans up (teardown checks). */
}

/*
 * Issues one batch as dom2 with every stub_preempt_every-th preemption check
 * saying yes, then each continuation as the guest's re-executed syscall
 * would, until it completes; checks each piece stops between ops (never
 * before the first) and names exactly the ops left. Returns the pieces.
 */
static unsigned issue_preempted(unsigned cmd, void *ops, size_t op_size, unsigned n,
                                unsigned every, long *rc)
{
    uint64_t uop = (uint64_t)(uintptr_t)ops;
    unsigned count = n, pieces = 0;

    stub_preempt_every = every;
    stub_continuations = 0;
    stub_current = &dom2->v[0];
    while ((*rc = do_grant_table_op(cmd, uop, count)) == __HYPERVISOR_grant_table_op) {
        CU_ASSERT_EQUAL(stub_continuation_op, __HYPERVISOR_grant_table_op);
        CU_ASSERT_EQUAL(stub_continuation_args[0], cmd);
        unsigned done = (unsigned)((stub_continuation_args[1] - (uint64_t)(uintptr_t)ops) / op_size);
        CU_ASSERT_TRUE(done > 0 && done < n);
        CU_ASSERT_EQUAL(stub_continuation_args[2], n - done);
        uop = stub_continuation_args[1];
        count = (unsigned)stub_continuation_args[2];
        CU_ASSERT_FATAL(++pieces < n);
    }
    stub_current = NULL;
    stub_preempt_every = 0;
    CU_ASSERT_EQUAL(stub_continuations, pieces);
    return pieces;
}

/*
 * A long batch gives its CPU up between ops: the hypercall returns its own
 * number with a continuation naming the ops left, and issuing the
 * continuation finishes the batch, each op done exactly once.
 */
static void test_batch_preempted(void)
{
    enum { N = 7 };
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    struct gnttab_map_grant_ref ops[N];
    for (unsigned i = 0; i < N; i++)
        ops[i] = (struct gnttab_map_grant_ref){ .host_addr = VA(i + 1), .flags = GNTMAP_host_map,
                                                .ref = 10, .dom = 1, .status = 99 };
    long rc;
    CU_ASSERT_TRUE(issue_preempted(GNTTABOP_map_grant_ref, ops, sizeof(ops[0]), N, 3, &rc) >= 2);
    CU_ASSERT_EQUAL(rc, 0);
    for (unsigned i = 0; i < N; i++)
        CU_ASSERT_EQUAL(ops[i].status, GNTST_okay);
    CU_ASSERT_EQUAL(gnt_active(dom1->d.grant_table, 10)->host_rw, N);
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, N);

    struct gnttab_unmap_grant_ref u[N];
    for (unsigned i = 0; i < N; i++)
        u[i] = (struct gnttab_unmap_grant_ref){ .host_addr = VA(i + 1), .handle = ops[i].handle };
    CU_ASSERT_TRUE(issue_preempted(GNTTABOP_unmap_grant_ref, u, sizeof(u[0]), N, 2, &rc) >= 2);
    CU_ASSERT_EQUAL(rc, 0);
    for (unsigned i = 0; i < N; i++)
        CU_ASSERT_EQUAL(u[i].status, GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(page));
}

/* ==== copy ================================================================== */

static void test_copy_self(void)
{
    uint64_t data = data_mfn(dom1, 0), target = data_mfn(dom1, 1);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        frame_ptr(data)[i] = (uint8_t)(i * 7 + 1);
    memset(frame_ptr(target), 0, PAGE_SIZE);
    grant(dom1, 10, 1, data, 0);

    struct gnttab_copy c = {
        .source = { .u.ref = 10, .domid = 1 },
        .dest = { .u.gmfn = target, .domid = DOMID_SELF },
        .len = PAGE_SIZE, .flags = GNTCOPY_source_gref,
    };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(target), frame_ptr(data), PAGE_SIZE), 0);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);    /* bits only during the copy */

    memset(frame_ptr(target), 0, PAGE_SIZE);
    c.source.offset = 100;
    c.dest.offset = 2000;
    c.len = 1000;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(target) + 2000, frame_ptr(data) + 100, 1000), 0);
    CU_ASSERT_EQUAL(frame_ptr(target)[1999], 0);
    CU_ASSERT_EQUAL(frame_ptr(target)[3000], 0);

    /* Crossing a page end on either side. */
    c.source.offset = 100;
    c.dest.offset = 0;
    c.len = PAGE_SIZE;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_copy_arg);
    c.source.offset = 0;
    c.dest.offset = 1;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_copy_arg);
    c.dest.offset = 0xffff;
    c.len = 0xffff;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_copy_arg);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);

    /* An unused ref, a ref past the table. */
    c = (struct gnttab_copy){ .source = { .u.ref = 11, .domid = 1 },
                              .dest = { .u.gmfn = target, .domid = DOMID_SELF },
                              .len = 16, .flags = GNTCOPY_source_gref };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_general_error);
    c.source.u.ref = 0x7fffffff;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_gntref);

    /* Overlapping copy within one frame. */
    memcpy(frame_ptr(target), "0123456789", 10);
    c = (struct gnttab_copy){ .source = { .u.gmfn = target, .domid = DOMID_SELF },
                              .dest = { .u.gmfn = target, .domid = DOMID_SELF, .offset = 2 }, .len = 8 };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(target), "0101234567", 10), 0);
}

/* Every offset and length shape against memmove, within and across frames. */
static void test_copy_shapes(void)
{
    static const uint16_t offs[] = { 0, 1, 7, 8, 13, 2048, 4095 };
    static const uint16_t lens[] = { 0, 1, 7, 8, 9, 63, 100, 4096 };
    uint64_t a = data_mfn(dom1, 0), b = data_mfn(dom1, 1);
    static uint8_t expect[PAGE_SIZE];
    unsigned runs = 0;

    for (unsigned same = 0; same < 2; same++)
        for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
            for (unsigned j = 0; j < sizeof(offs) / sizeof(offs[0]); j++)
                for (unsigned k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
                    uint64_t dst = same ? a : b;
                    for (unsigned x = 0; x < PAGE_SIZE; x++) {
                        frame_ptr(a)[x] = (uint8_t)(x * 31 + 7);
                        frame_ptr(b)[x] = (uint8_t)(x * 17 + 3);
                    }
                    struct gnttab_copy c = {
                        .source = { .u.gmfn = a, .domid = DOMID_SELF, .offset = offs[i] },
                        .dest = { .u.gmfn = dst, .domid = DOMID_SELF, .offset = offs[j] },
                        .len = lens[k],
                    };
                    bool fits = offs[i] + lens[k] <= PAGE_SIZE && offs[j] + lens[k] <= PAGE_SIZE;
                    memcpy(expect, frame_ptr(dst), PAGE_SIZE);
                    if (fits)
                        memmove(expect + offs[j], frame_ptr(a) + offs[i], lens[k]);
                    CU_ASSERT_EQUAL(copy(dom1, &c), fits ? GNTST_okay : GNTST_bad_copy_arg);
                    CU_ASSERT_EQUAL(memcmp(frame_ptr(dst), expect, PAGE_SIZE), 0);
                    runs += fits;
                }
    CU_ASSERT_TRUE(runs > 100);
}

static void test_copy_two_domains(void)
{
    uint64_t src = data_mfn(dom1, 0), client_page = data_mfn(dom2, 0);
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        frame_ptr(src)[i] = (uint8_t)(i * 3);
    grant(dom2, 11, 1, client_page, 0);

    struct gnttab_copy c = {
        .source = { .u.gmfn = src, .domid = DOMID_SELF },
        .dest = { .u.ref = 11, .domid = 2 },
        .len = PAGE_SIZE, .flags = GNTCOPY_dest_gref,
    };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(client_page), frame_ptr(src), PAGE_SIZE), 0);
    CU_ASSERT_EQUAL(flags_of(dom2, 11), GTF_permit_access);

    /* The grant is for dom1, not dom0; read-only grants take no writes. */
    c.source.u.gmfn = data_mfn(dom0, 0);
    CU_ASSERT_EQUAL(copy(dom0, &c), GNTST_general_error);
    c.source.u.gmfn = src;
    grant(dom2, 11, 1, client_page, GTF_readonly);
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_general_error);
    CU_ASSERT_EQUAL(flags_of(dom2, 11), GTF_permit_access | GTF_readonly);
    /* ...but may be read. */
    c = (struct gnttab_copy){ .source = { .u.ref = 11, .domid = 2 },
                              .dest = { .u.gmfn = src, .domid = DOMID_SELF },
                              .len = 8, .flags = GNTCOPY_source_gref };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);

    /* Frames by number: only our own, only as DOMID_SELF. */
    c = (struct gnttab_copy){ .source = { .u.gmfn = client_page, .domid = DOMID_SELF },
                              .dest = { .u.gmfn = src, .domid = DOMID_SELF }, .len = 8 };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_page);
    c.source.domid = 2;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_permission_denied);
    c.source = (struct gnttab_copy_ptr){ .u.gmfn = src, .domid = 1 };
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_permission_denied);
    /* As real Xen 4.17 answers it: a missing domain before the by-frame rule. */
    c.source.domid = DOMID_SELF;
    c.dest.domid = 0x7000;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_domain);
    c.dest.domid = DOMID_SELF;
    c.dest.u.gmfn = FIRST_MFN + NR_FRAMES + 1;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_bad_page);
    eagain_gfn = src;
    c.dest.u.gmfn = data_mfn(dom1, 1);
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_eagain);
    eagain_gfn = UINT64_MAX;
    /* Never into a page table. */
    struct page_info *pi = gnt_frame_info(data_mfn(dom1, 1));
    pi->flags |= PGF_PAGETABLE;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_general_error);
    c.source.u.gmfn = data_mfn(dom1, 1);     /* reading one is fine */
    c.dest.u.gmfn = src;
    CU_ASSERT_EQUAL(copy(dom1, &c), GNTST_okay);
    pi->flags &= (uint8_t)~PGF_PAGETABLE;
}

static void test_copy_while_mapped(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    grant_handle_t h;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map | GNTMAP_readonly, &h), GNTST_okay);

    uint64_t mine = data_mfn(dom2, 0);
    memcpy(frame_ptr(mine), "through copy", 12);
    struct gnttab_copy c = {
        .source = { .u.gmfn = mine, .domid = DOMID_SELF },
        .dest = { .u.ref = 10, .domid = 1 },
        .len = 12, .flags = GNTCOPY_dest_gref,
    };
    CU_ASSERT_EQUAL(copy(dom2, &c), GNTST_okay);
    CU_ASSERT_EQUAL(memcmp(frame_ptr(page), "through copy", 12), 0);
    /* The read-only mapping's bit stays, the copy's writing bit goes. */
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access | GTF_reading);
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
}

static void test_copy_fault(void)
{
    struct gnttab_copy c = { 0 };
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_copy, NULL, 1), -EFAULT);
    fail_copy_to = true;
    c.source.domid = c.dest.domid = DOMID_SELF;
    c.source.u.gmfn = c.dest.u.gmfn = data_mfn(dom1, 0);
    CU_ASSERT_EQUAL(hypercall(dom1, GNTTABOP_copy, &c, 1), -EFAULT);
    fail_copy_to = false;
}

/* ==== frames and dying domains ============================================ */

static void test_frame_pinned_while_mapped(void)
{
    uint64_t page = data_mfn(dom1, 4);
    grant(dom1, 10, 2, page, 0);
    grant_handle_t h;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);

    CU_ASSERT_EQUAL(grant_table_free_frame(&dom1->d, page), -EBUSY);
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, page), 1);
    CU_ASSERT_EQUAL(grant_table_free_frame(&dom2->d, page), -EPERM);
    CU_ASSERT_EQUAL(grant_table_free_frame(&dom1->d, dom1->d.grant_table->frame_mfn[0]), -EBUSY);
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);

    /* Unmapped, it can go (and the fake domain takes it back for teardown). */
    CU_ASSERT_EQUAL(page_alloc_free(&frame_allocator, dom1->first_mfn, DOM_ORDER), 0);
    uint64_t again;
    CU_ASSERT_EQUAL(page_alloc_alloc(&frame_allocator, DOM_ORDER, 1, &again), 0);
    CU_ASSERT_EQUAL(again, dom1->first_mfn);
    CU_ASSERT_EQUAL(page_alloc_alloc(&frame_allocator, 0, 1, &again), 0);
    CU_ASSERT_EQUAL(grant_table_free_frame(&dom1->d, again), 0);
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, again), DOMID_INVALID);
}

static void test_mapper_dies(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    grant(dom1, 11, 2, data_mfn(dom1, 1), GTF_readonly);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_okay);
    CU_ASSERT_EQUAL(map(dom2, 1, 11, VA(2), GNTMAP_host_map | GNTMAP_readonly, NULL), GNTST_okay);
    uint32_t refs = dom1->d.refcount;

    unmap_host_calls = 0;
    fake_dom_kill(dom2);
    CU_ASSERT_TRUE(dom2->freed);
    CU_ASSERT_FALSE(dom2->freed_while_mapped);
    CU_ASSERT_EQUAL(unmap_host_calls, 2);
    CU_ASSERT_PTR_NULL(find_host_map(&dom2->d, VA(1)));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    CU_ASSERT_EQUAL(flags_of(dom1, 11), GTF_permit_access | GTF_readonly);
    CU_ASSERT_FALSE(grant_frame_in_use(page));
    CU_ASSERT_EQUAL(dom1->d.refcount, refs - 2);     /* each mapping held one */
    CU_ASSERT_TRUE(guest_revoke(dom1, 10));
    check_invariants(dom1);
    fake_dom_release(dom2);
    dom2 = NULL;
}

static void test_granter_dies(void)
{
    uint64_t page = data_mfn(dom1, 0);
    grant(dom1, 10, 2, page, 0);
    grant(dom1, 12, 2, data_mfn(dom1, 2), 0);
    grant_handle_t h;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);

    fake_dom_kill(dom1);
    /* The mapping keeps the dying granter, its table and the frame. */
    CU_ASSERT_FALSE(dom1->freed);
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, page), 1);
    CU_ASSERT_TRUE(grant_frame_in_use(page));
    CU_ASSERT_EQUAL(grant_table_free_frame(&dom1->d, page), -EBUSY);
    uint8_t *window = guest_va(&dom2->d, VA(1), NULL);
    window[0] = 'x';
    CU_ASSERT_EQUAL(frame_ptr(page)[0], 'x');
    check_invariants(dom1);
    /* Nothing new: no map, no copy from the dying domain. */
    CU_ASSERT_EQUAL(map(dom2, 1, 12, VA(2), GNTMAP_host_map, NULL), GNTST_bad_domain);
    struct gnttab_copy c = { .source = { .u.ref = 12, .domid = 1 },
                             .dest = { .u.gmfn = data_mfn(dom2, 0), .domid = DOMID_SELF },
                             .len = 8, .flags = GNTCOPY_source_gref };
    CU_ASSERT_EQUAL(copy(dom2, &c), GNTST_bad_domain);

    /* The last unmap lets the granter go. */
    CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    CU_ASSERT_TRUE(dom1->freed);
    CU_ASSERT_FALSE(dom1->freed_while_mapped);
    CU_ASSERT_EQUAL(page_owner(&frame_allocator, page), DOMID_INVALID);
    fake_dom_release(dom1);
    dom1 = NULL;
}

static void test_both_die(void)
{
    grant(dom1, 10, 2, data_mfn(dom1, 0), 0);
    grant(dom2, 10, 1, data_mfn(dom2, 0), 0);
    CU_ASSERT_EQUAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_okay);
    CU_ASSERT_EQUAL(map(dom1, 2, 10, VA(1), GNTMAP_host_map, NULL), GNTST_okay);
    fake_dom_kill(dom1);
    CU_ASSERT_FALSE(dom1->freed);           /* dom2 still maps its frame */
    CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom2, 0)));   /* dom1's mapping went */
    fake_dom_kill(dom2);
    CU_ASSERT_TRUE(dom2->freed);
    CU_ASSERT_TRUE(dom1->freed);
    fake_dom_release(dom1);
    fake_dom_release(dom2);
    dom1 = dom2 = NULL;
}

static void test_self_mapping_dies(void)
{
    grant(dom1, 10, 1, data_mfn(dom1, 0), 0);
    CU_ASSERT_EQUAL(map(dom1, 1, 10, VA(1), GNTMAP_host_map, NULL), GNTST_okay);
    fake_dom_kill(dom1);
    CU_ASSERT_TRUE(dom1->freed);
    fake_dom_release(dom1);
    dom1 = NULL;
}

/* ==== limits and concurrency ================================================ */

static void test_maptrack_growth_and_reuse(void)
{
    enum { N = 600 };       /* three maptrack chunks */
    grant(dom1, 10, 2, data_mfn(dom1, 0), 0);
    static grant_handle_t h[N];
    for (unsigned i = 0; i < N; i++)
        CU_ASSERT_EQUAL_FATAL(map(dom2, 1, 10, 0, GNTMAP_device_map | GNTMAP_readonly, &h[i]), GNTST_okay);
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_chunks, 3);
    CU_ASSERT_EQUAL(gnt_active(dom1->d.grant_table, 10)->dev_ro, N);
    unsigned r, w;
    counts(data_mfn(dom1, 0), &r, &w);
    CU_ASSERT_EQUAL(r, N);
    check_invariants(dom1);
    check_invariants(dom2);
    struct gnttab_unmap_grant_ref u = { .dev_bus_addr = data_mfn(dom1, 0) << PAGE_SHIFT };
    for (unsigned i = 0; i < N; i++) {
        u.handle = h[i];
        CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_unmap_grant_ref, &u, 1), 0);
        CU_ASSERT_EQUAL(u.status, GNTST_okay);
    }
    CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom1, 0)));
    /* Freed handles come back. */
    grant_handle_t again;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, 0, GNTMAP_device_map, &again), GNTST_okay);
    CU_ASSERT_TRUE(again < N);
    CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_chunks, 3);

    /* Out of memory for a new chunk: no_space, and nothing changed. */
    struct grant_table *gt = dom0->d.grant_table;
    alloc_fail_at = 1;
    CU_ASSERT_EQUAL(map(dom0, 1, 10, 0, GNTMAP_device_map, NULL), GNTST_no_space);
    alloc_fail_at = 0;
    CU_ASSERT_EQUAL(gt->maptrack_chunks, 0);
}

static void test_pin_overflow(void)
{
    grant(dom1, 10, 2, data_mfn(dom1, 0), 0);
    grant_handle_t h;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, 0, GNTMAP_device_map | GNTMAP_readonly, &h), GNTST_okay);
    /* Pretend 0xFFFF read-only device mappings exist: one more must be refused. */
    struct grant_active *act = gnt_active(dom1->d.grant_table, 10);
    act->dev_ro = GNTTAB_MAX_PIN;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, 0, GNTMAP_device_map | GNTMAP_readonly, NULL), GNTST_general_error);
    act->dev_ro = 1;
    /* The frame count has a ceiling too. */
    struct page_info *pi = gnt_frame_info(data_mfn(dom1, 0));
    uint32_t saved = pi->refcount;
    pi->refcount = GRANT_FRAME_COUNT_MAX * GRANT_FRAME_RW_ONE;
    CU_ASSERT_EQUAL(map(dom2, 1, 10, 0, GNTMAP_device_map, NULL), GNTST_general_error);
    pi->refcount = saved;
    struct gnttab_unmap_grant_ref u = { .dev_bus_addr = data_mfn(dom1, 0) << PAGE_SHIFT, .handle = h };
    CU_ASSERT_EQUAL(hypercall(dom2, GNTTABOP_unmap_grant_ref, &u, 1), 0);
    CU_ASSERT_EQUAL(u.status, GNTST_okay);
}

struct worker {
    struct fake_dom *f;
    domid_t granter;
    grant_ref_t ref;
    unsigned rounds, failures;
};

static void *map_worker(void *arg)
{
    struct worker *w = arg;
    for (unsigned i = 0; i < w->rounds; i++) {
        uint64_t va = VA(w->f->d.domain_id * 16 + (i & 7));
        struct gnttab_map_grant_ref m = { .host_addr = va, .flags = GNTMAP_host_map | ((i & 1) ? GNTMAP_readonly : 0),
                                          .ref = w->ref, .dom = w->granter };
        stub_current = &w->f->v[1];
        do_grant_table_op(GNTTABOP_map_grant_ref, (uint64_t)(uintptr_t)&m, 1);
        if (m.status != GNTST_okay) {
            w->failures++;
            continue;
        }
        struct gnttab_copy c = { .source = { .u.ref = w->ref, .domid = w->granter },
                                 .dest = { .u.gmfn = w->f->first_mfn, .domid = DOMID_SELF },
                                 .len = 64, .flags = GNTCOPY_source_gref };
        do_grant_table_op(GNTTABOP_copy, (uint64_t)(uintptr_t)&c, 1);
        if (c.status != GNTST_okay)
            w->failures++;
        struct gnttab_unmap_grant_ref u = { .host_addr = va, .handle = m.handle };
        do_grant_table_op(GNTTABOP_unmap_grant_ref, (uint64_t)(uintptr_t)&u, 1);
        if (u.status != GNTST_okay)
            w->failures++;
    }
    stub_current = NULL;
    return NULL;
}

static void test_threads(void)
{
    /* dom0 and dom2 map dom1's grants while dom1 maps dom2's. */
    grant(dom1, 10, 0, data_mfn(dom1, 0), 0);
    grant(dom1, 11, 2, data_mfn(dom1, 0), 0);    /* one frame, two grants */
    grant(dom2, 10, 1, data_mfn(dom2, 3), 0);
    struct worker w[3] = {
        { dom0, 1, 10, 3000, 0 }, { dom2, 1, 11, 3000, 0 }, { dom1, 2, 10, 3000, 0 },
    };
    pthread_t t[3];
    for (unsigned i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, map_worker, &w[i]);
    for (unsigned i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (unsigned i = 0; i < 3; i++)
        CU_ASSERT_EQUAL(w[i].failures, 0);
    CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom1, 0)));
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
    CU_ASSERT_EQUAL(flags_of(dom1, 11), GTF_permit_access);
    CU_ASSERT_EQUAL(flags_of(dom2, 10), GTF_permit_access);
}

/* A granting guest rewriting its entry (frame, read-only bit) while the
 * grantee maps it: every map either fails or pins one of the frames the
 * guest offered, with the access it allowed at that moment. */
struct flipper {
    struct fake_dom *f;
    uint64_t frames[2];
    volatile bool stop;
};

static void *flip_entry(void *arg)
{
    struct flipper *fl = arg;
    grant_entry_v1_t *e = entry(fl->f, 10);
    for (unsigned i = 0; !fl->stop; i++) {
        uint16_t old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
        uint16_t keep = old & (GTF_reading | GTF_writing);
        if (!keep)      /* the frame is only changed while the entry is unused */
            __atomic_store_n(&e->frame, (uint32_t)fl->frames[i & 1], __ATOMIC_RELEASE);
        uint16_t want = (uint16_t)(GTF_permit_access | ((i & 2) ? GTF_readonly : 0) | keep);
        __atomic_compare_exchange_n(&e->flags, &old, want, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
    }
    return NULL;
}

static void test_hostile_granter_rewrites_entry(void)
{
    struct flipper fl = { dom1, { data_mfn(dom1, 0), data_mfn(dom1, 1) }, false };
    grant(dom1, 10, 2, fl.frames[0], 0);
    pthread_t t;
    pthread_create(&t, NULL, flip_entry, &fl);
    unsigned ok = 0;
    for (unsigned i = 0; i < 2000; i++) {
        grant_handle_t h;
        uint32_t flags = GNTMAP_host_map | ((i & 1) ? GNTMAP_readonly : 0);
        int16_t st = map(dom2, 1, 10, VA(1), flags, &h);
        if (st != GNTST_okay) {
            CU_ASSERT_EQUAL(st, GNTST_general_error);
            continue;
        }
        ok++;
        uint64_t mfn = gnt_active(dom1->d.grant_table, 10)->mfn;
        CU_ASSERT_TRUE(mfn == fl.frames[0] || mfn == fl.frames[1]);
        CU_ASSERT_PTR_EQUAL(guest_va(&dom2->d, VA(1), NULL), frame_ptr(mfn));
        /* The bits are set while mapped, whatever the guest writes meanwhile. */
        CU_ASSERT_TRUE(flags_of(dom1, 10) & GTF_reading);
        CU_ASSERT_EQUAL(unmap(dom2, h, VA(1)), GNTST_okay);
    }
    fl.stop = true;
    pthread_join(t, NULL);
    CU_ASSERT_TRUE(ok > 0);
    CU_ASSERT_FALSE(grant_frame_in_use(fl.frames[0]));
    CU_ASSERT_FALSE(grant_frame_in_use(fl.frames[1]));
    CU_ASSERT_EQUAL(flags_of(dom1, 10) & (GTF_reading | GTF_writing), 0);
}

/*
 * Two vCPUs unmapping the same handle at once: exactly one succeeds. The
 * granter's lock is held meanwhile, so both get past the handle lookup
 * (under the mapper's lock only) before either can act: the handle must be
 * checked again under both locks.
 */
struct unmapper {
    struct fake_dom *f;
    unsigned vcpu;
    grant_handle_t handle;
    int16_t status;
};

static void *unmap_once(void *arg)
{
    struct unmapper *u = arg;
    struct gnttab_unmap_grant_ref op = { .host_addr = VA(1), .handle = u->handle };
    stub_current = &u->f->v[u->vcpu];
    do_grant_table_op(GNTTABOP_unmap_grant_ref, (uint64_t)(uintptr_t)&op, 1);
    stub_current = NULL;
    u->status = op.status;
    return NULL;
}

static void test_concurrent_double_unmap(void)
{
    grant(dom1, 10, 2, data_mfn(dom1, 0), 0);
    for (unsigned round = 0; round < 20; round++) {
        grant_handle_t h;
        CU_ASSERT_EQUAL_FATAL(map(dom2, 1, 10, VA(1), GNTMAP_host_map, &h), GNTST_okay);
        struct unmapper u[2] = { { dom2, 0, h, 99 }, { dom2, 1, h, 99 } };
        pthread_t t[2];
        grant_table_lock(&dom1->d);
        for (unsigned i = 0; i < 2; i++)
            pthread_create(&t[i], NULL, unmap_once, &u[i]);
        struct timespec wait = { 0, 2000000 };  /* both reach the granter's lock */
        nanosleep(&wait, NULL);
        grant_table_unlock(&dom1->d);
        for (unsigned i = 0; i < 2; i++)
            pthread_join(t[i], NULL);
        unsigned okay = (u[0].status == GNTST_okay) + (u[1].status == GNTST_okay);
        CU_ASSERT_EQUAL(okay, 1);
        CU_ASSERT_TRUE(u[0].status == GNTST_bad_handle || u[1].status == GNTST_bad_handle);
        CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom1, 0)));
        CU_ASSERT_EQUAL(dom2->d.grant_table->maptrack_live, 0);
    }
    CU_ASSERT_EQUAL(flags_of(dom1, 10), GTF_permit_access);
}

/* ==== main ================================================================== */

#define CASE(n) { #n, test_##n }
/* Version 2 and unmap_and_replace: their own file, on the doubles above. */
#include "test_grant_table_v2.inc"

static const struct unit_case cases[] = {
    CASE(init_defaults), CASE(setup_table_frames), CASE(setup_table_errors), CASE(query_size_errors),
    CASE(versions), CASE(unknown_ops), CASE(map_unmap_self), CASE(map_readonly_grant),
    CASE(map_errors), CASE(unmap_errors), CASE(map_by_pte_address), CASE(device_map), CASE(two_domains_status_bits),
    CASE(revoke_by_force_while_mapped), CASE(batches), CASE(batch_fault_midway), CASE(batch_preempted), CASE(copy_self), CASE(copy_shapes),
    CASE(copy_two_domains), CASE(copy_while_mapped), CASE(copy_fault), CASE(frame_pinned_while_mapped),
    CASE(mapper_dies), CASE(granter_dies), CASE(both_die), CASE(self_mapping_dies),
    CASE(maptrack_growth_and_reuse), CASE(pin_overflow), CASE(threads),
    CASE(hostile_granter_rewrites_entry), CASE(concurrent_double_unmap),
    GRANT_TABLE_V2_CASES,
};

/* ==== benchmark (built optimised, without sanitizers: bench_grant_table) ==== */

static double ns_since(const struct timespec *t0, unsigned n)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return ((double)(t1.tv_sec - t0->tv_sec) * 1e9 + (double)(t1.tv_nsec - t0->tv_nsec)) / n;
}

static void bench_ops(void)
{
    enum { N = 200000 };
    struct timespec t0;

    grant(dom1, 10, 2, data_mfn(dom1, 0), 0);
    struct gnttab_map_grant_ref m = { .flags = GNTMAP_device_map, .ref = 10, .dom = 1 };
    struct gnttab_unmap_grant_ref u = { .dev_bus_addr = data_mfn(dom1, 0) << PAGE_SHIFT };
    stub_current = &dom2->v[0];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 0; i < N; i++) {
        do_grant_table_op(GNTTABOP_map_grant_ref, (uint64_t)(uintptr_t)&m, 1);
        u.handle = m.handle;
        do_grant_table_op(GNTTABOP_unmap_grant_ref, (uint64_t)(uintptr_t)&u, 1);
    }
    double map_unmap = ns_since(&t0, N);

    static const uint16_t sizes[] = { 64, 4096 };
    double copy_ns[2];
    for (unsigned k = 0; k < 2; k++) {
        struct gnttab_copy c = { .source = { .u.ref = 10, .domid = 1 },
                                 .dest = { .u.gmfn = data_mfn(dom2, 0), .domid = DOMID_SELF },
                                 .len = sizes[k], .flags = GNTCOPY_source_gref };
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (unsigned i = 0; i < N; i++)
            do_grant_table_op(GNTTABOP_copy, (uint64_t)(uintptr_t)&c, 1);
        copy_ns[k] = ns_since(&t0, N);
    }
    stub_current = NULL;
    CU_ASSERT_EQUAL(m.status, GNTST_okay);
    CU_ASSERT_FALSE(grant_frame_in_use(data_mfn(dom1, 0)));
    printf("\ngrant_table: map+unmap (device map, other domain) %.0f ns, copy by grant 64 B %.0f ns, "
           "4 KiB %.0f ns\n", map_unmap, copy_ns[0], copy_ns[1]);
}

/* The benchmark runs as a CUnit test too (the fixtures assert), not recorded. */
static int run_bench(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("grant_table_bench", NULL, NULL, setup, teardown);
    CU_add_test(s, "ops", bench_ops);
    CU_basic_set_mode(CU_BRM_SILENT);
    CU_basic_run_tests();
    return CU_get_number_of_failures() ? 1 : 0;
}

int main(int argc, char **argv)
{
    frame_memory = aligned_alloc(PAGE_SIZE, (size_t)NR_FRAMES * PAGE_SIZE);
    if (!frame_memory)
        return 2;
    page_alloc_init(&frame_allocator, frame_meta, FIRST_MFN, NR_FRAMES);
    page_alloc_add_free(&frame_allocator, FIRST_MFN, NR_FRAMES);

    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
    if (argc > 1 && !strcmp(argv[1], "--bench")) {
        int rc = run_bench();
        CU_cleanup_registry();
        free(frame_memory);
        return rc;
    }
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("grant_table", NULL, NULL, setup, teardown);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CU_add_test(s, cases[i].name, cases[i].fn);
    int rc = cunit_run_and_record("unit");
    free(frame_memory);
    return rc;
}
