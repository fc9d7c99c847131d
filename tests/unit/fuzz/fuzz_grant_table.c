/*
 * libFuzzer target: random sequences of grant-table operations by two fake
 * domains (granting, revoking, map, unmap, copy, batches, setup_table,
 * query/version ops, and a domain dying mid-sequence and being replaced by
 * a new one). After every step each domain's invariants must hold
 * (grant_table_check: pins equal the maptracks, frame counts equal the
 * pins, status bits equal the pins), each maptrack holds exactly the
 * handles the fuzzer saw succeed, and at the end every allocation, frame
 * and frame mapping must come back.
 *
 * The arch's page-type rule is modelled too (where arch hooks and common
 * code meet): a frame may be turned into a "table" only while nothing may
 * write it, and arch_frame_get_writable refuses a table. Between steps
 * every frame's writable uses must equal its writable grant mappings (no
 * copy is in flight), no table may have a writable use, and a table's
 * contents must not change while it is one.
 *
 * Either domain may switch between versions 1 and 2 (set_version), after
 * which its grants are written as v2 entries: full-page, sub-page (random
 * offset and length) or transitive (naming the other domain's refs, so
 * chains and loops happen). unmap_and_replace and get_status_frames are
 * among the ops.
 *
 * The guest in this model writes its entries only as a well-behaved guest
 * does (status bits kept; v1 revokes by compare-and-swap, v2 only when its
 * status word shows no use), since a guest that writes GTF_reading/writing
 * itself makes the status-bit invariant meaningless rather than the
 * hypervisor wrong.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/guest_access.h>
#include <tessera/heap.h>

#define NR_FRAMES   256
#define FIRST_MFN   0x2000u
#define DOM_FRAMES  8
#define NR_SLOTS    8            /* guest virtual addresses per domain */
#define NR_REFS     12           /* refs the fuzzer plays with: 8 reserved, 4 not (a few past 256/512 too) */
#define MAX_HANDLES 64
#define MAX_HOST    256

/* ---- doubles -------------------------------------------------------------- */

struct page_allocator frame_allocator;
static struct page_info frame_meta[NR_FRAMES];
static uint8_t *frame_memory;
static struct vcpu *cur;
static long allocs_live, frame_maps_live;
static unsigned alloc_fail_at;

struct vcpu *current_vcpu(void) { return cur; }
void vcpu_kick(struct vcpu *v) { (void)v; }

int copy_from_guest(void *dst, uint64_t a, size_t len)
{
    if (!a)
        return -EFAULT;
    memcpy(dst, (const void *)(uintptr_t)a, len);
    return 0;
}

int copy_to_guest(uint64_t a, const void *src, size_t len)
{
    if (!a)
        return -EFAULT;
    memcpy((void *)(uintptr_t)a, src, len);
    return 0;
}

void *xzalloc(size_t size)
{
    if (alloc_fail_at && --alloc_fail_at == 0)
        return NULL;
    void *p = calloc(1, size);
    if (p)
        allocs_live++;
    return p;
}

void *xzalloc_array(size_t n, size_t size)
{
    return size && n > SIZE_MAX / size ? NULL : xzalloc(n * size);
}

void xfree(void *p)
{
    if (p)
        allocs_live--;
    free(p);
}

static bool in_span(uint64_t mfn) { return mfn >= FIRST_MFN && mfn < FIRST_MFN + NR_FRAMES; }
static uint8_t *frame_ptr(uint64_t mfn) { return frame_memory + (mfn - FIRST_MFN) * PAGE_SIZE; }

/* The modelled page types: writable uses, and whether the frame is a table (with a checksum). */
static unsigned writable_uses[NR_FRAMES];
static bool is_table[NR_FRAMES];
static uint64_t table_sum[NR_FRAMES];

static uint64_t frame_sum(uint64_t mfn)
{
    uint64_t h = 1469598103934665603ull;
    for (unsigned i = 0; i < PAGE_SIZE; i++)
        h = (h ^ frame_ptr(mfn)[i]) * 1099511628211ull;
    return h;
}

int arch_frame_get_writable(struct domain *rd, uint64_t mfn)
{
    if (!in_span(mfn) || page_owner(&frame_allocator, mfn) != rd->domain_id)
        abort();    /* common code must have checked the owner */
    if (is_table[mfn - FIRST_MFN])
        return -EBUSY;
    writable_uses[mfn - FIRST_MFN]++;
    return 0;
}

