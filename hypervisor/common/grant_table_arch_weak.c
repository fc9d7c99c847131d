/*
 * Fallbacks for the grant-table arch hooks, so the hypervisor links before
 * the architecture provides them: every one refuses (no mapping, no frame),
 * which makes each grant operation fail with a GNTST_* error rather than
 * act half-way. The architecture's own definitions replace these at link
 * time; the unit tests link their doubles and never this file.
 */
#include <stddef.h>
#include <tessera/errno.h>
#include <tessera/grant_table.h>

__attribute__((weak)) int arch_grant_map_host(struct vcpu *v, uint64_t va, uint64_t mfn,
                                              bool readonly)
{
    (void)v, (void)va, (void)mfn, (void)readonly;
    return GNTST_general_error;
}

__attribute__((weak)) int arch_grant_unmap_host(struct vcpu *v, uint64_t va, uint64_t mfn,
                                                bool readonly)
{
    (void)v, (void)va, (void)mfn, (void)readonly;
    return GNTST_general_error;
}

__attribute__((weak)) int arch_grant_map_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn,
                                             bool readonly)
{
    (void)v, (void)pte_maddr, (void)mfn, (void)readonly;
    return GNTST_general_error;
}

__attribute__((weak)) int arch_grant_unmap_pte(struct vcpu *v, uint64_t pte_maddr, uint64_t mfn,
                                               bool readonly)
{
    (void)v, (void)pte_maddr, (void)mfn, (void)readonly;
    return GNTST_general_error;
}

__attribute__((weak)) int arch_gfn_to_mfn(struct domain *d, uint64_t gfn, uint64_t *mfn)
{
    (void)d, (void)gfn, (void)mfn;
    return -ENOSYS;
}

__attribute__((weak)) void *arch_map_frame(uint64_t mfn)
{
    (void)mfn;
    return NULL;
}

__attribute__((weak)) void arch_unmap_frame(void *va)
{
    (void)va;
}
