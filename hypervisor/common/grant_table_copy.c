/*
 * GNTTABOP_copy, one op at a time: bytes from one frame to another, each
 * named by a grant reference (of any domain that granted it to the caller)
 * or by the caller's own frame number (DOMID_SELF only). Both grant locks
 * are held for the whole copy, and the status bits of a granted entry are
 * set for its duration, so a granter sees GTF_reading/GTF_writing exactly
 * while its frame is being read or written.
 */
#include <stddef.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>
#include <tessera/string.h>

struct copy_side {
    const struct gnttab_copy_ptr *ptr;
    bool by_ref;
    bool writable;
    struct domain *d;
    uint64_t mfn;
    bool have_status;          /* status bits set on (d, ptr->u.ref) */
    bool have_writable;        /* a writable use of the frame taken (the destination) */
};

/*
 * Finds the domain of one side. Real Xen 4.17 answers a copy into a domain
 * that does not exist with GNTST_bad_domain even by frame number (the
 * negative test kernel shows it), so the lookup comes before the
 * DOMID_SELF-only rule for frame numbers.
 */
static int16_t side_domain(struct copy_side *s)
{
    s->d = domain_get(s->ptr->domid);
    if (!s->d || !s->d->grant_table || s->d->grant_table->dying)
        return GNTST_bad_domain;
    if (!s->by_ref && s->ptr->domid != DOMID_SELF)
        return GNTST_permission_denied;
    return GNTST_okay;
}

/* The frame of one side, with its status bits set if it is a grant. Locks held. */
static int16_t side_frame(struct domain *ld, struct copy_side *s)
{
    if (!s->by_ref)
        return (int16_t)gnt_frame_of(s->d, s->ptr->u.gmfn, &s->mfn);

    struct grant_table *rgt = s->d->grant_table;
    grant_ref_t ref = s->ptr->u.ref;
    if (ref >= gnt_nr_entries(rgt))
        return GNTST_bad_gntref;

    struct grant_active *act = gnt_active(rgt, ref);
    bool pinned = act->host_ro || act->host_rw || act->dev_ro || act->dev_rw;
    uint32_t frame;
    int16_t rc = (int16_t)gnt_pin_status(rgt, ref, ld->domain_id, !s->writable, &frame);
    if (rc != GNTST_okay)
        return rc;
    s->have_status = true;
    if (!pinned)
        return (int16_t)gnt_frame_of(s->d, frame, &s->mfn);
    s->mfn = act->mfn;
    return GNTST_okay;
}

/* The side's frame, and for the destination a writable use of it for the copy's duration. */
static int16_t side_claim(struct domain *ld, struct copy_side *s)
{
    int16_t rc = side_frame(ld, s);

    if (rc != GNTST_okay || !s->writable)
        return rc;
    if (arch_frame_get_writable(s->d, s->mfn) < 0)
        return GNTST_general_error;
    s->have_writable = true;
    return GNTST_okay;
}

/*
 * The hypervisor's memcpy copies a byte at a time (lib/string.c); grant
 * copies are the bulk path of split drivers, so move eight bytes per step.
 * GCC would turn this loop back into a memcpy call: not for this function.
 */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
static void copy_words(uint8_t *to, const uint8_t *from, size_t len)
{
    for (; len >= sizeof(uint64_t); len -= sizeof(uint64_t)) {
        uint64_t w;
        __builtin_memcpy(&w, from, sizeof(w));      /* constant size: inlined, any alignment */
        __builtin_memcpy(to, &w, sizeof(w));
        from += sizeof(w);
        to += sizeof(w);
    }
    while (len--)
        *to++ = *from++;
}

static int16_t copy_bytes(const struct gnttab_copy *op, const struct copy_side *src,
                          const struct copy_side *dst)
{
    uint8_t *from = arch_map_frame(src->mfn);
    uint8_t *to = arch_map_frame(dst->mfn);
    int16_t rc = GNTST_general_error;

    if (from && to) {
        uint8_t *d = to + op->dest.offset;
        const uint8_t *s = from + op->source.offset;
        /* One frame, overlapping ranges: memmove keeps the order right. */
        if (src->mfn == dst->mfn && d < s + op->len && s < d + op->len)
            memmove(d, s, op->len);
        else
            copy_words(d, s, op->len);
        rc = GNTST_okay;
    }
    if (from)
        arch_unmap_frame(from);
    if (to)
        arch_unmap_frame(to);
    return rc;
}

int16_t gnt_copy_one(struct domain *ld, const struct gnttab_copy *op)
{
    struct copy_side src = { .ptr = &op->source, .by_ref = op->flags & GNTCOPY_source_gref };
    struct copy_side dst = { .ptr = &op->dest, .by_ref = op->flags & GNTCOPY_dest_gref,
                             .writable = true };
    int16_t rc;

    if ((rc = side_domain(&src)) != GNTST_okay || (rc = side_domain(&dst)) != GNTST_okay)
        goto put;

    gnt_lock_pair(src.d, dst.d);
    if ((rc = side_claim(ld, &src)) != GNTST_okay || (rc = side_claim(ld, &dst)) != GNTST_okay)
        goto release;
    if ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
        (unsigned int)op->dest.offset + op->len > PAGE_SIZE) {
        rc = GNTST_bad_copy_arg;
        goto release;
    }
    rc = copy_bytes(op, &src, &dst);
release:
    if (dst.have_writable)
        arch_frame_put_writable(dst.d, dst.mfn);
    if (dst.have_status)
        gnt_drop_status(dst.d->grant_table, dst.ptr->u.ref);
    if (src.have_status)
        gnt_drop_status(src.d->grant_table, src.ptr->u.ref);
    gnt_unlock_pair(src.d, dst.d);
put:
    if (dst.d)
        domain_put(dst.d);
    if (src.d)
        domain_put(src.d);
    return rc;
}
