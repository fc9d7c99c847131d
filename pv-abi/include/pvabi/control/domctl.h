/*
 * Tessera toolstack-only control interface: domain control.
 *
 * NOT part of the guest ABI. Only a privileged control domain (dom0 through
 * /dev/xen/privcmd's hypercall ioctl, or a boot-time builder) issues these,
 * and only builds that define PVABI_TOOLSTACK may include this header, so it
 * cannot leak into guest kernels. It is versioned on its own
 * (PVABI_DOMCTL_INTERFACE_VERSION): the hypervisor refuses a call whose
 * interface_version differs with -XEN_EACCES, so a stale toolstack fails
 * cleanly instead of misreading a changed layout.
 *
 * Call: hypercall __HYPERVISOR_domctl (36, Xen's domctl slot) with one
 * argument, a pointer to struct tessera_domctl. Returns 0 or a negative
 * XEN_E* value; OUT fields are written only on success, and a failed create
 * leaves no half-built domain behind.
 *
 * Every structure has fixed-width fields and 8-byte aligned 64-bit members,
 * so a 32-bit toolstack would see the same layout.
 */
#ifndef PVABI_CONTROL_DOMCTL_H
#define PVABI_CONTROL_DOMCTL_H

#ifndef PVABI_TOOLSTACK
#error "pvabi/control/ is the toolstack-only interface: define PVABI_TOOLSTACK in toolstack builds; guest code must not include it"
#endif

#include <pvabi/xen.h>

/* Bumped on any change to this file; numbers are never reused. */
#define PVABI_DOMCTL_INTERFACE_VERSION 0x00000001

/* The hypercall number this interface uses. */
#define TESSERA_HYPERCALL_domctl __HYPERVISOR_domctl

/* Commands (tessera_domctl.cmd). */
#define TDOMCTL_create_domain       1
#define TDOMCTL_destroy_domain      2
#define TDOMCTL_pause_domain        3
#define TDOMCTL_unpause_domain      4
#define TDOMCTL_get_domain_info     5
#define TDOMCTL_list_domains        6
#define TDOMCTL_set_max_mem         7
#define TDOMCTL_set_max_vcpus       8
#define TDOMCTL_get_vcpu_context    9
#define TDOMCTL_set_vcpu_context   10
#define TDOMCTL_console_read       11
#define TDOMCTL_console_write      12
#define TDOMCTL_xenstore_introduce 13
#define TDOMCTL_MAX                13

#ifndef __ASSEMBLY__

/* A guest-virtual pointer in the caller's address space, always 8 bytes. */
#define PVABI_CTL_HANDLE(type) union { type *p; uint64_t raw; }

/* tessera_domctl_create.flags */
#define TDOMCTL_CREATE_PRIVILEGED (1u << 0)  /* may issue control hypercalls */
#define TDOMCTL_CREATE_START_PAUSED (1u << 1) /* stays paused until unpause */
#define TDOMCTL_CREATE_FLAGS_ALL  (TDOMCTL_CREATE_PRIVILEGED | TDOMCTL_CREATE_START_PAUSED)

#define TDOMCTL_NAME_LEN 32

/* TDOMCTL_create_domain. tessera_domctl.domain: IN the id wanted, or
 * DOMID_INVALID to let the hypervisor choose; OUT the id given. */
struct tessera_domctl_create {
    uint32_t flags;             /* IN: TDOMCTL_CREATE_* */
    uint32_t max_vcpus;         /* IN: 1..hypervisor limit */
    uint64_t max_mem_kb;        /* IN: memory limit in KiB */
    xen_domain_handle_t handle; /* IN: the toolstack's UUID for the domain */
    char name[TDOMCTL_NAME_LEN];/* IN: NUL-terminated, for logs and consoles */
};

/* tessera_domctl_info.flags */
#define TDOMINF_dying     (1u << 0)
#define TDOMINF_shutdown  (1u << 1)   /* shutdown_reason is valid */
#define TDOMINF_paused    (1u << 2)
#define TDOMINF_blocked   (1u << 3)   /* every online vCPU is blocked */
#define TDOMINF_running   (1u << 4)   /* some vCPU is on a pCPU now */
#define TDOMINF_privileged (1u << 5)

/* One domain's state. OUT (TDOMCTL_get_domain_info, TDOMCTL_list_domains). */
struct tessera_domctl_info {
    uint16_t domid;
    uint16_t pad0;
    uint32_t flags;             /* TDOMINF_* */
    uint32_t shutdown_reason;   /* SHUTDOWN_* when TDOMINF_shutdown */
    uint32_t nr_online_vcpus;
    uint32_t max_vcpu_id;
    uint32_t pad1;
    uint64_t tot_pages;         /* pages allocated now */
    uint64_t max_pages;         /* allocation limit */
    uint64_t cpu_time_ns;       /* summed over vCPUs */
    xen_domain_handle_t handle;
    char name[TDOMCTL_NAME_LEN];
};

