/*
 * Tessera toolstack-only control interface: the types domctl.h and sysctl.h
 * share (Xen 4.17's tools-only definitions from xen.h and arch-x86/xen.h).
 *
 * NOT part of the guest ABI: only builds that define PVABI_TOOLSTACK (the
 * hypervisor, dom0's tools) may include pvabi/control/, so guest kernels
 * cannot come to depend on it. The control interface is versioned by
 * XEN_DOMCTL_INTERFACE_VERSION and XEN_SYSCTL_INTERFACE_VERSION, not by
 * PVABI_GUEST_ABI_VERSION.
 */
#ifndef PVABI_CONTROL_TYPES_H
#define PVABI_CONTROL_TYPES_H

#ifndef PVABI_TOOLSTACK
#error "pvabi/control/ is the toolstack-only interface: define PVABI_TOOLSTACK in toolstack builds; guest code must not include it"
#endif

#include <pvabi/xen.h>

#ifndef __ASSEMBLY__

/*
 * Xen spells handles and 64-bit fields of the control structures so that a
 * 32-bit toolstack lays them out as a 64-bit hypervisor does. On x86-64 both
 * are the plain types; the names are kept so the structs read as Xen's.
 */
#define XEN_GUEST_HANDLE_64(name) XEN_GUEST_HANDLE(name)
typedef uint64_t uint64_aligned_t;
typedef int64_t  int64_aligned_t;

/*
 * A bitmap in the caller's memory (CPU or node masks). The caller's buffer
 * holds nr_bits bits, least significant bit of byte 0 first. The hypervisor
 * reads or writes min(nr_bits, its own size) bits; bits it has beyond the
 * buffer are dropped, bits of the buffer beyond its own are written as zero.
 */
struct xenctl_bitmap {
    XEN_GUEST_HANDLE_64(uint8) bitmap;
    uint32_t nr_bits;
};
typedef struct xenctl_bitmap xenctl_bitmap_t;

/* x86 domain configuration given at creation (createdomain.arch) and
 * reported back (getdomaininfo.arch_config). A PV domain emulates nothing:
 * emulation_flags 0, or XEN_X86_EMU_PIT alone, are the values Xen takes. */
#define XEN_X86_EMU_LAPIC    (1U << 0)
#define XEN_X86_EMU_HPET     (1U << 1)
#define XEN_X86_EMU_PM       (1U << 2)
#define XEN_X86_EMU_RTC      (1U << 3)
#define XEN_X86_EMU_IOAPIC   (1U << 4)
#define XEN_X86_EMU_PIC      (1U << 5)
#define XEN_X86_EMU_VGA      (1U << 6)
#define XEN_X86_EMU_IOMMU    (1U << 7)
#define XEN_X86_EMU_PIT      (1U << 8)
#define XEN_X86_EMU_USE_PIRQ (1U << 9)
#define XEN_X86_EMU_VPCI     (1U << 10)
#define XEN_X86_MSR_RELAXED  (1U << 0)   /* misc_flags */

struct xen_arch_domainconfig {
    uint32_t emulation_flags;   /* XEN_X86_EMU_* */
    uint32_t misc_flags;        /* XEN_X86_MSR_RELAXED */
};

/* One CPUID leaf of a CPU policy; subleaf XEN_CPUID_NO_SUBLEAF when the
 * leaf has none. */
#define XEN_CPUID_NO_SUBLEAF 0xffffffffu
typedef struct xen_cpuid_leaf {
    uint32_t leaf, subleaf;
    uint32_t a, b, c, d;
} xen_cpuid_leaf_t;
DEFINE_XEN_GUEST_HANDLE(xen_cpuid_leaf_t);

/* One MSR of a CPU policy; flags must be zero. */
typedef struct xen_msr_entry {
    uint32_t idx;
    uint32_t flags;
    uint64_t val;
} xen_msr_entry_t;
DEFINE_XEN_GUEST_HANDLE(xen_msr_entry_t);

_Static_assert(sizeof(struct xenctl_bitmap) == 16, "xenctl_bitmap");
_Static_assert(offsetof(struct xenctl_bitmap, nr_bits) == 8, "xenctl_bitmap.nr_bits");
_Static_assert(sizeof(struct xen_arch_domainconfig) == 8, "xen_arch_domainconfig");
_Static_assert(sizeof(xen_cpuid_leaf_t) == 24, "xen_cpuid_leaf");
_Static_assert(sizeof(xen_msr_entry_t) == 16, "xen_msr_entry");
_Static_assert(offsetof(xen_msr_entry_t, val) == 8, "xen_msr_entry.val");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_CONTROL_TYPES_H */
