/*
 * grant_table_check: every invariant of one domain's grant table, for the
 * unit tests, the fuzzer and (later) a debug key. The pins of each entry
 * must equal the mappings the maptracks of all domains hold of it, each
 * frame's grant mapping count must equal the pins of the entries naming
 * it, and the status bits must say exactly what the pins say (which holds
 * as long as the granting guest does not write GTF_reading/writing itself).
 */
#include <stddef.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>

struct tally {
    struct domain *granter;
    struct grant_active *seen;     /* per entry of granter: mappings found */
    unsigned int nr_entries;
    const char *why;
};

static unsigned int pins_of(const struct grant_active *a)
{
    return (unsigned int)a->host_ro + a->host_rw + a->dev_ro + a->dev_rw;
}

/* Counts the mappings domain md holds of the granter's entries. */
static void tally_maptrack(struct domain *md, void *ctx)
{
    struct tally *t = ctx;
    struct grant_table *gt = md->grant_table;

    if (!gt || t->why)
        return;
    for (unsigned int c = 0; c < gt->maptrack_chunks; c++) {
        for (unsigned int i = 0; i < GNTTAB_MAPTRACK_CHUNK; i++) {
            const struct grant_mapping *m = &gt->maptrack[c][i];
            if (!m->flags || m->rd != t->granter)
                continue;
            if (m->ref >= t->nr_entries) {
                t->why = "a mapping names a ref past the granter's table";
                return;
            }
            if (!(m->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
                t->why = "a live mapping has neither host nor device flag";
                return;
            }
            struct grant_active *s = &t->seen[m->ref];
            bool ro = m->flags & GNTMAP_readonly;
            if (m->flags & GNTMAP_host_map)
                ro ? s->host_ro++ : s->host_rw++;
            if (m->flags & GNTMAP_device_map)
                ro ? s->dev_ro++ : s->dev_rw++;
            s->domid = md->domain_id;
            s->mfn = m->mfn;
        }
    }
}

static const char *check_maptrack(struct grant_table *gt)
{
    unsigned int total = gt->maptrack_chunks * GNTTAB_MAPTRACK_CHUNK, nr_free = 0;

    for (uint32_t h = gt->maptrack_free; h != GNTTAB_NO_HANDLE; h = gnt_maptrack(gt, h)->next_free) {
        if (h >= total || ++nr_free > total)
            return "maptrack free list is broken";
        if (gnt_maptrack(gt, h)->flags)
            return "a free maptrack entry has flags";
    }
    if (nr_free + gt->maptrack_live != total)
        return "maptrack live count disagrees with the free list";
    unsigned int live = 0;
    for (unsigned int h = 0; h < total; h++) {
        const struct grant_mapping *m = gnt_maptrack(gt, h);
        if (!m->flags)
            continue;
        live++;
        if (!m->rd || !m->rd->grant_table)
            return "a mapping's granter has no grant table";
    }
    return live == gt->maptrack_live ? NULL : "maptrack live count is wrong";
}

static const char *check_entries(struct grant_table *gt, const struct grant_active *seen)
{
    unsigned int n = gnt_nr_entries(gt);

    for (grant_ref_t ref = 0; ref < n; ref++) {
        const struct grant_active *a = gnt_active(gt, ref), *s = &seen[ref];
        if (a->host_ro != s->host_ro || a->host_rw != s->host_rw || a->dev_ro != s->dev_ro ||
            a->dev_rw != s->dev_rw)
            return "an entry's pins differ from the mappings of it";
        if (pins_of(a) && (a->domid != s->domid || a->mfn != s->mfn))
            return "an entry's mapper or frame differs from its mappings'";
        uint16_t flags = __atomic_load_n(gnt_status(gt, ref), __ATOMIC_ACQUIRE);
        if (!!(flags & GTF_reading) != (pins_of(a) != 0))
            return "GTF_reading disagrees with the entry's pins";
        if (!!(flags & GTF_writing) != (a->host_rw + a->dev_rw != 0))
            return "GTF_writing disagrees with the entry's writable pins";
    }
    return NULL;
}

/*
 * Each frame's count against the pins of the entries naming it. pinned[]
 * has room for every entry; only the pinned ones are gathered, so the
 * quadratic parts run over mapped entries, not the whole table.
 */
static const char *check_frame_counts(struct domain *d, struct grant_table *gt, grant_ref_t *pinned)
{
    unsigned int n = gnt_nr_entries(gt), p = 0;

    for (grant_ref_t ref = 0; ref < n; ref++)
        if (pins_of(gnt_active(gt, ref)))
            pinned[p++] = ref;
    for (unsigned int i = 0; i < p; i++) {
        uint64_t mfn = gnt_active(gt, pinned[i])->mfn;
        bool first = true;
        for (unsigned int j = 0; j < i && first; j++)
            first = gnt_active(gt, pinned[j])->mfn != mfn;
        if (!first)
            continue;
        unsigned int ro = 0, rw = 0, have_ro, have_rw;
        for (unsigned int j = i; j < p; j++) {
            const struct grant_active *b = gnt_active(gt, pinned[j]);
            if (b->mfn == mfn) {
                ro += b->host_ro + b->dev_ro;
                rw += b->host_rw + b->dev_rw;
            }
        }
        grant_frame_counts(mfn, &have_ro, &have_rw);
        if (ro != have_ro || rw != have_rw)
            return "a frame's mapping count differs from its entries' pins";
        if (page_owner(&frame_allocator, mfn) != d->domain_id)
            return "a mapped frame is no longer the granter's";
    }
    /* And no frame of d counts mappings no entry has. */
    for (uint64_t f = 0; f < frame_allocator.nr_frames; f++) {
        const struct page_info *pi = &frame_allocator.meta[f];
        if (pi->owner != d->domain_id || !__atomic_load_n(&pi->refcount, __ATOMIC_ACQUIRE))
            continue;
        uint64_t mfn = frame_allocator.first_mfn + f;
        bool named = false;
        for (unsigned int j = 0; j < p && !named; j++)
            named = gnt_active(gt, pinned[j])->mfn == mfn;
        if (!named)
            return "a frame counts mappings that no entry holds";
    }
    return NULL;
}

int grant_table_check(struct domain *d, const char **why)
{
    struct grant_table *gt = d->grant_table;
    const char *problem = NULL;

    if (!gt) {
        *why = "no grant table";
        return -EINVAL;
    }
    /*
     * The table never shrinks, so sizing the tallies before taking the lock
     * is safe; the maptracks are walked before it too, keeping the lock
     * order (domain_list_lock is never taken inside a grant lock).
     */
    unsigned int room = gt->max_frames * (unsigned int)GNTTAB_ENTRIES_PER_FRAME;
    struct tally t = { .granter = d };
    t.seen = xzalloc_array(room, sizeof(*t.seen));
    grant_ref_t *pinned = xzalloc_array(room, sizeof(*pinned));
    if (!t.seen || !pinned) {
        xfree(t.seen);
        xfree(pinned);
        *why = "out of memory";
        return -ENOMEM;
    }
    t.nr_entries = gnt_nr_entries(gt);
    domain_for_each(tally_maptrack, &t);
    problem = t.why;

    grant_table_lock(d);
    if (!problem && (gt->nr_frames == 0 || gt->nr_frames > gt->max_frames))
        problem = "frame count out of range";
    for (unsigned int i = 0; !problem && i < gt->nr_frames; i++)
        if (page_owner(&frame_allocator, gt->frame_mfn[i]) != d->domain_id || !gt->shared[i])
            problem = "a table frame is not the domain's";
    if (!problem && (gt->version < 1 || gt->version > gt->max_version))
        problem = "version out of range";
    if (!problem && gt->nr_status_frames != (gt->version == 2 ? GNTTAB_STATUS_FRAMES(gt->nr_frames) : 0))
        problem = "status frames do not match the version and table size";
    for (unsigned int i = 0; !problem && i < gt->nr_status_frames; i++)
        if (page_owner(&frame_allocator, gt->status_mfn[i]) != d->domain_id || !gt->status[i])
            problem = "a status frame is not the domain's";
    if (!problem)
        problem = check_maptrack(gt);
    if (!problem)
        problem = check_entries(gt, t.seen);
    if (!problem)
        problem = check_frame_counts(d, gt, pinned);
    grant_table_unlock(d);
    xfree(t.seen);
    xfree(pinned);
    *why = problem;
    return problem ? -EINVAL : 0;
}
