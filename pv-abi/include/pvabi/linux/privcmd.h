/*
 * Linux's /dev/xen/privcmd interface (the kernel's uapi xen/privcmd.h), as
 * a control domain's userspace sees it on x86-64: the ioctls that pass a
 * hypercall through and map another domain's frames into our address space.
 *
 * NOT a hypervisor interface: these are the dom0 kernel's ioctls. Layouts
 * are facts of Linux's ABI, written here so the tools build without kernel
 * headers; sizes and offsets are checked below.
 *
 * /dev/xen/hypercall (Linux 4.18 and later) has no ioctls: mmap of it gives
 * memory the kernel keeps resident and lets hypercalls read and write, the
 * buffers libxencall uses. Without it, mlock'd anonymous memory does.
 */
#ifndef PVABI_LINUX_PRIVCMD_H
#define PVABI_LINUX_PRIVCMD_H

#include <pvabi/types.h>

/* Linux's _IOC(_IOC_NONE, 'P', nr, size) on x86: size in bits 16-29, type in 8-15. */
#define PVABI_PRIVCMD_IOC(nr, size) ((((unsigned long)(size)) << 16) | ('P' << 8) | (nr))

/*
 * IOCTL_PRIVCMD_HYPERCALL: the kernel issues hypercall op with the five
 * arguments (pointers in them are our user addresses) and the ioctl returns
 * the hypercall's result: >= 0, or -1 with errno = -(Xen's error).
 */
struct privcmd_hypercall {
    uint64_t op;
    uint64_t arg[5];
};

/* One range of IOCTL_PRIVCMD_MMAP (the oldest mapping call). */
struct privcmd_mmap_entry {
    uint64_t va;
    uint64_t mfn;
    uint64_t npages;
};

struct privcmd_mmap {
    int num;
    domid_t dom;
    uint64_t entry;   /* user pointer to num struct privcmd_mmap_entry */
};

/* IOCTL_PRIVCMD_MMAPBATCH (v1): errors are flagged in arr's top nibble. */
struct privcmd_mmapbatch {
    int num;
    domid_t dom;
    uint64_t addr;    /* start of a VMA made by mmap of /dev/xen/privcmd */
    uint64_t arr;     /* user pointer to num xen_pfn_t */
};
#define PRIVCMD_MMAPBATCH_MFN_ERROR   0xf0000000u
#define PRIVCMD_MMAPBATCH_PAGED_ERROR 0x80000000u

/*
 * IOCTL_PRIVCMD_MMAPBATCH_V2: maps frame arr[i] of domain dom at
 * addr + i * 4096 (for a PV domain the frames are machine frames; the
 * kernel issues mmu_update with foreigndom = dom), writing a per-page
 * result (0 or -errno) to err[i]. addr..addr + num pages must be one VMA
 * from mmap(/dev/xen/privcmd, MAP_SHARED) that nothing was mapped into yet.
 * The ioctl fails with -1/ENOENT if some page was paged out, else with the
 * first error when every page failed.
 */
struct privcmd_mmapbatch_v2 {
    unsigned int num;
    domid_t dom;
    uint64_t addr;
    uint64_t arr;     /* user pointer to num const xen_pfn_t */
    uint64_t err;     /* user pointer to num int */
};

/* IOCTL_PRIVCMD_DM_OP: a device-model op; num = 0 is a probe that never reaches Xen. */
struct privcmd_dm_op_buf {
    uint64_t uptr;
    uint64_t size;
};
struct privcmd_dm_op {
    domid_t dom;
    uint16_t num;
    uint64_t ubufs;   /* user pointer to num struct privcmd_dm_op_buf */
};

/* IOCTL_PRIVCMD_MMAP_RESOURCE: XENMEM_acquire_resource, then map the frames at addr. */
struct privcmd_mmap_resource {
    domid_t dom;
    uint32_t type;
    uint32_t id;
    uint32_t idx;
    uint64_t num;
    uint64_t addr;
};

#define IOCTL_PRIVCMD_HYPERCALL     PVABI_PRIVCMD_IOC(0, sizeof(struct privcmd_hypercall))
#define IOCTL_PRIVCMD_MMAP          PVABI_PRIVCMD_IOC(2, sizeof(struct privcmd_mmap))
#define IOCTL_PRIVCMD_MMAPBATCH     PVABI_PRIVCMD_IOC(3, sizeof(struct privcmd_mmapbatch))
#define IOCTL_PRIVCMD_MMAPBATCH_V2  PVABI_PRIVCMD_IOC(4, sizeof(struct privcmd_mmapbatch_v2))
#define IOCTL_PRIVCMD_DM_OP         PVABI_PRIVCMD_IOC(5, sizeof(struct privcmd_dm_op))
#define IOCTL_PRIVCMD_RESTRICT      PVABI_PRIVCMD_IOC(6, sizeof(domid_t))
#define IOCTL_PRIVCMD_MMAP_RESOURCE PVABI_PRIVCMD_IOC(7, sizeof(struct privcmd_mmap_resource))
/* Never implemented: libraries probe with it at open time (ENOTTY). */
#define IOCTL_PRIVCMD_UNIMPLEMENTED PVABI_PRIVCMD_IOC(0xff, 0)

_Static_assert(sizeof(struct privcmd_hypercall) == 48, "privcmd_hypercall");
_Static_assert(sizeof(struct privcmd_mmap) == 16, "privcmd_mmap");
_Static_assert(sizeof(struct privcmd_mmapbatch) == 24, "privcmd_mmapbatch");
_Static_assert(sizeof(struct privcmd_mmapbatch_v2) == 32, "privcmd_mmapbatch_v2");
_Static_assert(offsetof(struct privcmd_mmapbatch_v2, dom) == 4, "privcmd_mmapbatch_v2.dom");
_Static_assert(offsetof(struct privcmd_mmapbatch_v2, addr) == 8, "privcmd_mmapbatch_v2.addr");
_Static_assert(offsetof(struct privcmd_mmapbatch_v2, err) == 24, "privcmd_mmapbatch_v2.err");
_Static_assert(sizeof(struct privcmd_dm_op) == 16, "privcmd_dm_op");
_Static_assert(sizeof(struct privcmd_mmap_resource) == 32, "privcmd_mmap_resource");
_Static_assert(offsetof(struct privcmd_mmap_resource, num) == 16, "privcmd_mmap_resource.num");

#endif
