/*
 * Uses of a grant entry: setting and clearing the GTF_reading/GTF_writing
 * status bits (in the guest-shared entry, or its status word in version 2),
 * what the entry grants, the frame a grant names, the
 * per-frame mapping counts, and the maptrack handles of the mapping
 * domain. Everything here runs under the grant locks the caller holds.
 */
#include <stddef.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>

/*
 * flags and domid of an entry's header as one little-endian word (flags in the low
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

/* Whether an entry of these flags may be used this way by the domain it names. */
static bool type_allows(uint16_t flags, unsigned int version, enum gnt_use use)
{
    /* Mappings take whole pages only: a sub-page grant is refused (as Xen, both versions). */
    uint16_t type = flags & (use == GNT_USE_MAP ? (GTF_type_mask | GTF_sub_page) : GTF_type_mask);

    if (type == GTF_permit_access)
        return true;
    return version == 2 && use == GNT_USE_COPY && type == GTF_transitive;
}

/* What a v1 or v2 entry grants, each field read once. */
static void read_grant(struct grant_table *rgt, grant_ref_t ref, uint16_t flags, enum gnt_use use,
                       struct gnt_grant *out)
{
    *out = (struct gnt_grant){ .offset = 0, .length = PAGE_SIZE };
    if (rgt->version == 1) {
        out->frame = __atomic_load_n(&gnt_entry(rgt, ref)->frame, __ATOMIC_ACQUIRE);
        return;
    }
    grant_entry_v2_t *e = gnt_entry_v2(rgt, ref);
    if ((flags & GTF_type_mask) == GTF_transitive) {
        out->transitive = true;
        out->trans_domid = __atomic_load_n(&e->transitive.trans_domid, __ATOMIC_ACQUIRE);
        out->trans_ref = __atomic_load_n(&e->transitive.gref, __ATOMIC_ACQUIRE);
        return;
    }
    out->frame = __atomic_load_n(&e->full_page.frame, __ATOMIC_ACQUIRE);
    if (use != GNT_USE_MAP && (flags & GTF_sub_page)) {
        out->offset = __atomic_load_n(&e->sub_page.page_off, __ATOMIC_ACQUIRE);
        out->length = __atomic_load_n(&e->sub_page.length, __ATOMIC_ACQUIRE);
    }
}

/* Version 1: the status bits go into the entry's flags with a compare-and-swap. */
static int pin_status_v1(struct grant_table *rgt, grant_ref_t ref, domid_t ldom, bool readonly,
                         enum gnt_use use, bool pinned, uint16_t *flags_out)
{
    gnt_word_t *word = (gnt_word_t *)gnt_entry(rgt, ref);
    uint32_t old = __atomic_load_n(word, __ATOMIC_ACQUIRE);

    for (int tries = 0;; tries++) {
        uint16_t flags = WORD_FLAGS(old);
        if (!pinned && (!type_allows(flags, 1, use) || WORD_DOMID(old) != ldom))
            return GNTST_general_error;
        if (!readonly && (flags & GTF_readonly))
            return GNTST_general_error;
        uint32_t new = old | GTF_reading | (readonly ? 0 : GTF_writing);
        if (__atomic_compare_exchange_n(word, &old, new, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
            *flags_out = WORD_FLAGS(old);
            return GNTST_okay;
        }
        if (tries + 1 == STATUS_RETRIES)
            return GNTST_general_error;
    }
}

/*
 * Version 2: the bits go into the status word, then the header is read
 * again; a guest that revoked meanwhile (it clears the flags, then reads
 * the status word) makes us back off. Xen's order.
 */
static int pin_status_v2(struct grant_table *rgt, grant_ref_t ref, domid_t ldom, bool readonly,
                         enum gnt_use use, bool pinned, uint16_t *flags_out)
{
    gnt_word_t *word = (gnt_word_t *)gnt_header(rgt, ref);
    uint32_t hdr = __atomic_load_n(word, __ATOMIC_ACQUIRE);

    if (!pinned && (!type_allows(WORD_FLAGS(hdr), 2, use) || WORD_DOMID(hdr) != ldom))
        return GNTST_general_error;
    if (!readonly && (WORD_FLAGS(hdr) & GTF_readonly))
        return GNTST_general_error;
    __atomic_fetch_or(gnt_status(rgt, ref), GTF_reading | (readonly ? 0 : GTF_writing),
                      __ATOMIC_SEQ_CST);
    hdr = __atomic_load_n(word, __ATOMIC_SEQ_CST);
    bool changed = !readonly && (WORD_FLAGS(hdr) & GTF_readonly);
    if (!pinned && (!type_allows(WORD_FLAGS(hdr), 2, use) || WORD_DOMID(hdr) != ldom))
        changed = true;
    if (changed) {
        gnt_drop_status(rgt, ref);
        return GNTST_general_error;
    }
    *flags_out = WORD_FLAGS(hdr);
    return GNTST_okay;
}

/*
 * Domain ldom is about to use entry ref of rgt (read-only or writable; for
 * a mapping, a copy, or the copy a transitive grant leads to). If nothing
 * uses the entry yet, its flags must permit this use to ldom; a writable
 * use needs an entry without GTF_readonly. Sets GTF_reading (and
 * GTF_writing) where the version keeps them. On success, *out is what the
 * entry grants, read after the bits were set (unused by callers when the
 * entry is pinned: its pinned frame stands). GNTST_okay or
 * GNTST_general_error; nothing changes on failure.
 */
int gnt_pin_status(struct grant_table *rgt, grant_ref_t ref, domid_t ldom, bool readonly,
                   enum gnt_use use, struct gnt_grant *out)
{
    struct grant_active *act = gnt_active(rgt, ref);
    bool pinned = pins_total(act) != 0;
    uint16_t flags = 0;
    int rc;

    if (pinned && act->domid != ldom)
        return GNTST_general_error;
    if (rgt->version == 2)
        rc = pin_status_v2(rgt, ref, ldom, readonly, use, pinned, &flags);
    else
        rc = pin_status_v1(rgt, ref, ldom, readonly, use, pinned, &flags);
    if (rc == GNTST_okay)
        read_grant(rgt, ref, flags, use, out);
    return rc;
}

/*
 * Clears the status bits the entry's remaining uses do not justify:
 * GTF_reading once nothing uses it, GTF_writing once nothing writes.
 */
void gnt_drop_status(struct grant_table *rgt, grant_ref_t ref)
{
    struct grant_active *act = gnt_active(rgt, ref);
    uint16_t clear = 0;

    if (!pins_total(act))
        clear |= GTF_reading;
    if (!pins_writable(act))
        clear |= GTF_writing;
    if (clear)
        __atomic_fetch_and(gnt_status(rgt, ref), (uint16_t)~clear, __ATOMIC_ACQ_REL);
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

/* Unmap, or with new_addr move new_addr's mapping in (never by PTE address, as Xen). */
int gnt_host_replace(struct vcpu *v, uint32_t flags, uint64_t addr, uint64_t mfn, uint64_t new_addr)
{
    if (!new_addr)
        return gnt_host_unmap(v, flags, addr, mfn);
    if (flags & GNTMAP_contains_pte)
        return GNTST_general_error;
    return arch_grant_replace_host(v, addr, mfn, flags & GNTMAP_readonly, new_addr);
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
