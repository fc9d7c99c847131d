/*
 * Foreign mappings: the control domain's L1 entries that name another
 * domain's frames (mmu_update with a foreigndom, as Linux's privcmd issues
 * it for a domain builder). The rules are in asm/pv_mm.h; in short:
 *  - each such entry counts in its frame's foreign_maps (and, writable,
 *    foreign_writable plus one writable use of the owner's frame, so the
 *    one writability rule of pv_get_type decides: never a page table or
 *    descriptor page of the other domain);
 *  - a domain with any foreign mapping of its frames is held (one domain
 *    reference while the count is above 0), so it outlives its
 *    destruction as Xen's zombie does, and its frames go back to the heap
 *    only after the mapper's last entry is gone;
 *  - the put side finds the owner by the frame's owner id in the list of
 *    held domains (a destroyed domain stays listed as a zombie while held,
 *    so its id is not reused meanwhile);
 *  - a dying domain's frames take no new foreign mapping (-EBUSY, as Xen
 *    answers once it has relinquished them).
 *
 * Locks: the mapper's grant and mm locks > the owner's mm lock >
 * foreign_lock. Only a privileged domain maps foreign frames and it is
 * never the owner, so no two mm locks are ever taken the other way round.
 * The reference of a domain whose last foreign mapping went is dropped by
 * pv_foreign_release, which the hypercall and page-fault exits call with
 * no lock held: that drop may free a destroyed domain, which takes the
 * domain list's lock and its own grant lock, both outside ours.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/tlb_flush.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/spinlock.h>

static spinlock_t foreign_lock = SPINLOCK_INIT;
static struct domain *held_list;     /* [foreign_lock] domains with foreign mappings */
/* [foreign_lock] domains whose last foreign mapping went: their reference is dropped later. */
static struct domain *release_list;

static struct domain *held_find(domid_t id)
{
    for (struct domain *fd = held_list; fd; fd = fd->arch->foreign_next)
        if (fd->domain_id == id)
            return fd;
    return NULL;
}

/* [foreign_lock] Takes fd off a list it is on. */
static void unlink(struct domain **list, struct domain *fd)
{
    for (struct domain **link = list; *link; link = &(*link)->arch->foreign_next) {
        if (*link == fd) {
            *link = fd->arch->foreign_next;
            return;
        }
    }
}

/* Under fd's mm lock: one more foreign mapping of fd's frames. */
static void held_inc(struct domain *fd)
{
    spin_lock(&foreign_lock);
    if (fd->arch->foreign_mapped++ == 0) {
        if (fd->arch->foreign_releasing) {
            unlink(&release_list, fd);      /* its reference is still there: held again */
            fd->arch->foreign_releasing = false;
        } else {
            domain_hold(fd);
        }
        fd->arch->foreign_next = held_list;
        held_list = fd;
    }
    spin_unlock(&foreign_lock);
}

/* Under fd's mm lock: one fewer; the last moves fd to the release list. True if it was the last. */
static bool held_dec(struct domain *fd)
{
    bool last = false;

    spin_lock(&foreign_lock);
    if (--fd->arch->foreign_mapped == 0) {
        unlink(&held_list, fd);
        fd->arch->foreign_next = release_list;
        release_list = fd;
        fd->arch->foreign_releasing = true;
        last = true;
    }
    spin_unlock(&foreign_lock);
    return last;
}

void pv_foreign_release(void)
{
    while (__atomic_load_n(&release_list, __ATOMIC_ACQUIRE)) {
        spin_lock(&foreign_lock);
        struct domain *fd = release_list;
        if (fd) {
            release_list = fd->arch->foreign_next;
            fd->arch->foreign_releasing = false;
        }
        spin_unlock(&foreign_lock);
        if (fd)
            domain_put(fd);
    }
}

int pv_foreign_get(struct domain *fd, uint64_t mfn, bool writable)
{
    struct page_info *pi = pv_frame_info(mfn);
    int rc = -EBUSY;

    /* Not RAM at all: the other domain may map no device frames (Xen: -EPERM). */
    if (!pi || !(pi->flags & PGF_MANAGED))
        return -EPERM;
    spin_lock(&fd->arch->mm_lock);
    /* Another owner's, free, given back, or its domain dying: Xen's "could not pin" (-EBUSY). */
    if (pi->owner != fd->domain_id || (pi->flags & PGF_FREE) || (pi->type_info & PGT_RELEASED) ||
        __atomic_load_n(&fd->state, __ATOMIC_RELAXED) == DOMAIN_DYING)
        goto out;
    if (pi->foreign_maps == UINT16_MAX)
        goto out;
    if (writable && (rc = pv_get_type(fd, mfn, PGT_WRITABLE)) != 0) {
        rc = -EBUSY;    /* a table or descriptor page of fd's: Xen refuses it so */
        goto out;
    }
    pi->foreign_maps++;
    if (writable)
        pi->foreign_writable++;
    held_inc(fd);
    rc = 0;
out:
    spin_unlock(&fd->arch->mm_lock);
    return rc;
}

void pv_foreign_put(struct domain *d, uint64_t mfn, bool writable)
{
    struct page_info *pi = pv_frame_info(mfn);

    if (!pi)
        return;
    spin_lock(&foreign_lock);
    struct domain *fd = held_find(pi->owner);
    spin_unlock(&foreign_lock);
    if (!fd)
        return;     /* not a counted mapping (a device frame: none are) */

    spin_lock(&fd->arch->mm_lock);
    if (pi->foreign_maps == 0 || (writable && pi->foreign_writable == 0)) {
        spin_unlock(&fd->arch->mm_lock);
        return;     /* never counted: cannot happen while the audit holds */
    }
    pi->foreign_maps--;
    if (writable)
        pi->foreign_writable--;
    /* A frame given back goes now if this was its last use: d's CPUs must forget it first. */
    if (pi->type_info & PGT_RELEASED)
        flush_tlb_domain(d);
    if (writable)
        pv_put_type(fd, mfn);
    else
        pv_free_if_released(fd, mfn);
    /* fd may be destroyed already and freed at its release: no CPU of d may reach its frames then. */
    if (held_dec(fd))
        flush_tlb_domain(d);
    spin_unlock(&fd->arch->mm_lock);
}
