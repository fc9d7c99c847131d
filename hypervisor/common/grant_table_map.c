/*
 * GNTTABOP_map_grant_ref, GNTTABOP_unmap_grant_ref and
 * GNTTABOP_unmap_and_replace, one op at a time
 * (the batch loop is in grant_table.c). The checks and their GNTST_* codes
 * follow Xen 4.17's order, which guests and the PV test kernels observe.
 */
#include <stddef.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>

/* A hook's answer as a GNTST_* code: anything unknown is a general error. */
static int16_t hook_status(int rc)
{
    if (rc == GNTST_okay)
        return GNTST_okay;
    if (rc < 0 && rc >= GNTST_no_space)
        return (int16_t)rc;
    return GNTST_general_error;
}

/* Pin counters an extra use would overflow. */
static bool pins_would_overflow(const struct grant_active *act, uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;

    if (flags & GNTMAP_host_map && (ro ? act->host_ro : act->host_rw) == GNTTAB_MAX_PIN)
        return true;
    return flags & GNTMAP_device_map && (ro ? act->dev_ro : act->dev_rw) == GNTTAB_MAX_PIN;
}

/* The mapping's uses of the entry: one per kind of mapping (host, device). */
static unsigned int uses_of(uint32_t flags)
{
    return ((flags & GNTMAP_host_map) ? 1u : 0u) + ((flags & GNTMAP_device_map) ? 1u : 0u);
}

static bool frame_count_would_overflow(uint64_t mfn, uint32_t flags)
{
    unsigned int ro, rw;

    grant_frame_counts(mfn, &ro, &rw);
    return ((flags & GNTMAP_readonly) ? ro : rw) + uses_of(flags) > GRANT_FRAME_COUNT_MAX;
}

static void add_pins(struct grant_active *act, uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;

    if (flags & GNTMAP_host_map) {
        if (ro)
            act->host_ro++;
        else
            act->host_rw++;
    }
    if (flags & GNTMAP_device_map) {
        if (ro)
            act->dev_ro++;
        else
            act->dev_rw++;
    }
}

/* Takes the frame uses a new mapping needs; on failure none stays taken. */
static int16_t take_frame_uses(struct domain *rd, uint64_t mfn, uint32_t flags)
{
    bool ro = flags & GNTMAP_readonly;
    unsigned int want = uses_of(flags), have = 0;
    int16_t rc = GNTST_okay;

    while (have < want && (rc = (int16_t)gnt_frame_use_get(rd, mfn, ro)) == GNTST_okay)
        have++;
    if (rc != GNTST_okay)
        while (have--)
            gnt_frame_use_put(rd, mfn, ro);
    return rc;
}

static void drop_frame_uses(struct domain *rd, uint64_t mfn, uint32_t flags)
{
    for (unsigned int n = uses_of(flags); n; n--)
        gnt_frame_use_put(rd, mfn, flags & GNTMAP_readonly);
}

/*
 * The use of (rd, ref) for ld, with both grant locks held and a maptrack
 * handle reserved: status bits, the frame, the host mapping, the pins.
 * GNTST_okay with *mfn_out, or a GNTST_* code with nothing changed.
 */
static int16_t map_locked(struct domain *ld, struct vcpu *v, struct domain *rd,
                          const struct gnttab_map_grant_ref *op, uint64_t *mfn_out)
{
    struct grant_table *rgt = rd->grant_table;
    bool ro = op->flags & GNTMAP_readonly;

    if (op->ref >= gnt_nr_entries(rgt))
        return GNTST_bad_gntref;

    struct grant_active *act = gnt_active(rgt, op->ref);
    bool pinned = act->host_ro || act->host_rw || act->dev_ro || act->dev_rw;
    if (pinned && (act->domid != ld->domain_id || pins_would_overflow(act, op->flags)))
        return GNTST_general_error;

    struct gnt_grant g = { 0 };
    bool set_bits = !pinned || (!ro && !act->host_rw && !act->dev_rw);
    if (set_bits) {
        int16_t rc = (int16_t)gnt_pin_status(rgt, op->ref, ld->domain_id, ro, GNT_USE_MAP, &g);
        if (rc != GNTST_okay)
            return rc;
    }

    uint64_t mfn = act->mfn;
    int16_t rc = pinned ? GNTST_okay : (int16_t)gnt_frame_of(rd, g.frame, &mfn);
    if (rc == GNTST_okay && frame_count_would_overflow(mfn, op->flags))
        rc = GNTST_general_error;
    bool have_uses = rc == GNTST_okay && (rc = take_frame_uses(rd, mfn, op->flags)) == GNTST_okay;
    if (rc == GNTST_okay && (op->flags & GNTMAP_host_map))
        rc = hook_status(gnt_host_map(v, op->flags, op->host_addr, mfn));
    if (rc != GNTST_okay) {
        if (have_uses)
            drop_frame_uses(rd, mfn, op->flags);
        if (set_bits)
            gnt_drop_status(rgt, op->ref);
        return rc;
    }

    if (!pinned) {
        act->mfn = mfn;
        act->domid = ld->domain_id;
    }
    add_pins(act, op->flags);
    *mfn_out = mfn;
    return GNTST_okay;
}

