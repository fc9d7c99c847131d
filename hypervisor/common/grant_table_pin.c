/*
 * Uses of a grant entry: setting and clearing the GTF_reading/GTF_writing
 * status bits in the guest-shared entry, the frame a grant names, the
 * per-frame mapping counts, and the maptrack handles of the mapping
 * domain. Everything here runs under the grant locks the caller holds.
 */
#include <stddef.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>

/*
 * flags and domid of a v1 entry as one little-endian word (flags in the low
 * half), so the guest sees them change together. may_alias: the same
 * memory is also read as grant_entry_v1_t.
 */
typedef uint32_t __attribute__((may_alias)) gnt_word_t;

#define WORD_FLAGS(w) ((uint16_t)((w) & 0xFFFFu))
#define WORD_DOMID(w) ((domid_t)((w) >> 16))

/* A guest changing its entry this often while we update it is misbehaving. */
#define STATUS_RETRIES 5

static unsigned int pins_total(const struct grant_active *act)
{
    return (unsigned int)act->host_ro + act->host_rw + act->dev_ro + act->dev_rw;
}

static unsigned int pins_writable(const struct grant_active *act)
{
    return (unsigned int)act->host_rw + act->dev_rw;
}

/*
 * Domain ldom is about to use entry ref of rgt (read-only or writable).
 * If nothing uses the entry yet, its flags must permit access to ldom;
 * a writable use needs an entry without GTF_readonly. Sets GTF_reading
 * (and GTF_writing) with a compare-and-swap. On success, *frame_out is the
 * entry's frame as it was when the bits were set. GNTST_okay or
 * GNTST_general_error; nothing changes on failure.
 */
int gnt_pin_status(struct grant_table *rgt, grant_ref_t ref, domid_t ldom, bool readonly,
                   uint32_t *frame_out)
{
    grant_entry_v1_t *e = gnt_entry(rgt, ref);
    struct grant_active *act = gnt_active(rgt, ref);
    gnt_word_t *word = (gnt_word_t *)e;
    bool pinned = pins_total(act) != 0;
    uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);

    if (pinned && act->domid != ldom)
        return GNTST_general_error;
    for (int tries = 0;; tries++) {
        uint16_t flags = WORD_FLAGS(old);
        if (!pinned && ((flags & GTF_type_mask) != GTF_permit_access || WORD_DOMID(old) != ldom))
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error;
        uint32_t new = old | GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
        if (tries + 1 == STATUS_RETRIES)
            return GNTST_general_error;
    }
    *frame_out = __atomic_load_n(&e->frame, __ATOMIC_ACQUIRE);
    return GNTST_okay;
}

/*
 * Clears the status bits the entry's remaining uses do not justify:
 * GTF_reading once nothing uses it, GTF_writing once nothing writes.
 */
void gnt_drop_status(struct grant_table *rgt, grant_ref_t ref)
{
    struct grant_active *act = gnt_active(rgt, ref);
    uint32_t clear = 0;

    if (!pins_total(act))
        clear |= GTF_reading;
    if (!pins_writable(act))
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and((gnt_word_t *)gnt_entry(rgt, ref), ~clear, __ATOMIC_ACQ_REL);
}

/*
 * The machine frame behind rd's frame number gfn, for a read or a write
 * through a grant or a copy: rd must own it. Whether it may be written is
 * the arch's one rule (gnt_frame_use_get). GNTST_okay, GNTST_eagain or
 * GNTST_bad_page.
 */
int gnt_frame_of(struct domain *rd, uint64_t gfn, uint64_t *mfn)
{
    int rc = arch_gfn_to_mfn(rd, gfn, mfn);

    if (rc == -EAGAIN)
        return GNTST_eagain;
    if (rc < 0 || page_owner(&frame_allocator, *mfn) != rd->domain_id)
        return GNTST_bad_page;
    return GNTST_okay;
}

/*
 * One more mapping of rd's frame mfn: its grant mapping count, and for a
 * writable one a writable use from the arch (refused for a page table or
 * descriptor page: GNTST_general_error, nothing changed).
 */
