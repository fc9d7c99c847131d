/*
 * privcmd-trace.so: an LD_PRELOAD library that prints what a dom0 program
 * asks of the hypervisor through Linux's Xen devices. It wraps ioctl() and,
 * for the calls on /dev/xen/privcmd, /dev/xen/evtchn and /dev/xen/gntdev,
 * writes one line per call after it returns:
 *
 *   PCT <pid> <comm> <call> <sub-op> [details] = <result>
 *
 * <call> is the hypercall (domctl, sysctl, xen_version, multicall>memory_op
 * for a memory_op issued as a one-entry multicall, ...) or the ioctl
 * (ioctl:PRIVCMD_MMAPBATCH_V2, ...); <sub-op> the domctl/sysctl/memory_op
 * command by Xen's name and number; details the interface version, the
 * target domain and what the hypervisor wrote back where that matters
 * (getdomaininfo's domain, createdomain's new id); <result> "ok" or
 * "ok:<value>" for a success and the errno's name for a failure. A process
 * also prints "PCT <pid> <comm> exec <command line>" at its first call, so a
 * trace can be split by command (compare.py).
 *
 * Environment: PRIVCMD_TRACE=FILE appends the lines to FILE (default:
 * stderr); PRIVCMD_TRACE_ANY_FD=1 decodes ioctls on any file descriptor
 * (the host self-test, which has no /dev/xen).
 *
 * The layouts decoded are Xen 4.17's public ones (interface version 0x15)
 * and Linux's privcmd uapi; only the leading fields of each structure are
 * read. Docs: docs/xen-tools.md.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Linux's privcmd ioctl argument (include/uapi/xen/privcmd.h). */
struct trace_hypercall {
    uint64_t op;
    uint64_t arg[5];
};

/* Xen's multicall_entry (xen.h). */
struct trace_multicall_entry {
    uint64_t op;
    uint64_t result;
    uint64_t args[6];
};

enum {
    HC_MEMORY_OP = 12, HC_MULTICALL = 13, HC_XEN_VERSION = 17,
    HC_MMUEXT_OP = 26, HC_XSM_OP = 27, HC_EVENT_CHANNEL_OP = 32,
    HC_SYSCTL = 35, HC_DOMCTL = 36,
};

struct name {
    unsigned int nr;
    const char *name;
};

static const struct name hypercall_names[] = {
    {0, "set_trap_table"}, {1, "mmu_update"}, {2, "set_gdt"}, {7, "platform_op"},
    {12, "memory_op"}, {13, "multicall"}, {14, "update_va_mapping"},
    {17, "xen_version"}, {18, "console_io"}, {20, "grant_table_op"},
    {24, "vcpu_op"}, {26, "mmuext_op"}, {27, "xsm_op"}, {29, "sched_op"},
    {32, "event_channel_op"}, {33, "physdev_op"}, {34, "hvm_op"}, {35, "sysctl"},
    {36, "domctl"}, {37, "kexec_op"}, {39, "argo_op"}, {41, "dm_op"}, {42, "hypfs_op"},
};

static const struct name domctl_names[] = {
    {1, "createdomain"}, {2, "destroydomain"}, {3, "pausedomain"}, {4, "unpausedomain"},
    {5, "getdomaininfo"}, {9, "setvcpuaffinity"}, {10, "shadow_op"}, {11, "max_mem"},
    {12, "setvcpucontext"}, {13, "getvcpucontext"}, {14, "getvcpuinfo"}, {15, "max_vcpus"},
    {16, "scheduler_op"}, {17, "setdomainhandle"}, {18, "setdebugging"},
    {19, "irq_permission"}, {20, "iomem_permission"}, {21, "ioport_permission"},
    {22, "hypercall_init"}, {23, "soft_reset_cont"}, {24, "settimeoffset"},
    {25, "getvcpuaffinity"}, {27, "resumedomain"}, {28, "sendtrigger"}, {29, "subscribe"},
    {33, "gethvmcontext"}, {34, "sethvmcontext"}, {35, "set_address_size"},
    {36, "get_address_size"}, {37, "assign_device"}, {38, "bind_pt_irq"},
    {39, "memory_mapping"}, {40, "ioport_mapping"}, {42, "set_ext_vcpucontext"},
    {43, "get_ext_vcpucontext"}, {44, "set_opt_feature"}, {45, "test_assign_device"},
    {46, "set_target"}, {47, "deassign_device"}, {48, "unbind_pt_irq"},
    {50, "get_device_group"}, {54, "debug_op"}, {55, "gethvmcontext_partial"},
    {56, "vm_event_op"}, {57, "mem_sharing_op"}, {59, "gettscinfo"}, {60, "settscinfo"},
    {61, "getpageframeinfo3"}, {62, "setvcpuextstate"}, {63, "getvcpuextstate"},
    {64, "set_access_required"}, {65, "audit_p2m"}, {66, "set_virq_handler"},
    {67, "set_broken_page_p2m"}, {68, "setnodeaffinity"}, {69, "getnodeaffinity"},
    {71, "cacheflush"}, {72, "get_vcpu_msrs"}, {73, "set_vcpu_msrs"}, {74, "setvnumainfo"},
    {75, "psr_cmt_op"}, {77, "monitor_op"}, {78, "psr_alloc"}, {79, "soft_reset"},
    {81, "vuart_op"}, {82, "get_cpu_policy"}, {83, "set_cpu_policy"}, {84, "vmtrace_op"},
    {85, "get_paging_mempool_size"}, {86, "set_paging_mempool_size"},
};

