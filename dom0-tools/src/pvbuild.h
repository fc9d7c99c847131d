/*
 * The core of a PV domain builder in userspace, as libxc's: it plans where
 * the kernel, ramdisk, p2m list, start_info, xenstore and console rings,
 * page tables and boot stack go in the new domain, and writes them all into
 * a mapping of the domain's first frames. It never makes a hypercall: the
 * caller allocates the memory (populate_physmap on a real hypervisor, a
 * plain buffer in the unit tests), passes the frame list and a mapping,
 * and then pins the tables and loads the vCPU context it returns.
 *
 * The bootstrap region (xen.h's start_info contract), from virt_base, with
 * guest virtual = virt_base + pfn * 4096:
 *
 *   [kernel][ramdisk][p2m list][start_info][xenstore][console]
 *   [page tables][boot stack] ... v_end
 *
 * each element page aligned, mapped writable except the page tables
 * (read-only, as Xen's builder maps them), v_end on a 4 MiB boundary with
 * at least 512 KiB after the stack.
 */
#ifndef TL_PVBUILD_H
#define TL_PVBUILD_H

#include <stddef.h>
#include <stdint.h>
#include <pvabi/xen.h>
#include <tessera/guest_elf.h>

#define PVB_PAGE_SIZE 4096ull

struct pvb_request {
    const uint8_t *elf;               /* the kernel as ELF (decompressed) */
    size_t elf_len;
    const struct guest_elf_info *info;/* guest_elf_parse() of it */
    /* Copies the segments as guest_elf_load would; NULL: guest_elf_load from elf. */
    int (*load_segments)(const void *ctx, void *dst, uint64_t dst_vaddr, uint64_t dst_len);
    const void *load_ctx;
    const uint8_t *ramdisk;           /* may be NULL */
    size_t ramdisk_len;
    const char *cmdline;              /* may be NULL */
    uint64_t nr_pages;                /* the domain's memory */
};

struct pvb_layout {
    uint64_t v_start, v_end;              /* the bootstrap region */
    uint64_t kern_start, kern_end;
    uint64_t ramdisk_start, ramdisk_end;  /* equal when there is none */
    uint64_t p2m_start, p2m_end;
    uint64_t si_start, store_start, console_start;
    uint64_t pt_start, pt_end, stack_start, stack_end;
    uint64_t nr_pt_frames;
    uint64_t used_pages;   /* pfns [0, used_pages) hold what the builder writes */
    uint64_t mapped_pages; /* pfns [0, mapped_pages) are mapped: (v_end - v_start) / 4096 */
};

/* What the hypervisor gave the domain before its start_info is written. */
struct pvb_domain {
    uint64_t shared_info_mfn;
    uint32_t console_evtchn, store_evtchn;
    uint32_t si_flags;            /* SIF_*; SIF_MOD_START_PFN is added as needed */
};

/* Plans the layout; on failure returns -errno and a reason in *why. */
int pvb_plan(const struct pvb_request *req, struct pvb_layout *l, const char **why);

static inline uint64_t pvb_va_to_pfn(const struct pvb_layout *l, uint64_t va)
{
    return (va - l->v_start) / PVB_PAGE_SIZE;
}

/*
 * Writes the bootstrap region into boot, a writable mapping of pfns
 * [0, l->used_pages) (whatever they held before), given p2m[pfn] = mfn for
 * every pfn < req->nr_pages. Fills the boot vCPU's context (64-bit, in
 * kernel mode, online). Returns 0 or -errno with a reason.
 */
int pvb_write(const struct pvb_request *req, const struct pvb_layout *l, const xen_pfn_t *p2m,
              uint8_t *boot, const struct pvb_domain *dom, struct vcpu_guest_context *ctx,
              const char **why);

/* The L4's pfn (for MMUEXT_PIN_L4_TABLE and cr3). */
static inline uint64_t pvb_l4_pfn(const struct pvb_layout *l)
{
    return pvb_va_to_pfn(l, l->pt_start);
}

#endif