void arch_frame_put_writable(struct domain *rd, uint64_t mfn)
{
    (void)rd;
    if (!in_span(mfn) || writable_uses[mfn - FIRST_MFN] == 0)
        abort();    /* a put without its get */
    writable_uses[mfn - FIRST_MFN]--;
}

void *arch_map_frame(uint64_t mfn)
{
    if (!in_span(mfn))
        return NULL;
    frame_maps_live++;
    return frame_ptr(mfn);
}

void arch_unmap_frame(void *va)
{
    if (!va)
        abort();
    frame_maps_live--;
}

int arch_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    (void)d;
    if (!in_span(gfn))
        return -EINVAL;
    *mfn = gfn;
    return 0;
}

struct host_map { struct domain *d; uint64_t va, mfn; bool used; };
static struct host_map host[MAX_HOST];

/* One grant mapping per key (a VA, or a PTE address with bit 62), never over another. */
static int fake_map(struct domain *d, uint64_t key, uint64_t mfn)
{
    struct host_map *free_slot = NULL;
    for (unsigned i = 0; i < MAX_HOST; i++) {
        if (host[i].used && host[i].d == d && host[i].va == key)
            return GNTST_general_error;
        if (!host[i].used && !free_slot)
            free_slot = &host[i];
    }
    if (!free_slot)
        return GNTST_general_error;
    *free_slot = (struct host_map){ d, key, mfn, true };
    return GNTST_okay;
}

static int fake_unmap(struct domain *d, uint64_t key, uint64_t mfn)
{
    for (unsigned i = 0; i < MAX_HOST; i++)
        if (host[i].used && host[i].d == d && host[i].va == key && host[i].mfn == mfn) {
            host[i].used = false;
            return GNTST_okay;
        }
    return GNTST_general_error;
}

int arch_grant_map_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool ro)
{
    (void)ro;
    if (va & (PAGE_SIZE - 1) || !va)
        return GNTST_bad_virt_addr;
    return fake_map(v->domain, va, mfn);
}

int arch_grant_unmap_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool ro)
{
    (void)ro;
    return fake_unmap(v->domain, va, mfn);
}

int arch_grant_map_pte(struct vcpu *v, uint64_t pte, uint64_t mfn, bool ro)
{
    (void)ro;
    return pte & 7 ? GNTST_general_error : fake_map(v->domain, pte | (1ull << 62), mfn);
}

int arch_grant_unmap_pte(struct vcpu *v, uint64_t pte, uint64_t mfn, bool ro)
{
    (void)ro;
    return fake_unmap(v->domain, pte | (1ull << 62), mfn);
}

/* unmap_and_replace: no ordinary mappings here, so new_va's entry is empty (moved: nothing). */
int arch_grant_replace_host(struct vcpu *v, uint64_t va, uint64_t mfn, bool ro, uint64_t new_va)
{
    (void)ro;
    for (unsigned i = 0; i < MAX_HOST; i++)
        if (host[i].used && host[i].d == v->domain && host[i].va == new_va)
            return GNTST_general_error;     /* a grant mapping is never moved */
    return fake_unmap(v->domain, va, mfn);
}

/* The fake guests never map their status frames. */
int arch_grant_free_status_frames(struct domain *d, const uint64_t *mfn, unsigned int n)
{
    (void)d;
    for (unsigned i = 0; i < n; i++)
        page_alloc_free(&frame_allocator, mfn[i], 0);
    return 0;
}

/* ---- fake domains ------------------------------------------------------- */

struct fdom {
    struct domain d;
    struct vcpu v;
    uint64_t first_mfn;
    bool freed;
    struct { grant_handle_t h; uint64_t va; uint64_t dev; bool live; } handles[MAX_HANDLES];
};

void domain_free(struct domain *d)
{
    struct fdom *f = (struct fdom *)d;
    for (unsigned i = 0; i < DOM_FRAMES; i++)
        if (grant_frame_in_use(f->first_mfn + i))
            abort();        /* freed while another domain maps its frame */
    grant_table_domain_free(d);
    for (unsigned i = 0; i < DOM_FRAMES; i++) {
        if (writable_uses[f->first_mfn + i - FIRST_MFN])
            abort();        /* freed while a writable use remains */
        is_table[f->first_mfn + i - FIRST_MFN] = false;
    }
    page_alloc_free(&frame_allocator, f->first_mfn, 3);
    f->freed = true;
}