static const struct name sysctl_names[] = {
    {1, "readconsole"}, {2, "tbuf_op"}, {3, "physinfo"}, {4, "sched_id"}, {5, "perfc_op"},
    {6, "getdomaininfolist"}, {7, "debug_keys"}, {8, "getcpuinfo"}, {9, "availheap"},
    {10, "get_pmstat"}, {11, "cpu_hotplug"}, {12, "pm_op"}, {14, "page_offline_op"},
    {15, "lockprof_op"}, {16, "cputopoinfo"}, {17, "numainfo"}, {18, "cpupool_op"},
    {19, "scheduler_op"}, {20, "coverage_op"}, {21, "psr_cmt_op"}, {22, "pcitopoinfo"},
    {23, "psr_alloc"}, {25, "get_cpu_levelling_caps"}, {26, "get_cpu_featureset"},
    {27, "livepatch_op"}, {29, "get_cpu_policy"},
};

static const struct name memory_op_names[] = {
    {0, "increase_reservation"}, {1, "decrease_reservation"}, {2, "maximum_ram_page"},
    {3, "current_reservation"}, {4, "maximum_reservation"}, {5, "machphys_mfn_list"},
    {6, "populate_physmap"}, {7, "add_to_physmap"}, {9, "memory_map"},
    {10, "machine_memory_map"}, {11, "exchange"}, {12, "machphys_mapping"},
    {13, "set_memory_map"}, {14, "maximum_gpfn"}, {15, "remove_from_physmap"},
    {16, "set_pod_target"}, {17, "get_pod_target"}, {18, "get_sharing_freed_pages"},
    {19, "get_sharing_shared_pages"}, {20, "paging_op"}, {21, "access_op"},
    {22, "sharing_op"}, {23, "add_to_physmap_batch"}, {24, "claim_pages"},
    {25, "machphys_compat_mfn_list"}, {26, "get_vnumainfo"},
    {27, "reserved_device_memory_map"}, {28, "acquire_resource"},
};

static const struct name xen_version_names[] = {
    {0, "version"}, {1, "extraversion"}, {2, "compile_info"}, {3, "capabilities"},
    {4, "changeset"}, {5, "platform_parameters"}, {6, "get_features"}, {7, "pagesize"},
    {8, "guest_handle"}, {9, "commandline"}, {10, "build_id"},
};

static const struct name evtchn_op_names[] = {
    {0, "bind_interdomain"}, {1, "bind_virq"}, {2, "bind_pirq"}, {3, "close"}, {4, "send"},
    {5, "status"}, {6, "alloc_unbound"}, {7, "bind_ipi"}, {8, "bind_vcpu"}, {9, "unmask"},
    {10, "reset"}, {11, "init_control"}, {12, "expand_array"}, {13, "set_priority"},
};

static const struct name mmuext_names[] = {
    {0, "PIN_L1_TABLE"}, {1, "PIN_L2_TABLE"}, {2, "PIN_L3_TABLE"}, {3, "PIN_L4_TABLE"},
    {4, "UNPIN_TABLE"}, {5, "NEW_BASEPTR"}, {6, "TLB_FLUSH_LOCAL"}, {15, "NEW_USER_BASEPTR"},
    {16, "CLEAR_PAGE"}, {17, "COPY_PAGE"},
};

static const struct name flask_names[] = {
    {1, "LOAD"}, {2, "GETENFORCE"}, {3, "SETENFORCE"}, {4, "CONTEXT_TO_SID"},
    {5, "SID_TO_CONTEXT"}, {6, "ACCESS"},
};

