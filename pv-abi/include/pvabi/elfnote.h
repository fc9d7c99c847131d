/*
 * Xen ELF note types: the numbers a Xen guest kernel puts in its "Xen"
 * ELF notes to tell a domain builder how to load and start it.
 *
 * The numbers are part of the guest ABI (fixed by Xen's public elfnote.h)
 * and are never reused. The value layout of each note is given beside it:
 *   numeric: an unsigned integer of descsz bytes (1, 2, 4 or 8), little endian
 *   string:  NUL-terminated ASCII
 *
 * Identical redefinitions of Xen's own macro names are harmless in C, so a
 * file that also includes Xen's header still compiles.
 */
#ifndef PVABI_ELFNOTE_H
#define PVABI_ELFNOTE_H

/* Owner name of every note below, as stored in the note (namesz 4). */
#define XEN_ELFNOTE_OWNER "Xen"

#define XEN_ELFNOTE_INFO               0  /* string: NAME=VALUE */
#define XEN_ELFNOTE_ENTRY              1  /* numeric: virtual entry point */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2  /* numeric: virtual address of the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE          3  /* numeric: where the image is mapped (default 0) */
#define XEN_ELFNOTE_PADDR_OFFSET       4  /* numeric: subtracted from p_paddr (default 0) */
#define XEN_ELFNOTE_XEN_VERSION        5  /* string: "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS           6  /* string: e.g. "linux" */
#define XEN_ELFNOTE_GUEST_VERSION      7  /* string */
#define XEN_ELFNOTE_LOADER             8  /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE           9  /* string: "yes", "no", "bimodal", "yes,bimodal" */
#define XEN_ELFNOTE_FEATURES          10  /* string: names joined by '|', '!' = required */
#define XEN_ELFNOTE_BSD_SYMTAB        11  /* string: "yes" or "no" */
#define XEN_ELFNOTE_HV_START_LOW      12  /* numeric: lowest start of the hypervisor hole */
#define XEN_ELFNOTE_L1_MFN_VALID      13  /* numeric pairs: mask, value */
#define XEN_ELFNOTE_SUSPEND_CANCEL    14  /* numeric: cooperative suspend cancel supported */
#define XEN_ELFNOTE_INIT_P2M          15  /* numeric: virtual address for the initial p2m */
#define XEN_ELFNOTE_MOD_START_PFN     16  /* numeric: initrd may be outside the initial mapping */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* numeric: 32-bit bitmap of supported features */
#define XEN_ELFNOTE_PHYS32_ENTRY      18  /* numeric: 32-bit physical entry (PVH) */

/* The highest note number defined above. */
#define XEN_ELFNOTE_MAX XEN_ELFNOTE_PHYS32_ENTRY

/* Notes found in crash dumps, never in a kernel to load. */
#define XEN_ELFNOTE_CRASH_INFO               0x1000001
#define XEN_ELFNOTE_CRASH_REGS               0x1000002
#define XEN_ELFNOTE_DUMPCORE_NONE            0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER          0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION     0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION  0x2000003

#endif
