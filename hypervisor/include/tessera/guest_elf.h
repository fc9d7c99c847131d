/*
 * Guest kernel ELF loader: the one implementation of ELF64 parsing and Xen
 * ELF note interpretation in the tree. The hypervisor's boot-time domain
 * builder and the toolstack (tl) both compile guest_elf.c, so it uses no
 * libc: it works on a caller-provided byte buffer, allocates nothing and
 * never reads outside [buf, buf + len).
 *
 * Every function returns 0 or a negative errno (Linux/Xen values: -ENOEXEC
 * 8 for "not a loadable Xen guest", -EINVAL 22 for malformed structures,
 * -E2BIG 7 for absurd sizes or counts, -ENOSPC 28 when a destination buffer
 * is too small) and, on failure, points info->reason at a static sentence
 * saying what was wrong.
 */
#ifndef TESSERA_GUEST_ELF_H
#define TESSERA_GUEST_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_ELF_ENOEXEC 8
#define GUEST_ELF_E2BIG   7
#define GUEST_ELF_EINVAL  22
#define GUEST_ELF_ENOSPC  28

/* Limits beyond which an image is refused as absurd rather than loaded. */
#define GUEST_ELF_MAX_SEGMENTS   16
#define GUEST_ELF_MAX_PHDRS      128
#define GUEST_ELF_MAX_IMAGE_SPAN (1ULL << 30)   /* [virt_kstart, virt_kend) */
#define GUEST_ELF_STRING_MAX     64             /* guest_os, loader, ... */
#define GUEST_ELF_FEATURES_MAX   256

/* One PT_LOAD segment, with the guest-virtual address it is loaded at. */
struct guest_elf_segment {
    uint64_t file_offset;   /* within the image buffer */
    uint64_t file_size;     /* bytes copied from the file */
    uint64_t mem_size;      /* bytes occupied; the rest is zeroed */
    uint64_t paddr;         /* p_paddr as in the file */
    uint64_t load_vaddr;    /* p_paddr + virt_offset: where it goes */
    uint32_t flags;         /* PF_X 1, PF_W 2, PF_R 4 */
};

enum guest_elf_pae {
    GUEST_ELF_PAE_UNSET = 0,
    GUEST_ELF_PAE_NO,
    GUEST_ELF_PAE_YES,
    GUEST_ELF_PAE_BIMODAL,
};

/* Bit set in the *_present mask for each note type seen (types 0..31). */
#define GUEST_ELF_HAS(info, type) (((info)->notes_present >> (type)) & 1u)

struct guest_elf_info {
    /* Set on failure: a static, human-readable sentence. NULL on success. */
    const char *reason;
    /* Note type being parsed when the failure happened, or -1. */
    int failed_note;

    uint64_t elf_entry;          /* e_entry */
    uint64_t virt_entry;         /* ENTRY note, else e_entry */
    uint64_t virt_base;          /* VIRT_BASE note, default 0 */
    uint64_t paddr_offset;       /* PADDR_OFFSET note, default 0 */
    uint64_t virt_offset;        /* virt_base - paddr_offset */
    uint64_t hypercall_page;     /* HYPERCALL_PAGE note (virtual), if present */
    uint64_t hv_start_low;       /* HV_START_LOW note, if present */
    uint64_t init_p2m;           /* INIT_P2M note, if present */
    uint64_t phys32_entry;       /* PHYS32_ENTRY note (PVH), if present */
    uint64_t suspend_cancel;     /* SUSPEND_CANCEL note value */
    uint64_t mod_start_pfn;      /* MOD_START_PFN note value */

    /* Lowest and highest p_paddr of the loadable segments: [pstart, pend). */
    uint64_t pstart, pend;
    /* The guest-virtual range the image occupies: [virt_kstart, virt_kend). */
    uint64_t virt_kstart, virt_kend;

    char guest_os[GUEST_ELF_STRING_MAX];
    char guest_version[GUEST_ELF_STRING_MAX];
    char xen_version[GUEST_ELF_STRING_MAX];
    char loader[GUEST_ELF_STRING_MAX];
    char features[GUEST_ELF_FEATURES_MAX];     /* FEATURES note as written */
    enum guest_elf_pae pae;
    bool bsd_symtab;

    /* XENFEAT_* bit numbers: union of FEATURES names and SUPPORTED_FEATURES. */
    uint32_t features_supported;
    uint32_t features_required;                /* names marked '!' */

    uint32_t notes_present;                    /* bit per note type < 32 */
    unsigned nr_xen_notes;
    bool notes_from_sections;                  /* no PT_NOTE; used SHT_NOTE */

    unsigned nr_segments;
    struct guest_elf_segment segments[GUEST_ELF_MAX_SEGMENTS];
};

/*
 * Parses and validates an ELF64 x86-64 Xen guest kernel in buf[0..len):
 * headers, program headers, PT_LOAD layout (in bounds, no overlaps, sane
 * sizes), every Xen note, and the address checks a domain builder relies on
 * (entry and hypercall page inside the image). Fills *info.
 */
int guest_elf_parse(const void *buf, size_t len, struct guest_elf_info *info);

/* One raw note, as handed to guest_elf_for_each_note's callback. */
struct guest_elf_note {
    const char *name;        /* not NUL-terminated: use name_size */
    uint32_t name_size;      /* namesz, which counts a trailing NUL if any */
    uint32_t type;
    const uint8_t *desc;
    uint32_t desc_size;
};

/*
 * Calls fn for every note (any owner) in the PT_NOTE segments, or in the
 * SHT_NOTE sections when there are no PT_NOTE segments. Stops at the first
 * non-zero return of fn and returns it. The buffer must have passed
 * guest_elf_parse, or at least have a valid ELF64 header; malformed notes
 * return -EINVAL with info->reason set.
 */
int guest_elf_for_each_note(const void *buf, size_t len, struct guest_elf_info *info,
                            int (*fn)(const struct guest_elf_note *note, void *arg),
                            void *arg);

/* Reads a numeric note value (1, 2, 4 or 8 bytes). -EINVAL on other sizes. */
int guest_elf_note_number(const struct guest_elf_note *note, uint64_t *value);

/*
 * Copies the loadable segments of a parsed image into dst, which stands for
 * the guest-virtual range starting at dst_vaddr and dst_len bytes long;
 * zero-fills each segment's memory beyond its file bytes. Gaps between
 * segments are left untouched. -ENOSPC if the image does not fit.
 */
int guest_elf_load(const void *buf, size_t len, const struct guest_elf_info *info,
                   void *dst, uint64_t dst_vaddr, uint64_t dst_len);

/* guest_elf_load's checks alone, for a loader that copies another way. */
int guest_elf_check_load(size_t len, const struct guest_elf_info *info, uint64_t dst_vaddr,
                         uint64_t dst_len);

/* The XENFEAT_* name of feature bit nr ("writable_page_tables"), or NULL. */
const char *guest_elf_feature_name(unsigned nr);

/* Name of a Xen note type ("HYPERCALL_PAGE"), or NULL if unknown. */
const char *guest_elf_note_name(uint32_t type);

#endif