/* ioctl numbers by device letter and number (Linux's uapi headers). */
static const struct name privcmd_ioctl_names[] = {
    {0, "PRIVCMD_HYPERCALL"}, {2, "PRIVCMD_MMAP"}, {3, "PRIVCMD_MMAPBATCH"},
    {4, "PRIVCMD_MMAPBATCH_V2"}, {5, "PRIVCMD_DM_OP"}, {6, "PRIVCMD_RESTRICT"},
    {7, "PRIVCMD_MMAP_RESOURCE"}, {0xff, "PRIVCMD_UNIMPLEMENTED"},
};

static const struct name evtchn_ioctl_names[] = {
    {0, "EVTCHN_BIND_VIRQ"}, {1, "EVTCHN_BIND_INTERDOMAIN"}, {2, "EVTCHN_BIND_UNBOUND_PORT"},
    {3, "EVTCHN_UNBIND"}, {4, "EVTCHN_NOTIFY"}, {5, "EVTCHN_RESET"},
    {6, "EVTCHN_RESTRICT_DOMID"},
};

static const struct name gntdev_ioctl_names[] = {
    {0, "GNTDEV_MAP_GRANT_REF"}, {1, "GNTDEV_UNMAP_GRANT_REF"},
    {2, "GNTDEV_GET_OFFSET_FOR_VADDR"}, {3, "GNTDEV_SET_MAX_GRANTS"},
    {7, "GNTDEV_SET_UNMAP_NOTIFY"}, {8, "GNTDEV_GRANT_COPY"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *lookup(const struct name *t, size_t n, unsigned int nr)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].nr == nr)
            return t[i].name;
    return "?";
}
#define NAME(table, nr) lookup(table, COUNT(table), (unsigned int)(nr))

/* One line, written with one write() so lines of concurrent processes and
 * threads stay whole in a file opened O_APPEND. */
struct line {
    char buf[1024];
    size_t len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct line *l, const char *fmt, ...)
{
    if (l->len >= sizeof(l->buf))
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n;
    if (l->len >= sizeof(l->buf))
        l->len = sizeof(l->buf) - 1;
}

static int trace_fd = -1;
static int exec_printed;

static void emit(struct line *l)
{
    if (l->len >= sizeof(l->buf) - 1)
        l->len = sizeof(l->buf) - 2;
    l->buf[l->len++] = '\n';
    ssize_t r = write(trace_fd >= 0 ? trace_fd : 2, l->buf, l->len);
    (void)r;
}

static void begin(struct line *l)
{
    l->len = 0;
    add(l, "PCT %d %s ", (int)getpid(), program_invocation_short_name);
}

/* The command line, once per process (a fork shares the parent's flag, so
 * a child prints its own pid's line through the pid check). */
static void print_exec(void)
{
    static pid_t printed_for;
    if (exec_printed && printed_for == getpid())
        return;
    exec_printed = 1;
    printed_for = getpid();
    struct line l;
    begin(&l);
    add(&l, "exec");
    int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char cmd[512];
        ssize_t n = read(fd, cmd, sizeof(cmd) - 1);
        close(fd);
        while (n > 0 && cmd[n - 1] == '\0')
            n--;
        for (ssize_t i = 0; i < n; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        if (n > 0) {
            cmd[n] = '\0';
            add(&l, " %s", cmd);
        }
    }
    emit(&l);
}

static void add_result(struct line *l, long ret, int err)
{
    if (ret < 0) {
        const char *e = strerrorname_np(err);
        add(l, " = %s", e ? e : "?");
    } else if (ret == 0) {
        add(l, " = ok");
    } else {
        add(l, " = ok:%ld", ret);
    }
}

/* A Xen error code in a multicall entry's result (-errno, as a long). */
static void add_xen_result(struct line *l, uint64_t result)
{
    int64_t r = (int64_t)result;
    if (r < 0 && r > -4096) {
        const char *e = strerrorname_np((int)-r);
        add(l, " = %s", e ? e : "?");
    } else if (r == 0) {
        add(l, " = ok");
    } else {
        add(l, " = ok:%lld", (long long)r);
    }
}

static uint16_t rd16(const void *p, size_t off)
{
    uint16_t v;
    memcpy(&v, (const char *)p + off, sizeof(v));
    return v;
}

static uint32_t rd32(const void *p, size_t off)
{
    uint32_t v;
    memcpy(&v, (const char *)p + off, sizeof(v));
    return v;
}

static uint64_t rd64(const void *p, size_t off)
{
    uint64_t v;
    memcpy(&v, (const char *)p + off, sizeof(v));
    return v;
}

