/*
 * The PV memory audit (pv_audit=N): recounts, from the page tables
 * themselves, every reference asm/pv_mm.h says a domain's frames carry,
 * and compares with what page_info records. A debugging aid for the
 * hostile-guest fuzzer (tests/guests/hostile): off unless the boot option
 * asks for it, and it panics on the first difference.
 *
 * The check itself (pv/mm_audit_check.c) reads frames only through the
 * callbacks below, so the host unit tests run it on fake frames; the
 * hypervisor's side (pv/mm_audit.c) gathers one domain's state under its
 * grant and mm locks and calls it.
 */
#ifndef ASM_PV_MM_AUDIT_H
#define ASM_PV_MM_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <tessera/page_alloc.h>

#define MM_AUDIT_MAX_REFS 64

/* What the audited domain holds besides its page tables. */
struct mm_audit_domain {
    uint16_t id;
    bool privileged;            /* may map frames the allocator does not manage */
    uint64_t tot_pages;         /* frames its reservation counts */
    /* L4 frames its vCPUs' kernel and user base pointers hold (one reference each). */
    uint64_t bases[MM_AUDIT_MAX_REFS];
    unsigned nr_bases;
    /* Descriptor-page frames its vCPUs' GDTs hold (one reference each). */
    uint64_t gdt_frames[MM_AUDIT_MAX_REFS];
    unsigned nr_gdt_frames;
};

struct mm_audit_ops {
    /* The 512 entries of frame mfn (a table, or a descriptor page). */
    const uint64_t *(*frame)(void *ctx, uint64_t mfn);
    /* Grant mappings of mfn: read-only and writable. */
    void (*grant_counts)(void *ctx, uint64_t mfn, unsigned *ro, unsigned *rw);
    /* Owned by the domain but outside its reservation: shared_info, grant-table frames. */
    bool (*outside_reservation)(void *ctx, uint64_t mfn);
    /* L4 slots 256-271 as every guest L4 must hold them (a 512-entry table). */
    const uint64_t *hv_l4;
    void *ctx;
    /* A hypervisor frame the control domain may map read-only (the m2p); NULL: none. */
    bool (*xen_readable)(void *ctx, uint64_t mfn);
};

/* Per-frame counters the check fills: 2 * nr_frames words, reused between runs. */
struct mm_audit_scratch {
    uint32_t *type_refs;
    uint32_t *map_refs;
};

/*
 * Checks domain d against the allocator's page_info. 0, or -EINVAL with
 * a one-line reason (frame, what was expected, what was found) in why.
 */
int mm_audit_check(const struct page_allocator *pa, const struct mm_audit_domain *d,
                   const struct mm_audit_ops *ops, struct mm_audit_scratch *s,
                   char *why, size_t why_len);

/* Boot option pv_audit: audit the calling domain every this many hypercalls (0: never). */
extern uint64_t pv_audit_every;
struct vcpu;
struct domain;
/* From the hypercall exit path: counts, and audits v's domain when due (panics on a finding). */
void pv_audit_after_hypercall(struct vcpu *v, uint64_t nr);
/* Audits d now: 0, or -EINVAL with the reason in why. */
int pv_audit_domain(struct domain *d, char *why, size_t why_len);

#endif
