/*
 * Grant table v1 from the granting side: the hypervisor reads our entries
 * when the grantee maps or copies, and sets GTF_reading/GTF_writing while
 * it holds them; ending a grant is a compare-and-swap of the flags that
 * fails while either bit is set.
 */
#include "guest.h"
#include "gnttab.h"

static grant_entry_v1_t *table;
static char table_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

long gnttab_init(void)
{
    xen_pfn_t frame = 0;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };

    if (table)
        return 0;
    set_xen_guest_handle(st.frame_list, &frame);
    long rc = hyp_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc != 0)
        return rc;
    if (st.status != GNTST_okay)
        return st.status;
    rc = map_machine_page(table_page, frame, PTE_KERNEL_RW);
    if (rc == 0)
        table = (grant_entry_v1_t *)table_page;
    return rc;
}

void gnttab_grant(grant_ref_t ref, domid_t to, const void *va, bool readonly)
{
    uint16_t want = (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0));
    uint32_t frame = (uint32_t)virt_to_mfn(va);

    /* Already so: leave it, with the GTF_reading/writing the hypervisor set. */
    if ((gnttab_flags(ref) & (GTF_permit_access | GTF_readonly)) == want &&
        table[ref].domid == to && table[ref].frame == frame)
        return;
    table[ref].domid = to;
    table[ref].frame = frame;
    __atomic_thread_fence(__ATOMIC_RELEASE);     /* frame and domid before flags */
    __atomic_store_n(&table[ref].flags, want, __ATOMIC_RELEASE);
}

bool gnttab_end(grant_ref_t ref, bool force)
{
    uint16_t flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
    do {
        if (!force && (flags & (GTF_reading | GTF_writing)))
            return false;
    } while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

uint16_t gnttab_flags(grant_ref_t ref)
{
    return __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
}