/* struct xen_domctl: cmd, interface_version, domain, then the union at 16. */
static void domctl_before(struct line *l, const void *d)
{
    uint32_t cmd = rd32(d, 0);
    add(l, "domctl %s(%u)", NAME(domctl_names, cmd), cmd);
    if (cmd == 16) /* scheduler_op: sched_id, cmd */
        add(l, " sched=%u op=%s", rd32(d, 16), rd32(d, 20) ? "getinfo" : "putinfo");
    if (cmd == 10) /* shadow_op: op */
        add(l, " op=%u", rd32(d, 16));
    add(l, " v=%#x dom=%u", rd32(d, 4), rd16(d, 8));
}

static void domctl_after(struct line *l, const void *d, long ret)
{
    uint32_t cmd = rd32(d, 0);
    if (ret == 0 && (cmd == 1 || cmd == 5))
        add(l, " out_dom=%u", rd16(d, 8));
}

/* struct xen_sysctl: cmd, interface_version, then the union at 8. */
static void sysctl_before(struct line *l, const void *s)
{
    uint32_t cmd = rd32(s, 0);
    add(l, "sysctl %s(%u)", NAME(sysctl_names, cmd), cmd);
    if (cmd == 18) /* cpupool_op: op, cpupool_id */
        add(l, " op=%u pool=%u", rd32(s, 8), rd32(s, 12));
    if (cmd == 6) /* getdomaininfolist: first_domain, max_domains */
        add(l, " first=%u max=%u", rd16(s, 8), rd32(s, 12));
    if (cmd == 26 || cmd == 29) /* get_cpu_featureset, get_cpu_policy: index */
        add(l, " index=%u", rd32(s, 8));
    add(l, " v=%#x", rd32(s, 4));
}

static void sysctl_after(struct line *l, const void *s, long ret)
{
    if (ret == 0 && rd32(s, 0) == 6) /* num_domains, after the buffer handle */
        add(l, " got=%u", rd32(s, 24));
}

/* memory_op's argument: the domain where its structure has one. */
static void memory_op_args(struct line *l, uint64_t cmd, const void *arg)
{
    cmd &= 0xffff; /* the upper bits carry a continuation's start extent */
    add(l, " %s(%llu)", NAME(memory_op_names, cmd), (unsigned long long)cmd);
    if (!arg)
        return;
    switch (cmd) {
    case 0: case 1: case 6: case 24: /* xen_memory_reservation */
        add(l, " dom=%u nr=%llu order=%u", rd16(arg, 24),
            (unsigned long long)rd64(arg, 8), rd32(arg, 16));
        break;
    case 3: case 4: case 14: case 13: case 26: /* a domid first */
        add(l, " dom=%u", rd16(arg, 0));
        break;
    default:
        break;
    }
}

static void hypercall_before(struct line *l, const struct trace_hypercall *h)
{
    const void *a0 = (const void *)(uintptr_t)h->arg[0];
    const void *a1 = (const void *)(uintptr_t)h->arg[1];
    switch (h->op) {
    case HC_DOMCTL:
        if (a0) domctl_before(l, a0); else add(l, "domctl null");
        break;
    case HC_SYSCTL:
        if (a0) sysctl_before(l, a0); else add(l, "sysctl null");
        break;
    case HC_XEN_VERSION:
        add(l, "xen_version %s(%llu)", NAME(xen_version_names, h->arg[0]),
            (unsigned long long)h->arg[0]);
        break;
    case HC_MEMORY_OP:
        add(l, "memory_op");
        memory_op_args(l, h->arg[0], a1);
        break;
    case HC_MULTICALL: {
        const struct trace_multicall_entry *e = a0;
        if (e && h->arg[1] == 1 && e->op == HC_MEMORY_OP) {
            add(l, "multicall>memory_op");
            memory_op_args(l, e->args[0], (const void *)(uintptr_t)e->args[1]);
        } else {
            add(l, "multicall n=%llu first=%s", (unsigned long long)h->arg[1],
                e ? NAME(hypercall_names, e->op) : "none");
        }
        break;
    }
    case HC_EVENT_CHANNEL_OP:
        add(l, "event_channel_op %s(%llu)", NAME(evtchn_op_names, h->arg[0]),
            (unsigned long long)h->arg[0]);
        if (a1 && (h->arg[0] == 5 || h->arg[0] == 6)) /* status, alloc_unbound */
            add(l, " dom=%u", rd16(a1, 0));
        break;
    case HC_MMUEXT_OP:
        add(l, "mmuext_op %s(%u) n=%llu foreigndom=%llu",
            a0 ? NAME(mmuext_names, rd32(a0, 0)) : "none", a0 ? rd32(a0, 0) : 0,
            (unsigned long long)h->arg[1], (unsigned long long)h->arg[3]);
        break;
    case HC_XSM_OP:
        add(l, "xsm_op");
        if (a0)
            add(l, " FLASK_%s(%u) v=%u", NAME(flask_names, rd32(a0, 0)), rd32(a0, 0),
                rd32(a0, 4));
        break;
    default:
        add(l, "%s(%llu) -", NAME(hypercall_names, h->op), (unsigned long long)h->op);
        break;
    }
}

