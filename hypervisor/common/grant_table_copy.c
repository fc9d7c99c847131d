/*
 * GNTTABOP_copy, one op at a time: bytes from one frame to another, each
 * named by a grant reference (of any domain that granted it to the caller)
 * or by the caller's own frame number (DOMID_SELF only). In version 2 a
 * grant may allow part of a page (sub-page: the copy must stay inside it)
 * or pass on a grant made to the granter (transitive: one step, as Xen).
 * The grant locks of every domain involved are held for the whole copy,
 * and the status bits of each granted entry are set for its duration, so
 * a granter sees GTF_reading/GTF_writing exactly while its frame is being
 * read or written.
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
    struct domain *td;         /* a transitive grant's domain (a reference held), or NULL */
    domid_t want_td;           /* the domain a transitive grant named, to lock next time */
    uint64_t mfn;
    uint16_t start, length;    /* the bytes the grant allows */
    bool have_status;          /* status bits set on (d, ptr->u.ref) */
    bool have_trans_status;    /* and on (td, trans_ref) */
    bool have_writable;        /* a writable use of the frame taken (the destination) */
    struct domain *owner;      /* whose frame mfn is: d, or td through a transitive grant */
    grant_ref_t trans_ref;
};

/* A claim that found a transitive grant naming a domain not locked yet. */
#define CLAIM_RELOCK 1
/* Relocking for a transitive grant the guest keeps changing gives up after this. */
#define COPY_ATTEMPTS 3

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

/* ---- the grant locks of up to four domains, taken in domain-id order ---- */

struct lock_set {
    struct domain *d[4];
    unsigned int n;
};

static void lock_set_add(struct lock_set *ls, struct domain *d)
{
    if (!d)
        return;
    for (unsigned int i = 0; i < ls->n; i++)
        if (ls->d[i] == d)
            return;
    unsigned int i = ls->n++;
    for (; i > 0 && ls->d[i - 1]->domain_id > d->domain_id; i--)
        ls->d[i] = ls->d[i - 1];
    ls->d[i] = d;
}

static void lock_set_lock(const struct lock_set *ls)
{
    for (unsigned int i = 0; i < ls->n; i++)
        grant_table_lock(ls->d[i]);
}

static void lock_set_unlock(const struct lock_set *ls)
{
    for (unsigned int i = ls->n; i-- > 0;)
        grant_table_unlock(ls->d[i]);
}

/* ---- claiming one side ------------------------------------------------ */

/*
 * Entry ref of d for a copy by ldom: status bits set, the frame and the
 * bytes it grants. nested: the grant a transitive one leads to (which may
 * not be transitive itself, so a chain is one step long and cannot loop).
 */
static int16_t claim_grant(struct domain *d, grant_ref_t ref, domid_t ldom, bool writable,
                           bool nested, struct gnt_grant *g, uint64_t *mfn)
{
    struct grant_table *gt = d->grant_table;

    if (ref >= gnt_nr_entries(gt))
        return GNTST_bad_gntref;
    struct grant_active *act = gnt_active(gt, ref);
    bool pinned = act->host_ro || act->host_rw || act->dev_ro || act->dev_rw;
    int16_t rc = (int16_t)gnt_pin_status(gt, ref, ldom, !writable,
                                         nested ? GNT_USE_COPY_NESTED : GNT_USE_COPY, g);
    if (rc != GNTST_okay)
        return rc;
    if (pinned) {
        /* Mapped by ldom: the whole frame it pinned, whatever the entry says now. */
        *g = (struct gnt_grant){ .offset = 0, .length = PAGE_SIZE };
        *mfn = act->mfn;
    } else if (!g->transitive) {
        rc = (int16_t)gnt_frame_of(d, g->frame, mfn);
    }
    if (rc != GNTST_okay)
        gnt_drop_status(gt, ref);
    return rc;
}

/* The frame of one side, with its status bits set if it is a grant. Locks held. */
static int16_t side_frame(struct domain *ld, struct copy_side *s)
{
    struct gnt_grant g;

    s->start = 0;
    s->length = PAGE_SIZE;
    s->owner = s->d;
    if (!s->by_ref)
        return (int16_t)gnt_frame_of(s->d, s->ptr->u.gmfn, &s->mfn);

    grant_ref_t ref = s->ptr->u.ref;
    int16_t rc = claim_grant(s->d, ref, ld->domain_id, s->writable, false, &g, &s->mfn);
    if (rc != GNTST_okay)
        return rc;
    s->have_status = true;
    if (!g.transitive) {
        s->start = g.offset;
        s->length = g.length;
        return GNTST_okay;
    }

    /* Transitive: d lets ld use the grant trans_ref of trans_domid made to d. */
    if (g.trans_domid == s->d->domain_id)
        return GNTST_general_error;             /* self-referential, as Xen refuses */
    if (!s->td || s->td->domain_id != g.trans_domid) {
        s->want_td = g.trans_domid;
        return CLAIM_RELOCK;
    }
    if (!s->td->grant_table || s->td->grant_table->dying)
        return GNTST_general_error;
    struct gnt_grant inner;
    rc = claim_grant(s->td, g.trans_ref, s->d->domain_id, s->writable, true, &inner, &s->mfn);
    if (rc != GNTST_okay)
        return rc;
    s->have_trans_status = true;
    s->trans_ref = g.trans_ref;
    s->owner = s->td;
    s->start = inner.offset;
    s->length = inner.length;
    return GNTST_okay;
}

