/*
 * Tessera guest ABI: xen_version(cmd, arg). XENVER_version returns
 * (major << 16) | minor in RAX; the other sub-ops fill the buffer at arg.
 */
#ifndef PVABI_VERSION_H
#define PVABI_VERSION_H

#include <pvabi/xen.h>
#include <pvabi/features.h>

#define XENVER_version             0   /* arg unused */
#define XENVER_extraversion        1   /* arg: xen_extraversion_t OUT */
#define XENVER_compile_info        2   /* arg: xen_compile_info OUT */
#define XENVER_capabilities        3   /* arg: xen_capabilities_info_t OUT */
#define XENVER_changeset           4   /* arg: xen_changeset_info_t OUT */
#define XENVER_platform_parameters 5   /* arg: xen_platform_parameters OUT */
#define XENVER_get_features        6   /* arg: xen_feature_info IN/OUT */
#define XENVER_pagesize            7   /* returns the page size */
#define XENVER_guest_handle        8   /* arg: xen_domain_handle_t OUT */
#define XENVER_commandline         9   /* arg: xen_commandline_t OUT (privileged) */
#define XENVER_build_id           10   /* arg: xen_build_id IN/OUT (privileged) */

#ifndef __ASSEMBLY__

typedef char xen_extraversion_t[16];
#define XEN_EXTRAVERSION_LEN (sizeof(xen_extraversion_t))

struct xen_compile_info {
    char compiler[64];
    char compile_by[16];
    char compile_domain[32];
    char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;

typedef char xen_capabilities_info_t[1024];   /* e.g. "xen-3.0-x86_64 ..." */
#define XEN_CAPABILITIES_INFO_LEN (sizeof(xen_capabilities_info_t))

typedef char xen_changeset_info_t[64];
#define XEN_CHANGESET_INFO_LEN (sizeof(xen_changeset_info_t))

struct xen_platform_parameters {
    xen_ulong_t virt_start;     /* OUT: lowest hypervisor-reserved address */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;

struct xen_feature_info {
    unsigned int submap_idx;    /* IN: which 32-bit submap */
    uint32_t     submap;        /* OUT: XENFEAT_* bits */
};
typedef struct xen_feature_info xen_feature_info_t;

typedef char xen_commandline_t[1024];

struct xen_build_id {
    uint32_t len;               /* IN: buffer size; OUT: id length */
    unsigned char buf[];        /* OUT */
};
typedef struct xen_build_id xen_build_id_t;

_Static_assert(sizeof(struct xen_compile_info) == 144, "xen_compile_info");
_Static_assert(offsetof(struct xen_compile_info, compile_date) == 112, "compile_info.date");
_Static_assert(sizeof(struct xen_feature_info) == 8, "xen_feature_info");
_Static_assert(sizeof(struct xen_platform_parameters) == 8, "xen_platform_parameters");
_Static_assert(sizeof(struct xen_build_id) == 4, "xen_build_id");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_VERSION_H */