void gnt_map_one(struct domain *ld, struct vcpu *v, struct gnttab_map_grant_ref *op)
{
    struct grant_table *lgt = ld->grant_table;

    if (!(op->flags & (GNTMAP_host_map | GNTMAP_device_map))) {
        op->status = GNTST_bad_gntref;
        return;
    }
    /* Xen looks the granter up by id only: DOMID_SELF names nobody here. */
    struct domain *rd = op->dom == DOMID_SELF ? NULL : domain_get(op->dom);
    if (!rd || !rd->grant_table) {
        if (rd)
            domain_put(rd);
        op->status = GNTST_bad_domain;
        return;
    }

    gnt_lock_pair(ld, rd);
    grant_handle_t handle = GNTTAB_NO_HANDLE;
    uint64_t mfn = 0;
    int16_t rc;
    if (lgt->dying || rd->grant_table->dying)
        rc = GNTST_bad_domain;
    else if ((handle = gnt_maptrack_get(lgt)) == GNTTAB_NO_HANDLE)
        rc = GNTST_no_space;
    else
        rc = map_locked(ld, v, rd, op, &mfn);

    if (rc == GNTST_okay) {
        struct grant_mapping *m = gnt_maptrack(lgt, handle);
        m->ref = op->ref;
        m->rd = rd;             /* keeps domain_get's reference */
        m->v = v;
        m->host_addr = op->host_addr;
        m->mfn = mfn;
        m->flags = op->flags & (GNTMAP_host_map | GNTMAP_device_map | GNTMAP_readonly);
        if (op->flags & GNTMAP_host_map)
            m->flags |= op->flags & GNTMAP_contains_pte;
        op->handle = handle;
        op->dev_bus_addr = mfn << PAGE_SHIFT;
    } else if (handle != GNTTAB_NO_HANDLE) {
        gnt_maptrack_put(lgt, handle);
    }
    gnt_unlock_pair(ld, rd);

    op->status = rc;
    if (rc != GNTST_okay)
        domain_put(rd);
}

/*
 * Undoes the uses of a mapping that 'done' names (GNTMAP_host_map and/or
 * GNTMAP_device_map), under both grant locks; frees the handle when none
 * is left. Whether the handle went (the mapping's reference to drop).
 */
static bool drop_uses(struct domain *ld, struct domain *rd, struct grant_mapping *m,
                      grant_handle_t handle, uint32_t done)
{
    struct grant_active *act = gnt_active(rd->grant_table, m->ref);
    bool ro = m->flags & GNTMAP_readonly;

    if (done & GNTMAP_host_map) {
        if (ro)
            act->host_ro--;
        else
            act->host_rw--;
        gnt_frame_use_put(rd, m->mfn, ro);
    }
    if (done & GNTMAP_device_map) {
        if (ro)
            act->dev_ro--;
        else
            act->dev_rw--;
        gnt_frame_use_put(rd, m->mfn, ro);
    }
    m->flags &= ~done;
    if (!(m->flags & GNTMAP_host_map))
        m->flags &= ~(uint32_t)GNTMAP_contains_pte;
    if (done)
        gnt_drop_status(rd->grant_table, m->ref);
    if (m->flags & (GNTMAP_host_map | GNTMAP_device_map))
        return false;
    gnt_maptrack_put(ld->grant_table, handle);
    return true;
}

int16_t gnt_unmap_common(struct domain *ld, grant_handle_t handle, uint64_t host_addr,
                         uint64_t dev_bus_addr, uint64_t new_addr)
{
    struct grant_table *lgt = ld->grant_table;

    grant_table_lock(ld);
    struct grant_mapping *m = gnt_maptrack(lgt, handle);
    if (!m || !m->flags) {
        grant_table_unlock(ld);
        return GNTST_bad_handle;
    }
    struct domain *rd = m->rd;
    domain_hold(rd);            /* the mapping's reference may go below */
    grant_table_unlock(ld);

    gnt_lock_pair(ld, rd);
    int16_t rc = GNTST_okay;
    bool released = false;
    uint32_t done = 0;
    /* Another vCPU may have unmapped it while no lock was held. */
    if (!m->flags || m->rd != rd) {
        rc = GNTST_bad_handle;
        goto out;
    }
    if (dev_bus_addr && (m->flags & GNTMAP_device_map) && dev_bus_addr != (m->mfn << PAGE_SHIFT)) {
        rc = GNTST_bad_dev_addr;
        goto out;
    }
    if (host_addr && (m->flags & GNTMAP_host_map)) {
        rc = hook_status(gnt_host_replace(current_vcpu(), m->flags, host_addr, m->mfn, new_addr));
        if (rc != GNTST_okay)
            goto out;
        done |= GNTMAP_host_map;
    }
    if (dev_bus_addr && (m->flags & GNTMAP_device_map))
        done |= GNTMAP_device_map;
    released = drop_uses(ld, rd, m, handle, done);
out:
    gnt_unlock_pair(ld, rd);
    if (released)
        domain_put(rd);         /* the mapping's */
    domain_put(rd);             /* ours */
    return rc;
}

void gnt_unmap_one(struct domain *ld, struct gnttab_unmap_grant_ref *op)
{
    op->status = gnt_unmap_common(ld, op->handle, op->host_addr, op->dev_bus_addr, 0);
}
