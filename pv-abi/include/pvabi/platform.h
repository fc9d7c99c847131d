/*
 * Tessera guest ABI: platform_op(op), the control domain's operations on
 * the machine as a whole. Tessera serves the wall clock (settime); the
 * other Xen platform operations keep their numbers here for when they come.
 */
#ifndef PVABI_PLATFORM_H
#define PVABI_PLATFORM_H

#include <pvabi/xen.h>

/* The version a caller must put in xen_platform_op.interface_version. */
#define XENPF_INTERFACE_VERSION 0x03000001

/*
 * Set the wall clock so that it reads secs.nsecs (since the Unix epoch)
 * when the hypervisor's system time is system_time (ns since boot). Every
 * domain's shared_info wall clock follows.
 */
#define XENPF_settime32   17
struct xenpf_settime32 {
    uint32_t secs;          /* IN */
    uint32_t nsecs;         /* IN */
    uint64_t system_time;   /* IN */
};
typedef struct xenpf_settime32 xenpf_settime32_t;

#define XENPF_settime64   62
struct xenpf_settime64 {
    uint64_t secs;          /* IN */
    uint32_t nsecs;         /* IN */
    uint32_t mbz;           /* IN: must be zero */
    uint64_t system_time;   /* IN */
};
typedef struct xenpf_settime64 xenpf_settime64_t;

/* The argument: a command, the interface version, and 128 bytes of operands. */
struct xen_platform_op {
    uint32_t cmd;                   /* IN: XENPF_* */
    uint32_t interface_version;     /* IN: XENPF_INTERFACE_VERSION */
    union {
        struct xenpf_settime32 settime32;
        struct xenpf_settime64 settime64;
        uint8_t pad[128];
    } u;
};
typedef struct xen_platform_op xen_platform_op_t;

_Static_assert(sizeof(struct xenpf_settime32) == 16, "xenpf_settime32");
_Static_assert(sizeof(struct xenpf_settime64) == 24, "xenpf_settime64");
_Static_assert(offsetof(struct xenpf_settime64, system_time) == 16, "settime64.system_time");
_Static_assert(offsetof(struct xen_platform_op, u) == 8, "xen_platform_op.u");
_Static_assert(sizeof(struct xen_platform_op) == 136, "xen_platform_op");

#endif
