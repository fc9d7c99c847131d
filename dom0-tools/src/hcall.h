/*
 * Hypercalls from a control domain's userspace through Linux's
 * /dev/xen/privcmd, as libxencall and libxenforeignmemory make them:
 * arguments live in hypercall buffers (pages from /dev/xen/hypercall when
 * the kernel has it, else mlock'd anonymous memory, so the hypervisor never
 * meets a page that is not resident), memory_op goes inside a one-entry
 * multicall (the only way to get its full 64-bit result through the ioctl),
 * and foreign frames are mapped with IOCTL_PRIVCMD_MMAPBATCH_V2.
 *
 * Every call returns >= 0 or a negative errno, and a failure leaves a
 * sentence naming the call in hc_error() ("domctl createdomain: Operation
 * not permitted").
 */
#ifndef TL_HCALL_H
#define TL_HCALL_H

#include <stddef.h>
#include <stdint.h>
#include <pvabi/xen.h>

struct hc {
    int privcmd_fd;
    int buf_fd;          /* /dev/xen/hypercall, or -1: mlock'd memory */
    void *scratch;       /* one hypercall page for small argument structs */
    char error[256];
};

/* Opens /dev/xen/privcmd (-ENOENT when there is none: not a control domain). */
int hc_open(struct hc *h);
void hc_close(struct hc *h);
const char *hc_error(const struct hc *h);
/* Records "what: strerror(-rc)" as the last error; returns rc. */
int hc_fail(struct hc *h, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Hypercall-safe memory: whole pages, zeroed. NULL on failure (errno set). */
void *hc_buf_alloc(struct hc *h, size_t bytes);
void hc_buf_free(struct hc *h, void *p, size_t bytes);

/* The raw ioctl: the hypercall's result, or -errno. Pointers must be hypercall buffers. */
long hc_hypercall(struct hc *h, unsigned op, uint64_t a0, uint64_t a1, uint64_t a2,
                  uint64_t a3, uint64_t a4);

/* XENMEM_* cmd with arg (a hypercall buffer) inside a one-entry multicall. */
long hc_memory_op(struct hc *h, unsigned cmd, void *arg);

/*
 * Maps frames[0..n) of domain dom (machine frames for a PV domain)
 * contiguously; NULL on failure with the first failing index in the error.
 * Unmap with hc_unmap_foreign.
 */
void *hc_map_foreign(struct hc *h, domid_t dom, int prot, const xen_pfn_t *frames, size_t n);
void hc_unmap_foreign(void *addr, size_t n);

#endif