/* The side's frame, and for the destination a writable use of it for the copy's duration. */
static int16_t side_claim(struct domain *ld, struct copy_side *s)
{
    int16_t rc = side_frame(ld, s);

    if (rc != GNTST_okay || !s->writable)
        return rc;
    if (arch_frame_get_writable(s->owner, s->mfn) < 0)
        return GNTST_general_error;
    s->have_writable = true;
    return GNTST_okay;
}

static void side_release(struct copy_side *s)
{
    if (s->have_writable)
        arch_frame_put_writable(s->owner, s->mfn);
    if (s->have_trans_status)
        gnt_drop_status(s->td->grant_table, s->trans_ref);
    if (s->have_status)
        gnt_drop_status(s->d->grant_table, s->ptr->u.ref);
    s->have_status = s->have_trans_status = s->have_writable = false;
}

/* Takes a reference to the domain a transitive grant named, for the next attempt. */
static void side_take_td(struct copy_side *s)
{
    if (s->td)
        domain_put(s->td);
    /* By id only, as Xen looks it up: DOMID_SELF names nobody here. */
    s->td = s->want_td == DOMID_SELF ? NULL : domain_get(s->want_td);
}

/* Whether the bytes the op names lie inside what the side's grant allows (Xen's check). */
static bool within_grant(const struct copy_side *s, uint16_t offset, uint16_t len)
{
    return offset >= s->start && (unsigned int)offset + len <= (unsigned int)s->start + s->length;
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
            memcpy(d, s, op->len);     /* x86: rep movsq (arch/x86/string.S) */
        rc = GNTST_okay;
    }
    if (from)
        arch_unmap_frame(from);
    if (to)
        arch_unmap_frame(to);
    return rc;
}

/*
 * Claims both sides under the locks of every domain involved. A
 * transitive grant names a third domain whose lock must be taken in order
 * with the others: the claim is undone, that domain added, and the claim
 * retried (a bounded number of times). On GNTST_okay the locks in *ls are
 * held and both sides claimed.
 */
static int16_t claim_both(struct domain *ld, const struct gnttab_copy *op, struct copy_side *src,
                          struct copy_side *dst, struct lock_set *ls)
{
    for (unsigned int attempt = 0; attempt < COPY_ATTEMPTS; attempt++) {
        *ls = (struct lock_set){ .n = 0 };
        lock_set_add(ls, src->d);
        lock_set_add(ls, dst->d);
        lock_set_add(ls, src->td);
        lock_set_add(ls, dst->td);
        lock_set_lock(ls);

        int16_t rc = side_claim(ld, src);
        if (rc == GNTST_okay)
            rc = side_claim(ld, dst);
        if (rc == GNTST_okay) {
            if ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
                (unsigned int)op->dest.offset + op->len > PAGE_SIZE)
                rc = GNTST_bad_copy_arg;
            else if (!within_grant(src, op->source.offset, op->len) ||
                     !within_grant(dst, op->dest.offset, op->len))
                rc = GNTST_general_error;       /* outside a sub-page grant */
            if (rc == GNTST_okay)
                return GNTST_okay;
        }
        side_release(dst);
        side_release(src);
        lock_set_unlock(ls);
        if (rc != CLAIM_RELOCK)
            return rc;
        /* Only the side that asked: the other's transitive domain stays locked next time. */
        if (src->want_td != DOMID_INVALID)
            side_take_td(src);
        if (dst->want_td != DOMID_INVALID)
            side_take_td(dst);
        src->want_td = dst->want_td = DOMID_INVALID;
    }
    return GNTST_general_error;
}

int16_t gnt_copy_one(struct domain *ld, const struct gnttab_copy *op)
{
    struct copy_side src = { .ptr = &op->source, .by_ref = op->flags & GNTCOPY_source_gref,
                             .want_td = DOMID_INVALID };
    struct copy_side dst = { .ptr = &op->dest, .by_ref = op->flags & GNTCOPY_dest_gref,
                             .writable = true, .want_td = DOMID_INVALID };
    struct lock_set ls;
    int16_t rc;

    if ((rc = side_domain(&src)) != GNTST_okay || (rc = side_domain(&dst)) != GNTST_okay)
        goto put;
    rc = claim_both(ld, op, &src, &dst, &ls);
    if (rc != GNTST_okay)
        goto put;
    rc = copy_bytes(op, &src, &dst);
    side_release(&dst);
    side_release(&src);
    lock_set_unlock(&ls);
put:
    if (dst.td)
        domain_put(dst.td);
    if (src.td)
        domain_put(src.td);
    if (dst.d)
        domain_put(dst.d);
    if (src.d)
        domain_put(src.d);
    return rc;
}