static void hypercall_after(struct line *l, const struct trace_hypercall *h, long ret, int err)
{
    const void *a0 = (const void *)(uintptr_t)h->arg[0];
    if (h->op == HC_DOMCTL && a0)
        domctl_after(l, a0, ret);
    if (h->op == HC_SYSCTL && a0)
        sysctl_after(l, a0, ret);
    if (h->op == HC_MULTICALL && ret == 0 && a0 && h->arg[1] == 1) {
        /* The call's own result is in the entry; the hypercall says 0. */
        add_xen_result(l, ((const struct trace_multicall_entry *)a0)->result);
        return;
    }
    add_result(l, ret, err);
}

/* Which Xen device, if any, a descriptor is: 'P', 'E', 'G' or 0. */
static char device_of(int fd)
{
    if (getenv("PRIVCMD_TRACE_ANY_FD"))
        return '*';
    char path[64], target[64];
    snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(path, target, sizeof(target) - 1);
    if (n <= 0)
        return 0;
    target[n] = '\0';
    if (!strcmp(target, "/dev/xen/privcmd") || !strcmp(target, "/proc/xen/privcmd"))
        return 'P';
    if (!strcmp(target, "/dev/xen/evtchn"))
        return 'E';
    if (!strcmp(target, "/dev/xen/gntdev"))
        return 'G';
    return 0;
}

static void ioctl_details(struct line *l, unsigned int nr, const void *arg)
{
    if (!arg)
        return;
    switch (nr) {
    case 4: /* mmapbatch_v2: num u32, dom u16 */
        add(l, " num=%u dom=%u", rd32(arg, 0), rd16(arg, 4));
        break;
    case 5: /* dm_op: dom u16, num u16 */
        add(l, " dom=%u num=%u", rd16(arg, 0), rd16(arg, 2));
        break;
    case 7: /* mmap_resource: dom u16, type, id, idx, num */
        add(l, " dom=%u type=%u id=%u idx=%u num=%llu", rd16(arg, 0), rd32(arg, 4),
            rd32(arg, 8), rd32(arg, 12), (unsigned long long)rd64(arg, 16));
        break;
    default:
        break;
    }
}

typedef int ioctl_fn(int, unsigned long, ...);

int ioctl(int fd, unsigned long request, ...)
{
    static ioctl_fn *real;
    if (!real) {
        real = (ioctl_fn *)dlsym(RTLD_NEXT, "ioctl");
        const char *file = getenv("PRIVCMD_TRACE");
        if (file && trace_fd < 0)
            trace_fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    }
    va_list ap;
    va_start(ap, request);
    void *arg = va_arg(ap, void *);
    va_end(ap);

    char type = (char)((request >> 8) & 0xff);   /* _IOC_TYPE */
    unsigned int nr = request & 0xff;            /* _IOC_NR */
    char dev = (type == 'P' || type == 'E' || type == 'G') ? device_of(fd) : 0;
    if (!dev || (dev != '*' && dev != type)) {
        return real(fd, request, arg);
    }
    int saved = errno;
    print_exec();
    errno = saved;

    struct line l;
    begin(&l);
    if (type == 'P' && nr == 0 && arg) {
        /* Decoded before the call: the hypervisor may change the fields. */
        const struct trace_hypercall *h = arg;
        hypercall_before(&l, h);
        long ret = real(fd, request, arg);
        int err = errno;
        hypercall_after(&l, h, ret, err);
        emit(&l);
        errno = err;
        return (int)ret;
    }
    const char *name = type == 'P' ? NAME(privcmd_ioctl_names, nr)
                     : type == 'E' ? NAME(evtchn_ioctl_names, nr)
                                   : NAME(gntdev_ioctl_names, nr);
    add(&l, "ioctl:%s", name);
    ioctl_details(&l, type == 'P' ? nr : 0x100, arg);
    long ret = real(fd, request, arg);
    int err = errno;
    add_result(&l, ret, err);
    emit(&l);
    errno = err;
    return (int)ret;
}
