/*
 * The privcmd hypercall layer (see hcall.h). The kernel passes our user
 * addresses to the hypervisor unchanged, so every structure a hypercall
 * reads or writes is in a hypercall buffer: a page the kernel will not page
 * out or move under the call.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <pvabi/linux/privcmd.h>
#include <pvabi/memory.h>
#include "hcall.h"

#define PAGE 4096ul

static size_t pages_of(size_t bytes)
{
    return (bytes + PAGE - 1) & ~(PAGE - 1);
}

int hc_fail(struct hc *h, int rc, const char *fmt, ...)
{
    char what[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(h->error, sizeof(h->error), "%s: %s", what, strerror(rc < 0 ? -rc : rc));
    return rc;
}

const char *hc_error(const struct hc *h)
{
    return h->error[0] ? h->error : "no error";
}

int hc_open(struct hc *h)
{
    memset(h, 0, sizeof(*h));
    h->buf_fd = -1;
    h->privcmd_fd = open("/dev/xen/privcmd", O_RDWR | O_CLOEXEC);
    if (h->privcmd_fd < 0)
        return hc_fail(h, -errno, "open /dev/xen/privcmd");
    /* Linux 4.18+; older kernels leave us to mlock our own pages. */
    h->buf_fd = open("/dev/xen/hypercall", O_RDWR | O_CLOEXEC);
    h->scratch = hc_buf_alloc(h, PAGE);
    if (!h->scratch) {
        int rc = hc_fail(h, -errno, "hypercall buffer");
        hc_close(h);
        return rc;
    }
    return 0;
}

void hc_close(struct hc *h)
{
    if (h->scratch)
        hc_buf_free(h, h->scratch, PAGE);
    if (h->buf_fd >= 0)
        close(h->buf_fd);
    if (h->privcmd_fd >= 0)
        close(h->privcmd_fd);
    h->scratch = NULL;
    h->buf_fd = h->privcmd_fd = -1;
}

void *hc_buf_alloc(struct hc *h, size_t bytes)
{
    size_t len = pages_of(bytes ? bytes : 1);
    void *p;

    if (h->buf_fd >= 0) {
        p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, h->buf_fd, 0);
        if (p != MAP_FAILED)
            return p;   /* the kernel's buffer pages come zeroed */
    }
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    /* A forked child must not take copy-on-write copies of pages a hypercall writes. */
    madvise(p, len, MADV_DONTFORK);
    if (mlock(p, len) < 0) {
        int e = errno;
        munmap(p, len);
        errno = e;
        return NULL;
    }
    return p;
}

void hc_buf_free(struct hc *h, void *p, size_t bytes)
{
    (void)h;
    if (p)
        munmap(p, pages_of(bytes ? bytes : 1));
}

long hc_hypercall(struct hc *h, unsigned op, uint64_t a0, uint64_t a1, uint64_t a2,
                  uint64_t a3, uint64_t a4)
{
    struct privcmd_hypercall call = { .op = op, .arg = { a0, a1, a2, a3, a4 } };
    long rc = ioctl(h->privcmd_fd, IOCTL_PRIVCMD_HYPERCALL, &call);
    return rc < 0 ? -errno : rc;
}

long hc_memory_op(struct hc *h, unsigned cmd, void *arg)
{
    /* The entry shares the scratch page's second half; callers keep their structs in the first. */
    struct multicall_entry *mc = (struct multicall_entry *)((char *)h->scratch + PAGE / 2);
    memset(mc, 0, sizeof(*mc));
    mc->op = __HYPERVISOR_memory_op;
    mc->args[0] = cmd;
    mc->args[1] = (uint64_t)(uintptr_t)arg;
    long rc = hc_hypercall(h, __HYPERVISOR_multicall, (uint64_t)(uintptr_t)mc, 1, 0, 0, 0);
    if (rc < 0)
        return rc;
    /* The memory_op's own result: a count, a frame number, or -errno. */
    return (long)mc->result;
}

void *hc_map_foreign(struct hc *h, domid_t dom, int prot, const xen_pfn_t *frames, size_t n)
{
    if (n == 0 || n > (1ul << 30) / PAGE) {
        hc_fail(h, -EINVAL, "foreign map of %zu frames of domain %u", n, dom);
        return NULL;
    }
    void *addr = mmap(NULL, n * PAGE, prot, MAP_SHARED, h->privcmd_fd, 0);
    if (addr == MAP_FAILED) {
        hc_fail(h, -errno, "mmap /dev/xen/privcmd for %zu frames", n);
        return NULL;
    }
    int *err = calloc(n, sizeof(*err));
    if (!err) {
        munmap(addr, n * PAGE);
        hc_fail(h, -ENOMEM, "foreign map");
        return NULL;
    }
    struct privcmd_mmapbatch_v2 batch = {
        .num = (unsigned)n, .dom = dom, .addr = (uint64_t)(uintptr_t)addr,
        .arr = (uint64_t)(uintptr_t)frames, .err = (uint64_t)(uintptr_t)err,
    };
    int rc = ioctl(h->privcmd_fd, IOCTL_PRIVCMD_MMAPBATCH_V2, &batch) < 0 ? -errno : 0;
    bool named = false;
    for (size_t i = 0; i < n; i++) {
        if (err[i]) {
            named = true;
            hc_fail(h, err[i], "IOCTL_PRIVCMD_MMAPBATCH_V2: domain %u frame %#lx (entry %zu of %zu)",
                    dom, (unsigned long)frames[i], i, n);
            rc = err[i];
            break;
        }
    }
    free(err);
    if (rc < 0) {
        if (!named)
            hc_fail(h, rc, "IOCTL_PRIVCMD_MMAPBATCH_V2: %zu frames of domain %u", n, dom);
        munmap(addr, n * PAGE);
        return NULL;
    }
    return addr;
}

void hc_unmap_foreign(void *addr, size_t n)
{
    if (addr)
        munmap(addr, n * PAGE);
}
