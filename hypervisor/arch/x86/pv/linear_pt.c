/*
 * Linear (recursive) page tables, as Xen allows them for PV guests: an L2,
 * L3 or L4 entry may name a page table of its own level instead of one
 * level down, read-only, so the guest reads its own tables through its
 * address space. A table naming itself takes no reference (it could never
 * be freed otherwise). A table naming another one holds a reference on it
 * like any entry, and to keep such references from ever forming a cycle
 * (A names B, B names A: neither count would reach 0), Xen's rule: a table
 * either has linear entries or is named by linear entries, never both.
 *
 * Per table, one signed count: > 0 its linear entries, < 0 the linear
 * entries naming it. Only tables with a non-zero count are kept, in a
 * small open-addressing hash per domain (linear tables are rare), under
 * the domain's mm lock. No hypervisor dependencies but the heap, so the
 * unit tests compile it as host C.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/linear_pt.h>
#include <tessera/errno.h>
#include <tessera/heap.h>

#define EMPTY UINT64_MAX
#define FIRST_CAPACITY 16u

struct pv_linear_slot {
    uint64_t mfn;          /* EMPTY: a free slot */
    int32_t count;
};

static unsigned hash_of(uint64_t mfn, unsigned cap)
{
    return (unsigned)((mfn * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* The slot of mfn, or of the free slot where it would go. */
static struct pv_linear_slot *find(struct pv_linear_table *t, uint64_t mfn)
{
    unsigned i = hash_of(mfn, t->cap);
    while (t->slots[i].mfn != EMPTY && t->slots[i].mfn != mfn)
        i = (i + 1) & (t->cap - 1);
    return &t->slots[i];
}

static int32_t count_of(struct pv_linear_table *t, uint64_t mfn)
{
    if (!t->cap)
        return 0;
    const struct pv_linear_slot *s = find(t, mfn);
    return s->mfn == mfn ? s->count : 0;
}

static int grow(struct pv_linear_table *t)
{
    unsigned cap = t->cap ? t->cap * 2 : FIRST_CAPACITY;
    struct pv_linear_slot *slots = xmalloc_array(cap, sizeof(*slots));
    if (!slots)
        return -ENOMEM;
    for (unsigned i = 0; i < cap; i++)
        slots[i] = (struct pv_linear_slot){ EMPTY, 0 };
    struct pv_linear_table bigger = { slots, cap, 0 };
    for (unsigned i = 0; i < t->cap; i++)
        if (t->slots[i].mfn != EMPTY) {
            *find(&bigger, t->slots[i].mfn) = t->slots[i];
            bigger.used++;
        }
    xfree(t->slots);
    *t = bigger;
    return 0;
}

/* Removes the slot at i and shifts later members of its run back into the gap. */
static void remove_at(struct pv_linear_table *t, unsigned i)
{
    unsigned mask = t->cap - 1, j = i;
    t->slots[i].mfn = EMPTY;
    t->used--;
    for (;;) {
        j = (j + 1) & mask;
        if (t->slots[j].mfn == EMPTY)
            return;
        unsigned home = hash_of(t->slots[j].mfn, t->cap);
        /* Move j back to i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t->slots[i] = t->slots[j];
            t->slots[j].mfn = EMPTY;
            i = j;
        }
    }
}

/* Adds delta to mfn's count (both present: the caller made room first). */
static void add(struct pv_linear_table *t, uint64_t mfn, int32_t delta)
{
    struct pv_linear_slot *s = find(t, mfn);
    if (s->mfn == EMPTY) {
        s->mfn = mfn;
        s->count = 0;
        t->used++;
    }
    s->count += delta;
    if (s->count == 0)
        remove_at(t, (unsigned)(s - t->slots));
}

int32_t linear_pt_count(struct pv_linear_table *t, uint64_t mfn)
{
    return count_of(t, mfn);
}

int linear_pt_get(struct pv_linear_table *t, uint64_t table_mfn, uint64_t target_mfn)
{
    if (count_of(t, table_mfn) < 0 || count_of(t, target_mfn) > 0)
        return -EINVAL;     /* named linearly and naming others: as Xen */
    if ((t->used + 2) * 2 > t->cap && grow(t) < 0)
        return -ENOMEM;
    add(t, table_mfn, 1);
    add(t, target_mfn, -1);
    return 0;
}

void linear_pt_put(struct pv_linear_table *t, uint64_t table_mfn, uint64_t target_mfn)
{
    if (!t->cap)
        return;
    add(t, table_mfn, -1);
    add(t, target_mfn, 1);
}

void linear_pt_free(struct pv_linear_table *t)
{
    xfree(t->slots);
    *t = (struct pv_linear_table){ NULL, 0, 0 };
}