static struct fdom *fdom_new(domid_t id)
{
    struct fdom *f = calloc(1, sizeof(*f));
    if (!f)
        abort();
    f->d.domain_id = id;
    spin_lock_init(&f->d.lock);
    f->d.state = DOMAIN_RUNNING;
    f->d.max_vcpus = 1;
    f->v.domain = &f->d;
    f->d.vcpus[0] = &f->v;
    if (page_alloc_alloc(&frame_allocator, 3, id, &f->first_mfn) ||
        grant_table_domain_init(&f->d, 2) || domain_register(&f->d))
        abort();
    return f;
}

static void fdom_kill(struct fdom *f)
{
    if (f->d.state == DOMAIN_DYING)
        return;
    f->d.state = DOMAIN_DYING;
    grant_table_domain_destroy(&f->d);
    /*
     * The page-table teardown drops what destroy could not: a guest that
     * unmapped one handle through another mapping's address (of the same
     * frame) leaves that mapping's entry where the other one was.
     */
    for (unsigned i = 0; i < MAX_HOST; i++)
        if (host[i].used && host[i].d == &f->d)
            host[i].used = false;
    domain_release(&f->d);
}

/* Grant mappings in d's page tables, and live host mappings in its maptrack. */
static void count_host(struct fdom *f, unsigned *in_tables, unsigned *in_maptrack)
{
    struct grant_table *gt = f->d.grant_table;
    *in_tables = *in_maptrack = 0;
    for (unsigned i = 0; i < MAX_HOST; i++)
        *in_tables += host[i].used && host[i].d == &f->d;
    for (unsigned h = 0; h < gt->maptrack_chunks * GNTTAB_MAPTRACK_CHUNK; h++)
        *in_maptrack += !!(gnt_maptrack(gt, h)->flags & GNTMAP_host_map);
}

/* ---- the model -------------------------------------------------------------- */

static struct fdom *doms[2];
#define MAX_REPLACED 64
static struct fdom *graveyard[MAX_REPLACED + 2];
static unsigned nr_dead;
static domid_t next_id;

struct input { const uint8_t *p; size_t n; };

