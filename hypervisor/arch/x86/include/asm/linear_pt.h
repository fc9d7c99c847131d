/*
 * Linear page-table counts (pv/linear_pt.c): per table frame, > 0 the
 * linear entries it holds, < 0 the linear entries naming it; only frames
 * with a non-zero count are stored. Callers hold the domain's mm lock.
 */
#ifndef ASM_LINEAR_PT_H
#define ASM_LINEAR_PT_H

#include <stdint.h>

struct pv_linear_slot;

struct pv_linear_table {
    struct pv_linear_slot *slots;
    unsigned cap, used;
};

/*
 * table_mfn gets a linear entry naming target_mfn (another table): 0, or
 * -EINVAL if table_mfn is named linearly or target_mfn has linear entries
 * (Xen's rule: so linear references never form a cycle), -ENOMEM.
 */
int linear_pt_get(struct pv_linear_table *t, uint64_t table_mfn, uint64_t target_mfn);
/* One such entry goes. */
void linear_pt_put(struct pv_linear_table *t, uint64_t table_mfn, uint64_t target_mfn);
int32_t linear_pt_count(struct pv_linear_table *t, uint64_t mfn);
void linear_pt_free(struct pv_linear_table *t);

#endif