/* TDOMCTL_list_domains: domains with id >= first_domain, in id order. */
struct tessera_domctl_list {
    uint16_t first_domain;      /* IN */
    uint16_t pad0;
    uint32_t max_domains;       /* IN: room in `buffer` */
    PVABI_CTL_HANDLE(struct tessera_domctl_info) buffer; /* OUT */
    uint32_t nr_domains;        /* OUT: entries written */
    uint32_t pad1;
};

struct tessera_domctl_max_mem {
    uint64_t max_mem_kb;        /* IN; below current use is refused (-EBUSY) */
};

struct tessera_domctl_max_vcpus {
    uint32_t max_vcpus;         /* IN; only raised, never below online vCPUs */
    uint32_t pad0;
};

/* TDOMCTL_get/set_vcpu_context. The domain must be paused for set. */
struct tessera_domctl_vcpu_context {
    uint32_t vcpu;              /* IN */
    uint32_t pad0;
    PVABI_CTL_HANDLE(struct vcpu_guest_context) ctxt; /* OUT (get) / IN (set) */
};

/* TDOMCTL_console_read/write: the console ring of a domain that the
 * hypervisor serves (domains created at boot, until a console daemon takes
 * the ring over). Read returns the guest's output from `index` on; write
 * queues input for the guest. */
struct tessera_domctl_console {
    PVABI_CTL_HANDLE(char) buffer; /* OUT (read) / IN (write) */
    uint32_t count;             /* IN: buffer size; OUT: bytes moved */
    uint32_t pad0;
    uint64_t index;             /* IN/OUT (read): stream position; bytes older
                                   than the hypervisor keeps are skipped */
};

/* TDOMCTL_xenstore_introduce: tell the hypervisor which page and port the
 * domain's xenstore ring uses (written to its start_info on build, and
 * reported to the xenstore daemon's domain). */
struct tessera_domctl_xenstore {
    uint64_t store_gfn;         /* IN: frame of the ring in the domain */
    uint32_t store_port;        /* IN: event channel in the domain */
    uint16_t store_domid;       /* IN: domain running xenstored */
    uint16_t pad0;
};

/* The one argument of every domain-control call. */
struct tessera_domctl {
    uint32_t cmd;               /* IN: TDOMCTL_* */
    uint32_t interface_version; /* IN: PVABI_DOMCTL_INTERFACE_VERSION */
    uint16_t domain;            /* IN (OUT for create): the target domain */
    uint16_t pad0[3];           /* zero */
    union {
        struct tessera_domctl_create       create;
        struct tessera_domctl_info         info;
        struct tessera_domctl_list         list;
        struct tessera_domctl_max_mem      max_mem;
        struct tessera_domctl_max_vcpus    max_vcpus;
        struct tessera_domctl_vcpu_context vcpu_context;
        struct tessera_domctl_console      console;
        struct tessera_domctl_xenstore     xenstore;
        uint8_t pad[128];       /* fixes the size for future commands */
    } u;
};
typedef struct tessera_domctl tessera_domctl_t;
DEFINE_XEN_GUEST_HANDLE(tessera_domctl_t);

_Static_assert(sizeof(struct tessera_domctl_create) == 64, "domctl create");
_Static_assert(offsetof(struct tessera_domctl_create, handle) == 16, "domctl create.handle");
_Static_assert(sizeof(struct tessera_domctl_info) == 96, "domctl info");
_Static_assert(offsetof(struct tessera_domctl_info, tot_pages) == 24, "domctl info.tot_pages");
_Static_assert(offsetof(struct tessera_domctl_info, handle) == 48, "domctl info.handle");
_Static_assert(sizeof(struct tessera_domctl_list) == 24, "domctl list");
_Static_assert(offsetof(struct tessera_domctl_list, buffer) == 8, "domctl list.buffer");
_Static_assert(sizeof(struct tessera_domctl_vcpu_context) == 16, "domctl vcpu_context");
_Static_assert(sizeof(struct tessera_domctl_console) == 24, "domctl console");
_Static_assert(sizeof(struct tessera_domctl_xenstore) == 16, "domctl xenstore");
_Static_assert(offsetof(struct tessera_domctl, domain) == 8, "domctl.domain");
_Static_assert(offsetof(struct tessera_domctl, u) == 16, "domctl.u");
_Static_assert(sizeof(struct tessera_domctl) == 144, "tessera_domctl");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_CONTROL_DOMCTL_H */
