/*
 * Tessera guest ABI: the scalar types and guest-handle convention every other
 * pvabi header builds on, and the one macro that versions the guest ABI.
 *
 * Only <stdint.h> and <stddef.h> are used, so these headers compile into
 * freestanding guest kernels as well as host tools.
 */
#ifndef PVABI_TYPES_H
#define PVABI_TYPES_H

/*
 * Version of the guest-visible ABI described by pvabi/ (excluding
 * pvabi/control/, which has its own). Bumped whenever anything a guest can
 * observe is added; layouts are never changed in place and numbers are never
 * reused. See pv-abi/CHANGELOG.md. Encoded as 0xMMmmpp.
 */
#define PVABI_GUEST_ABI_VERSION 0x000102

/* The Xen interface level these headers are binary-compatible with (4.14+,
 * the level Xen 4.17 exposes to guests that ask for the latest). */
#define PVABI_XEN_INTERFACE_VERSION 0x00040e00

/* Assembly includes see only macros; gcc says so with __ASSEMBLER__. */
#if defined(__ASSEMBLER__) && !defined(__ASSEMBLY__)
#define __ASSEMBLY__ 1
#endif

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdint.h>

#if !defined(__x86_64__)
#error "pvabi: only the x86-64 PV ABI is described"
#endif

/* Integer constants that are valid in both C and assembly. The argument is
 * macro-expanded before the suffix is pasted on. */
#define PVABI_SUFFIX_(x, sfx) x##sfx
#define xen_mk_uint(x)   PVABI_SUFFIX_(x, U)
#define xen_mk_ulong(x)  PVABI_SUFFIX_(x, UL)
#define xen_mk_ullong(x) PVABI_SUFFIX_(x, ULL)

/* A machine word as the hypervisor sees it: 64 bits on x86-64. */
typedef unsigned long xen_ulong_t;
/* A page frame number (machine frame for PV, guest frame otherwise). */
typedef unsigned long xen_pfn_t;
/* A domain id: 15 bits used, DOMID_* specials at the top. */
typedef uint16_t domid_t;
/* An RDTSC value. */
typedef uint64_t tsc_timestamp_t;

/*
 * A guest handle wraps a guest-virtual pointer in a one-member struct so
 * that the compiler refuses to mix it up with a hypervisor pointer. The
 * wrapper has the size and alignment of a pointer (8 bytes here).
 */
#define PVABI_HANDLE_TYPEDEF(name, type) \
    typedef struct { type *p; } __guest_handle_##name
#define __DEFINE_XEN_GUEST_HANDLE(name, type)       \
    PVABI_HANDLE_TYPEDEF(name, type);               \
    PVABI_HANDLE_TYPEDEF(const_##name, const type)
#define DEFINE_XEN_GUEST_HANDLE(name) __DEFINE_XEN_GUEST_HANDLE(name, name)
#define XEN_GUEST_HANDLE(name)        __guest_handle_##name
#define XEN_GUEST_HANDLE_PARAM(name)  XEN_GUEST_HANDLE(name)
#define set_xen_guest_handle(hnd, val) do { (hnd).p = (val); } while (0)

/* Handles to the primitive types hypercalls take arrays of. */
DEFINE_XEN_GUEST_HANDLE(char);
__DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
DEFINE_XEN_GUEST_HANDLE(int);
__DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
DEFINE_XEN_GUEST_HANDLE(void);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
__DEFINE_XEN_GUEST_HANDLE(uint8, uint8_t);
__DEFINE_XEN_GUEST_HANDLE(uint16, uint16_t);
__DEFINE_XEN_GUEST_HANDLE(uint32, uint32_t);
__DEFINE_XEN_GUEST_HANDLE(uint64, uint64_t);

_Static_assert(sizeof(XEN_GUEST_HANDLE(void)) == 8, "guest handle is one pointer");
_Static_assert(sizeof(xen_ulong_t) == 8 && sizeof(xen_pfn_t) == 8, "x86-64 words");

/* A 128-bit UUID as handed to the toolstack and some guests. */
typedef struct {
    uint8_t a[16];
} xen_uuid_t;
typedef uint8_t xen_domain_handle_t[16];

#else /* __ASSEMBLY__ */
#define xen_mk_uint(x)   x
#define xen_mk_ulong(x)  x
#define xen_mk_ullong(x) x
#endif

#endif /* PVABI_TYPES_H */