int gnt_frame_use_get(struct domain *rd, uint64_t mfn, bool readonly)
{
    struct page_info *pi = gnt_frame_info(mfn);

    if (!pi)
        return GNTST_general_error;
    if (!readonly && arch_frame_get_writable(rd, mfn) < 0)
        return GNTST_general_error;
    __atomic_fetch_add(&pi->refcount, readonly ? GRANT_FRAME_RO_ONE : GRANT_FRAME_RW_ONE,
                       __ATOMIC_ACQ_REL);
    return GNTST_okay;
}

void gnt_frame_use_put(struct domain *rd, uint64_t mfn, bool readonly)
{
    struct page_info *pi = gnt_frame_info(mfn);

    if (!pi)
        return;
    __atomic_fetch_sub(&pi->refcount, readonly ? GRANT_FRAME_RO_ONE : GRANT_FRAME_RW_ONE,
                       __ATOMIC_ACQ_REL);
    if (!readonly)
        arch_frame_put_writable(rd, mfn);
}

/* The host-mapping hook that GNTMAP_contains_pte picks: a VA or a PTE address. */
int gnt_host_map(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn)
{
    bool ro = flags & GNTMAP_readonly;
    return (flags & GNTMAP_contains_pte) ? arch_grant_map_pte(v, addr, mfn, ro)
                                         : arch_grant_map_host(v, addr, mfn, ro);
}

int gnt_host_unmap(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn)
{
    bool ro = flags & GNTMAP_readonly;
    return (flags & GNTMAP_contains_pte) ? arch_grant_unmap_pte(v, addr, mfn, ro)
                                         : arch_grant_unmap_host(v, addr, mfn, ro);
}

/* ---- maptrack handles ---------------------------------------------------- */

grant_handle_t gnt_maptrack_get(struct grant_table *lgt)
{
    if (lgt->maptrack_free == GNTTAB_NO_HANDLE) {
        if (lgt->maptrack_chunks == GNTTAB_MAPTRACK_MAX_CHUNKS)
            return GNTTAB_NO_HANDLE;
        struct grant_mapping *chunk = xzalloc_array(GNTTAB_MAPTRACK_CHUNK, sizeof(*chunk));
        if (!chunk)
            return GNTTAB_NO_HANDLE;
        uint32_t base = lgt->maptrack_chunks * GNTTAB_MAPTRACK_CHUNK;
        /* Linked so the lowest handle is handed out first. */
        for (uint32_t i = GNTTAB_MAPTRACK_CHUNK; i-- > 0;) {
            chunk[i].next_free = lgt->maptrack_free;
            lgt->maptrack_free = base + i;
        }
        lgt->maptrack[lgt->maptrack_chunks++] = chunk;
    }
    grant_handle_t handle = lgt->maptrack_free;
    lgt->maptrack_free = gnt_maptrack(lgt, handle)->next_free;
    lgt->maptrack_live++;
    return handle;
}

void gnt_maptrack_put(struct grant_table *lgt, grant_handle_t handle)
{
    struct grant_mapping *m = gnt_maptrack(lgt, handle);

    *m = (struct grant_mapping){ .next_free = lgt->maptrack_free };
    lgt->maptrack_free = handle;
    lgt->maptrack_live--;
}

/*
 * Undoes mapping m (handle of ld's maptrack): removes the host mapping,
 * drops its pins and frame counts, clears the status bits no other use
 * justifies, and frees the handle. Both domains' grant locks are held; the
 * caller drops the mapping's reference on the granter after unlocking.
 */
void gnt_release_mapping(struct domain *ld, struct grant_mapping *m, grant_handle_t handle)
{
    struct grant_table *rgt = m->rd->grant_table;
    struct grant_active *act = gnt_active(rgt, m->ref);
    bool ro = m->flags & GNTMAP_readonly;

    if (m->flags & GNTMAP_host_map) {
        /* Its failure cannot keep the mapping: ld never runs again or asked for it. */
        (void)gnt_host_unmap(m->v, m->flags, m->host_addr, m->mfn);
        if (ro)
            act->host_ro--;
        else
            act->host_rw--;
        gnt_frame_use_put(m->rd, m->mfn, ro);
    }
    if (m->flags & GNTMAP_device_map) {
        if (ro)
            act->dev_ro--;
        else
            act->dev_rw--;
        gnt_frame_use_put(m->rd, m->mfn, ro);
    }
    gnt_drop_status(rgt, m->ref);
    gnt_maptrack_put(ld->grant_table, handle);
}