static uint8_t next(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static long call(struct fdom *f, unsigned cmd, void *arg, unsigned count)
{
    cur = &f->v;
    long rc = do_grant_table_op(cmd, (uint64_t)(uintptr_t)arg, count);
    cur = NULL;
    return rc;
}

static uint64_t va_of(unsigned slot) { return 0x10000000ull + (uint64_t)slot * PAGE_SIZE; }

/*
 * A frame number: one of ours, the other domain's, nobody's, or our grant
 * table's first frame (only where nothing will write it: writing a table
 * is a guest writing its status bits, outside the model).
 */
static uint64_t pick_frame(struct fdom *self, struct fdom *other, uint8_t b, bool for_write)
{
    if (for_write && (b >> 5) == 7)
        b &= 0x1f;
    switch (b >> 5) {
    default: return self->first_mfn + (b % DOM_FRAMES);
    case 5: return other->first_mfn + (b % DOM_FRAMES);
    case 6: return FIRST_MFN + NR_FRAMES + b;
    case 7: return self->d.grant_table->frame_mfn[0];
    }
}

static domid_t pick_domid(struct fdom *self, struct fdom *other, uint8_t b)
{
    switch (b & 7) {
    default: return other->d.domain_id;
    case 4: case 5: return self->d.domain_id;
    case 6: return DOMID_SELF;
    case 7: return 0x7000;
    }
}

static grant_ref_t pick_ref(uint8_t b)
{
    return b < 240 ? b % NR_REFS : 500 + (b & 15);     /* 500..515 straddles frame 1 */
}

/* GTF_reading/GTF_writing where the entry's version keeps them. */
static uint16_t in_use(struct fdom *g, grant_ref_t ref)
{
    return __atomic_load_n(gnt_status(g->d.grant_table, ref), __ATOMIC_ACQUIRE) &
           (GTF_reading | GTF_writing);
}

/* A v2 grant: full page, sub-page or transitive, the body before the flags. */
static void grant_v2(struct fdom *g, struct fdom *o, struct input *in, grant_ref_t ref, uint8_t b)
{
    grant_entry_v2_t *e = gnt_entry_v2(g->d.grant_table, ref);
    uint16_t extra = (b & 1) ? GTF_readonly : 0;
    domid_t to = (b & 6) ? o->d.domain_id : g->d.domain_id;
    uint16_t flags;

    if (in_use(g, ref))
        return;
    switch ((b >> 3) & 3) {
    default:
        e->full_page.frame = pick_frame(g, o, next(in), false);
        flags = GTF_permit_access;
        break;
    case 2:
        e->sub_page.frame = pick_frame(g, o, next(in), false);
        e->sub_page.page_off = (uint16_t)(next(in) * 16);
        e->sub_page.length = (uint16_t)(next(in) * 17);
        flags = GTF_permit_access | GTF_sub_page;
        break;
    case 3:
        e->transitive.trans_domid = pick_domid(g, o, next(in));
        e->transitive.gref = pick_ref(next(in));
        flags = GTF_transitive;
        break;
    }
    /* Never a writable grant of the table frame (see pick_frame). */
    if ((flags & GTF_type_mask) == GTF_permit_access && e->full_page.frame == g->d.grant_table->frame_mfn[0])
        extra = GTF_readonly;
    e->hdr.domid = to;
    __atomic_store_n(&e->hdr.flags, (uint16_t)(flags | extra), __ATOMIC_RELEASE);
}

static void op_grant(struct fdom *g, struct fdom *o, struct input *in)
{
    grant_ref_t ref = next(in) % NR_REFS;
    uint8_t b = next(in);
    if (g->d.grant_table->version == 2) {
        grant_v2(g, o, in, ref, b);
        return;
    }
    grant_entry_v1_t *e = gnt_entry(g->d.grant_table, ref);
    uint16_t extra = (b & 1) ? GTF_readonly : 0;
    domid_t to = (b & 6) ? o->d.domain_id : g->d.domain_id;
    uint16_t old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    if (old & (GTF_reading | GTF_writing))
        return;     /* a well-behaved guest does not rewrite an entry in use */
    e->domid = to;
    e->frame = (uint32_t)pick_frame(g, o, next(in), false);
    if (e->frame == g->d.grant_table->frame_mfn[0])
        extra = GTF_readonly;
    __atomic_compare_exchange_n(&e->flags, &old, (uint16_t)(GTF_permit_access | extra), false,
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void op_revoke(struct fdom *g, struct input *in)
{
    grant_ref_t ref = next(in) % NR_REFS;
    if (g->d.grant_table->version == 2) {
        if (!in_use(g, ref))
            __atomic_store_n(&gnt_entry_v2(g->d.grant_table, ref)->hdr.flags, 0, __ATOMIC_RELEASE);
        return;
    }
    grant_entry_v1_t *e = gnt_entry(g->d.grant_table, ref);
    uint16_t old = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) & ~(GTF_reading | GTF_writing);
    __atomic_compare_exchange_n(&e->flags, &old, 0, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

static void remember(struct fdom *m, grant_handle_t h, uint64_t va, uint64_t dev)
{
    for (unsigned i = 0; i < MAX_HANDLES; i++)
        if (!m->handles[i].live) {
            m->handles[i].h = h;
            m->handles[i].va = va;
            m->handles[i].dev = dev;
            m->handles[i].live = true;
            return;
        }
    abort();    /* the fuzzer caps mappings below MAX_HANDLES */
}

static unsigned live_handles(struct fdom *m)
{
    unsigned n = 0;
    for (unsigned i = 0; i < MAX_HANDLES; i++)
        n += m->handles[i].live;
    return n;
}

static void op_map(struct fdom *m, struct fdom *o, struct input *in, unsigned batch)
{
    struct gnttab_map_grant_ref ops[3];
    if (live_handles(m) + batch > MAX_HANDLES)
        return;
    for (unsigned i = 0; i < batch; i++) {
        uint8_t b = next(in);
        static const uint32_t flag_sets[8] = {
            GNTMAP_host_map, GNTMAP_host_map | GNTMAP_readonly, GNTMAP_device_map,
            GNTMAP_device_map | GNTMAP_readonly, GNTMAP_host_map | GNTMAP_device_map,
            0, GNTMAP_host_map | GNTMAP_contains_pte, GNTMAP_host_map | GNTMAP_readonly,
        };
        ops[i] = (struct gnttab_map_grant_ref){
            .host_addr = (b & 0x80) ? 3 : va_of(b % NR_SLOTS),
            .flags = flag_sets[(b >> 3) & 7],
            .ref = pick_ref(next(in)),
            .dom = pick_domid(m, o, next(in)),
        };
    }
    if (call(m, GNTTABOP_map_grant_ref, ops, batch) != 0)
        abort();
    for (unsigned i = 0; i < batch; i++)
        if (ops[i].status == GNTST_okay)
            remember(m, ops[i].handle, (ops[i].flags & GNTMAP_host_map) ? ops[i].host_addr : 0,
                     (ops[i].flags & GNTMAP_device_map) ? ops[i].dev_bus_addr : 0);
}

/* The k-th live mapping the fuzzer knows of, or -1. */
static int nth_live(struct fdom *m, unsigned k)
{
    for (unsigned i = 0; i < MAX_HANDLES; i++)
        if (m->handles[i].live && k-- == 0)
            return (int)i;
    return -1;
}

/* unmap_grant_ref, or (replace) unmap_and_replace with a new_addr of ours or 0. */
static void op_unmap(struct fdom *m, struct input *in, bool replace)
{
    uint8_t b = next(in);
    unsigned live = live_handles(m);
    int i = live ? nth_live(m, (b & 0x3f) % live) : -1;
    struct gnttab_unmap_grant_ref u = { .handle = 1000 + b };
    if (i >= 0 && !(b & 0x80)) {
        u.handle = m->handles[i].h;
        u.host_addr = (b & 0x40) ? va_of(b % NR_SLOTS) : m->handles[i].va;
        u.dev_bus_addr = m->handles[i].dev;
    }
    if (replace) {
        uint8_t n = next(in);
        struct gnttab_unmap_and_replace r = { .host_addr = u.host_addr, .handle = u.handle,
                                              .new_addr = n < 32 ? 0 : va_of(n % NR_SLOTS) };
        if (call(m, GNTTABOP_unmap_and_replace, &r, 1) != 0)
            abort();
        u.status = r.status;
        u.dev_bus_addr = 0;     /* replace never undoes a device mapping */
    } else if (call(m, GNTTABOP_unmap_grant_ref, &u, 1) != 0) {
        abort();
    }
    if (i < 0 || u.status != GNTST_okay || u.handle != m->handles[i].h)
        return;
    /* A mapping is gone once both its host and device parts were undone. */
    struct grant_mapping *mt = gnt_maptrack(m->d.grant_table, u.handle);
    if (!mt || !mt->flags)
        m->handles[i].live = false;
    else if (u.host_addr)
        m->handles[i].va = 0;
}

static void op_copy(struct fdom *c, struct fdom *o, struct input *in)
{
    uint8_t b = next(in);
    struct gnttab_copy op = { .len = (uint16_t)(next(in) * 17), .flags = b & 3 };
    op.source.domid = (b & GNTCOPY_source_gref) ? pick_domid(c, o, next(in)) : DOMID_SELF;
    op.dest.domid = (b & GNTCOPY_dest_gref) ? pick_domid(c, o, next(in)) : DOMID_SELF;
    if (b & GNTCOPY_source_gref)
        op.source.u.ref = pick_ref(next(in));
    else
        op.source.u.gmfn = pick_frame(c, o, next(in), false);
    if (b & GNTCOPY_dest_gref)
        op.dest.u.ref = pick_ref(next(in));
    else
        op.dest.u.gmfn = pick_frame(c, o, next(in), true);
    op.source.offset = (uint16_t)(next(in) * 16);
    op.dest.offset = (uint16_t)(next(in) * 16);
    if (call(c, GNTTABOP_copy, &op, 1) != 0)
        abort();
    if (op.status == GNTST_okay && (op.source.offset + op.len > PAGE_SIZE || op.dest.offset + op.len > PAGE_SIZE))
        abort();    /* a copy past a page end was accepted */
}

static void op_table(struct fdom *f, struct fdom *o, struct input *in)
{
    uint8_t b = next(in);
    xen_pfn_t frames[8];
    struct grant_table *gt = f->d.grant_table;
    switch (b & 3) {
    case 0: {
        struct gnttab_setup_table st = { .dom = pick_domid(f, o, b >> 2), .nr_frames = (b >> 4) & 7 };
        set_xen_guest_handle(st.frame_list, frames);
        alloc_fail_at = (b & 0x80) ? 1 : 0;
        if (call(f, GNTTABOP_setup_table, &st, 1) != 0)
            abort();
        alloc_fail_at = 0;
        break;
    }
    case 1: {
        struct gnttab_query_size qs = { .dom = pick_domid(f, o, b >> 2) };
        if (call(f, GNTTABOP_query_size, &qs, 1) != 0)
            abort();
        if (qs.status == GNTST_okay && (qs.nr_frames < 1 || qs.nr_frames > qs.max_nr_frames))
            abort();
        break;
    }
    case 2: {
        unsigned before = gt->version;
        struct gnttab_set_version sv = { .version = (b >> 2) & 3 };
        long rc = call(f, GNTTABOP_set_version, &sv, 1);
        /* Done, or refused with the version unchanged; never anything else. */
        if (rc == 0 ? sv.version != ((b >> 2) & 3) : sv.version != before)
            abort();
        if (rc && rc != -EINVAL && rc != -EBUSY && rc != -ERANGE)
            abort();
        if (gt->version != sv.version)
            abort();
        break;
    }
    default:
        if (b & 0x80) {
            uint64_t list[8];
            struct gnttab_get_status_frames gs = { .nr_frames = (b >> 4) & 7, .dom = DOMID_SELF };
            set_xen_guest_handle(gs.frame_list, list);
            if (call(f, GNTTABOP_get_status_frames, &gs, 1) != 0)
                abort();
            if (gs.status == GNTST_okay ? gs.nr_frames > gt->nr_status_frames
                                        : gs.nr_frames <= gt->nr_status_frames)
                abort();
            for (unsigned i = 0; gs.status == GNTST_okay && i < gs.nr_frames; i++)
                if (list[i] != gt->status_mfn[i])
                    abort();
        } else {
            struct gnttab_get_version gv = { .dom = pick_domid(f, o, b >> 2) };
            if (call(f, GNTTABOP_get_version, &gv, 1) == 0 && gv.version != 1 && gv.version != 2)
                abort();
        }
    }
}

static void replace_domain(unsigned i)
{
    if (nr_dead == MAX_REPLACED)
        return;
    fdom_kill(doms[i]);
    graveyard[nr_dead++] = doms[i];
    doms[i] = fdom_new(next_id++);
}

/* A domain turns one of its data frames into a table, or back (the model of pin/unpin). */
static void op_type(struct fdom *f, struct input *in)
{
    uint64_t mfn = f->first_mfn + next(in) % DOM_FRAMES;
    unsigned i = (unsigned)(mfn - FIRST_MFN);

    if (is_table[i]) {
        is_table[i] = false;
    } else if (writable_uses[i] == 0) {
        is_table[i] = true;
        table_sum[i] = frame_sum(mfn);
    }
}

static void check_types(void)
{
    for (unsigned i = 0; i < NR_FRAMES; i++) {
        unsigned ro, rw;
        grant_frame_counts(FIRST_MFN + i, &ro, &rw);
        if (writable_uses[i] != rw) {
            fprintf(stderr, "frame %#x: %u writable uses, %u writable grant mappings\n",
                    FIRST_MFN + i, writable_uses[i], rw);
            abort();
        }
        if (is_table[i] && (writable_uses[i] || table_sum[i] != frame_sum(FIRST_MFN + i))) {
            fprintf(stderr, "frame %#x: a table that was written or may be\n", FIRST_MFN + i);
            abort();
        }
    }
}

static void check(void)
{
    check_types();
    for (unsigned i = 0; i < 2; i++) {
        const char *why;
        if (grant_table_check(&doms[i]->d, &why)) {
            fprintf(stderr, "domain %u: %s\n", doms[i]->d.domain_id, why);
            abort();
        }
        unsigned in_tables, in_maptrack;
        count_host(doms[i], &in_tables, &in_maptrack);
        if (in_tables != in_maptrack) {
            fprintf(stderr, "domain %u: %u grant mappings in its page tables, %u in its maptrack\n",
                    doms[i]->d.domain_id, in_tables, in_maptrack);
            abort();
        }
        if (doms[i]->d.grant_table->maptrack_live != live_handles(doms[i])) {
            fprintf(stderr, "domain %u: maptrack %u, fuzzer saw %u\n", doms[i]->d.domain_id,
                    doms[i]->d.grant_table->maptrack_live, live_handles(doms[i]));
            abort();
        }
    }
    for (unsigned i = 0; i < nr_dead; i++) {
        const char *why;
        if (!graveyard[i]->freed && grant_table_check(&graveyard[i]->d, &why)) {
            fprintf(stderr, "dead domain %u: %s\n", graveyard[i]->d.domain_id, why);
            abort();
        }
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    frame_memory = aligned_alloc(PAGE_SIZE, (size_t)NR_FRAMES * PAGE_SIZE);
    if (!frame_memory)
        abort();
    page_alloc_init(&frame_allocator, frame_meta, FIRST_MFN, NR_FRAMES);
    page_alloc_add_free(&frame_allocator, FIRST_MFN, NR_FRAMES);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    struct page_alloc_stats before;

    page_alloc_stats(&frame_allocator, &before);
    memset(host, 0, sizeof(host));
    memset(is_table, 0, sizeof(is_table));
    nr_dead = 0;
    next_id = 1;
    doms[0] = fdom_new(next_id++);
    doms[1] = fdom_new(next_id++);
    /*
     * A starting state worth mutating: each domain grants its refs to the
     * other, odd refs read-only, each its own data frame. The first byte
     * picks each domain's version, so v2 paths are reached at once; a v2
     * domain makes ref 2 a sub-page grant and ref 3 transitive (naming the
     * other domain's ref 4, granted to it).
     */
    uint8_t versions = next(&in);
    for (unsigned i = 0; i < 2; i++) {
        struct gnttab_set_version sv = { .version = 2 };
        if ((versions >> i) & 1 && (call(doms[i], GNTTABOP_set_version, &sv, 1) != 0 || sv.version != 2))
            abort();
    }
    for (unsigned i = 0; i < 2; i++)
        for (grant_ref_t ref = 0; ref < NR_REFS; ref++) {
            uint64_t frame = doms[i]->first_mfn + ref % DOM_FRAMES;
            uint16_t flags = GTF_permit_access | ((ref & 1) ? GTF_readonly : 0);
            if (doms[i]->d.grant_table->version == 1) {
                grant_entry_v1_t *e = gnt_entry(doms[i]->d.grant_table, ref);
                e->domid = doms[!i]->d.domain_id;
                e->frame = (uint32_t)frame;
                __atomic_store_n(&e->flags, flags, __ATOMIC_RELEASE);
                continue;
            }
            grant_entry_v2_t *e = gnt_entry_v2(doms[i]->d.grant_table, ref);
            e->hdr.domid = doms[!i]->d.domain_id;
            if (ref == 3) {
                e->transitive.trans_domid = doms[!i]->d.domain_id;
                e->transitive.gref = 4;
                flags = GTF_transitive;
            } else {
                e->full_page.frame = frame;
                if (ref == 2) {
                    e->sub_page.page_off = 1024;
                    e->sub_page.length = 2048;
                    flags |= GTF_sub_page;
                }
            }
            __atomic_store_n(&e->hdr.flags, flags, __ATOMIC_RELEASE);
        }

    for (unsigned steps = 0; in.n && steps < 100; steps++) {
        uint8_t b = next(&in);
        unsigned who = b & 1;
        struct fdom *f = doms[who], *o = doms[!who];
        switch ((b >> 1) % 11) {
        case 0: op_grant(f, o, &in); break;
        case 1: op_revoke(f, &in); break;
        case 2: op_map(f, o, &in, 1); break;
        case 3: op_map(f, o, &in, 1 + next(&in) % 3); break;
        case 4: op_unmap(f, &in, false); break;
        case 5: op_copy(f, o, &in); break;
        case 6: op_table(f, o, &in); break;
        case 7: op_unmap(f, &in, false); break;
        case 9: op_type(f, &in); break;
        case 10: op_unmap(f, &in, true); break;
        default:
            if ((b >> 5) == 7)
                replace_domain(who);
            else
                op_grant(f, o, &in);
        }
        check();
    }

    for (unsigned i = 0; i < 2; i++) {
        fdom_kill(doms[i]);
        graveyard[nr_dead++] = doms[i];
    }
    for (unsigned i = 0; i < nr_dead; i++) {
        if (!graveyard[i]->freed)
            abort();    /* a domain outlived every mapping of it */
        free(graveyard[i]);
    }
    struct page_alloc_stats after;
    page_alloc_stats(&frame_allocator, &after);
    if (allocs_live || frame_maps_live || after.free != before.free || page_alloc_check(&frame_allocator))
        abort();
    for (unsigned i = 0; i < MAX_HOST; i++)
        if (host[i].used)
            abort();    /* a host mapping survived its domain */
    return 0;
}
