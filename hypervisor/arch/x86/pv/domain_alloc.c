/*
 * A PV domain's objects, from its first allocation to the free that
 * follows its last reference: shared by the boot-time builder (pv/build.c)
 * and the toolstack's createdomain (pv/domctl_domain.c).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/m2p.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/setup.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/event_channel.h>
#include <tessera/grant_table.h>
#include <tessera/heap.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

struct domain *pv_domain_alloc(domid_t id, const char *name, unsigned vcpus, bool privileged)
{
    struct domain *d = xzalloc(sizeof(*d));
    struct arch_domain *ad = xzalloc(sizeof(*ad));
    if (!d || !ad || vcpus == 0 || vcpus > MAX_VCPUS_PER_DOMAIN)
        goto fail;
    d->arch = ad;
    spin_lock_init(&ad->mm_lock);
    /* As Xen, writes into live L1 tables are emulated from the start (pv/ptwr.c). */
    ad->vm_assist = 1ul << VMASST_TYPE_writable_pagetables;
    ad->node_affinity = 1;              /* every node there is: node 0 */
    d->domain_id = id;
    strlcpy(d->name, name, sizeof(d->name));
    d->is_privileged = privileged;
    spin_lock_init(&d->lock);
    d->state = DOMAIN_BUILDING;
    d->shutdown_reason = ~0u;           /* no shutdown code yet, as Xen */
    d->vcpus_allocated = true;          /* createdomain clears these two */
    d->creation_finished = true;
    d->max_vcpus = vcpus;
    for (unsigned i = 0; i < vcpus; i++) {
        struct vcpu *v = xzalloc(sizeof(*v));
        struct arch_vcpu *av = xzalloc(sizeof(*av));
        if (!v || !av) {
            xfree(v);
            xfree(av);
            goto fail;
        }
        v->vcpu_id = i;
        v->domain = d;
        v->arch = av;
        spin_lock_init(&av->ctl_lock);
        v->run_state = VCPU_OFFLINE;
        av->kernel_mode = true;
        av->soft_affinity = ~0ull;      /* soft affinity: every CPU, as Xen */
        pv_debugreg_reset(v);
        d->vcpus[i] = v;
    }
    return d;
fail:
    if (d)
        for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++)
            if (d->vcpus[i]) {
                xfree(d->vcpus[i]->arch);
                xfree(d->vcpus[i]);
            }
    xfree(ad);
    xfree(d);
    return NULL;
}

static void forget_frame(uint64_t mfn)
{
    m2p_set(mfn, M2P_INVALID);
}

/*
 * The last reference is gone: nothing maps its frames through a grant or
 * a foreign mapping (each holds a reference) and none of its vCPUs runs.
 */
void domain_free(struct domain *d)
{
    hvm_domain_free(d);
    for (unsigned i = 0; i < MAX_VCPUS_PER_DOMAIN; i++) {
        if (d->vcpus[i]) {
            xfree(d->vcpus[i]->arch->fpu);
            xfree(d->vcpus[i]->arch);
            xfree(d->vcpus[i]);
        }
    }
    evtchn_domain_free(d);
    grant_table_domain_free(d);
    /* Its memory, page tables and shared_info: every frame it still owns. */
    page_alloc_free_owned(&frame_allocator, d->domain_id, forget_frame);
    linear_pt_free(&d->arch->linear);
    xfree(d->arch->memory_map);
    xfree(d->arch);
    xfree(d);
}
