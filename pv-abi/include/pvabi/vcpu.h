/*
 * Tessera guest ABI: per-vCPU operations, vcpu_op(cmd, vcpuid, arg).
 */
#ifndef PVABI_VCPU_H
#define PVABI_VCPU_H

#include <pvabi/xen.h>

#define VCPUOP_initialise                    0  /* arg: vcpu_guest_context */
#define VCPUOP_up                            1  /* arg unused */
#define VCPUOP_down                          2  /* arg unused */
#define VCPUOP_is_up                         3  /* returns 1 or 0 */
#define VCPUOP_get_runstate_info             4  /* arg: vcpu_runstate_info OUT */
#define VCPUOP_register_runstate_memory_area 5
#define VCPUOP_set_periodic_timer            6
#define VCPUOP_stop_periodic_timer           7
#define VCPUOP_set_singleshot_timer          8
#define VCPUOP_stop_singleshot_timer         9
#define VCPUOP_register_vcpu_info           10
#define VCPUOP_send_nmi                     11
#define VCPUOP_get_physid                   12
#define VCPUOP_register_vcpu_time_memory_area 13

#define RUNSTATE_running  0
#define RUNSTATE_runnable 1
#define RUNSTATE_blocked  2
#define RUNSTATE_offline  3

/* Set in state_entry_time while the hypervisor updates a registered area
 * (with VMASST_TYPE_runstate_update_flag). */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

/* Singleshot timer flags. _future asked for -ETIME when the deadline had
 * passed; Xen 4.17 accepts and ignores it (the timer fires at once), and so
 * do guests written for it. */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

#ifndef __ASSEMBLY__

/* Time spent in each RUNSTATE_*, in ns of system time. OUT. */
struct vcpu_runstate_info {
    int state;                  /* RUNSTATE_* now */
    uint64_t state_entry_time;  /* when it was entered */
    uint64_t time[4];           /* total per state */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);

/* Where the hypervisor keeps a copy of vcpu_runstate_info up to date. IN. */
struct vcpu_register_runstate_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
        struct vcpu_runstate_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_runstate_memory_area_t);

struct vcpu_set_periodic_timer {
    uint64_t period_ns;         /* IN */
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_periodic_timer_t);

struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;    /* IN: system time */
    uint32_t flags;             /* IN: VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_set_singleshot_timer_t);

/* Move this vCPU's vcpu_info out of shared_info into a guest page. IN. */
struct vcpu_register_vcpu_info {
    uint64_t mfn;               /* frame holding the new vcpu_info */
    uint32_t offset;            /* its offset; must not cross the page */
    uint32_t rsvd;              /* zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_vcpu_info_t);

struct vcpu_get_physid {
    uint64_t phys_id;           /* OUT */
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_get_physid_t);

DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
    union {
        XEN_GUEST_HANDLE(vcpu_time_info_t) h;
        struct vcpu_time_info *v;
        uint64_t p;
    } addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_register_time_memory_area_t);

_Static_assert(sizeof(struct vcpu_runstate_info) == 48, "vcpu_runstate_info");
_Static_assert(offsetof(struct vcpu_runstate_info, state_entry_time) == 8, "runstate.entry_time");
_Static_assert(offsetof(struct vcpu_runstate_info, time) == 16, "runstate.time");
_Static_assert(sizeof(struct vcpu_register_runstate_memory_area) == 8, "runstate area");
_Static_assert(sizeof(struct vcpu_set_periodic_timer) == 8, "vcpu_set_periodic_timer");
_Static_assert(sizeof(struct vcpu_set_singleshot_timer) == 16, "vcpu_set_singleshot_timer");
_Static_assert(sizeof(struct vcpu_register_vcpu_info) == 16, "vcpu_register_vcpu_info");
_Static_assert(offsetof(struct vcpu_register_vcpu_info, offset) == 8, "register_vcpu_info.offset");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_VCPU_H */
