/*
 * Commands that report on the host and every domain: info (physinfo and
 * the hypervisor's version), dmesg (its console ring), uptime, vcpu-list,
 * sched-credit. Output follows xl's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <pvabi/version.h>

#include "cmdtable.h"
#include "session.h"

static int flag_option(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'c' || opt == 's' || opt == 'n')
        *(bool *)ctx = true;
    return 0;
}

static int open_no_operands(const struct tl_command *cmd, int argc, char **argv, bool *flag,
                            struct tl_session *s, int *first)
{
    int exit_code;
    *first = tl_parse_options(cmd, argc, argv, flag_option, flag, &exit_code);
    if (*first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - *first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    return tl_session_open(s, what, true);
}

/* A xen_version string (extraversion, capabilities, commandline) into out. */
static void xen_version_string(struct tl_session *s, unsigned cmd, char *out, size_t size)
{
    char *buf = hc_buf_alloc(&s->hc, 1024);
    out[0] = 0;
    if (buf && hc_hypercall(&s->hc, __HYPERVISOR_xen_version, cmd, (uint64_t)(uintptr_t)buf,
                            0, 0, 0) >= 0)
        snprintf(out, size, "%.1023s", buf);
    hc_buf_free(&s->hc, buf, 1024);
}

static const char *scheduler_name(uint32_t id)
{
    switch (id) {
    case XEN_SCHEDULER_CREDIT: return "credit";
    case XEN_SCHEDULER_CREDIT2: return "credit2";
    case XEN_SCHEDULER_ARINC653: return "arinc653";
    case XEN_SCHEDULER_RTDS: return "rtds";
    case XEN_SCHEDULER_NULL: return "null";
    default: return "unknown";
    }
}

/* Pages every domain holds (tot_pages), for the hypervisor_memory row. */
static int all_domains_pages(struct tl_session *s, uint64_t *pages)
{
    struct xen_domctl_getdomaininfo *all = NULL;
    unsigned n = 0;
    if (xenctl_list_domains(&s->hc, &all, &n) < 0)
        return -1;
    *pages = 0;
    for (unsigned i = 0; i < n; i++)
        *pages += all[i].tot_pages;
    free(all);
    return 0;
}

int cmd_info(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool numa = false;
    int first, exit_code = open_no_operands(cmd, argc, argv, &numa, &s, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    struct xen_sysctl_physinfo pi;
    uint32_t sched = 0;
    if (xenctl_physinfo(&s.hc, &pi) < 0 || xenctl_sched_id(&s.hc, &sched) < 0) {
        exit_code = tl_hc_failed(&s);
        tl_session_close(&s);
        return exit_code;
    }
    long ver = hc_hypercall(&s.hc, __HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    char extra[1024], caps[1024], cmdline[1024];
    xen_version_string(&s, XENVER_extraversion, extra, sizeof(extra));
    xen_version_string(&s, XENVER_capabilities, caps, sizeof(caps));
    xen_version_string(&s, XENVER_commandline, cmdline, sizeof(cmdline));
    struct utsname u;
    uname(&u);
    unsigned major = ver > 0 ? (unsigned)(ver >> 16) : 0, minor = ver > 0 ? (unsigned)(ver & 0xffff) : 0;
#define ROW(key, fmt, ...) printf("%-23s: " fmt "\n", key, __VA_ARGS__)
    ROW("host", "%s", u.nodename);
    ROW("release", "%s", u.release);
    ROW("version", "%s", u.version);
    ROW("machine", "%s", u.machine);
    ROW("nr_cpus", "%u", pi.nr_cpus);
    ROW("max_cpu_id", "%u", pi.max_cpu_id);
    ROW("nr_nodes", "%u", pi.nr_nodes);
    ROW("cores_per_socket", "%u", pi.cores_per_socket);
    ROW("threads_per_core", "%u", pi.threads_per_core);
    ROW("cpu_mhz", "%u.%03u", pi.cpu_khz / 1000, pi.cpu_khz % 1000);
    ROW("hw_caps", "%08x:%08x:%08x:%08x:%08x:%08x:%08x:%08x", pi.hw_cap[0], pi.hw_cap[1],
        pi.hw_cap[2], pi.hw_cap[3], pi.hw_cap[4], pi.hw_cap[5], pi.hw_cap[6], pi.hw_cap[7]);
    ROW("virt_caps", "%s%s%s%s%s", pi.capabilities & XEN_SYSCTL_PHYSCAP_pv ? " pv" : "",
        pi.capabilities & XEN_SYSCTL_PHYSCAP_hvm ? " hvm" : "",
        pi.capabilities & XEN_SYSCTL_PHYSCAP_hap ? " hap" : "",
        pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v1 ? " gnttab-v1" : "",
        pi.capabilities & XEN_SYSCTL_PHYSCAP_gnttab_v2 ? " gnttab-v2" : "");
    ROW("total_memory", "%llu", (unsigned long long)(pi.total_pages >> 8));
    ROW("free_memory", "%llu", (unsigned long long)(pi.free_pages >> 8));
    ROW("outstanding_claims", "%llu", (unsigned long long)(pi.outstanding_pages >> 8));
    /* Not one of xl's rows: what is neither free nor any domain's own. */
    uint64_t domains_pages;
    if (all_domains_pages(&s, &domains_pages) == 0 && pi.total_pages >= pi.free_pages + domains_pages)
        ROW("hypervisor_memory", "%llu",
            (unsigned long long)((pi.total_pages - pi.free_pages - domains_pages) >> 8));
    ROW("xen_major", "%u", major);
    ROW("xen_minor", "%u", minor);
    ROW("xen_extra", "%s", extra);
    ROW("xen_version", "%u.%u%s", major, minor, extra);
    ROW("xen_caps", "%s", caps);
    ROW("xen_scheduler", "%s", scheduler_name(sched));
    ROW("xen_pagesize", "%d", 4096);
    ROW("xen_commandline", "%s", cmdline);
#undef ROW
    tl_session_close(&s);
    return TL_EXIT_OK;
}

int cmd_dmesg(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool clear = false;
    int first, exit_code = open_no_operands(cmd, argc, argv, &clear, &s, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    /* The whole ring in one read: Xen's default ring is 16 KiB, ours no larger than 1 MiB. */
    enum { SIZE = 1 << 20 };
    char *buf = malloc(SIZE);
    long n = buf ? xenctl_readconsole(&s.hc, buf, SIZE, clear) : -ENOMEM;
    if (n < 0)
        exit_code = tl_hc_failed(&s);
    else
        fwrite(buf, 1, (size_t)n, stdout);
    free(buf);
    tl_session_close(&s);
    return exit_code;
}

/* Every domain, or the named ones; NULL with exit code in *exit_code on failure. */
static struct xen_domctl_getdomaininfo *selected_domains(struct tl_session *s, int nr, char **names,
                                                         unsigned *n, int *exit_code)
{
    struct xen_domctl_getdomaininfo *all = NULL;
    *exit_code = TL_EXIT_OK;
    if (xenctl_list_domains(&s->hc, &all, n) < 0) {
        *exit_code = tl_hc_failed(s);
        return NULL;
    }
    if (nr == 0)
        return all;
    unsigned kept = 0;
    struct xen_domctl_getdomaininfo *sel = calloc((size_t)nr, sizeof(*sel));
    for (int i = 0; i < nr && sel; i++) {
        uint32_t id;
        if (tl_find_domain(s, names[i], &id) < 0) {
            *exit_code = TL_EXIT_FAILURE;
            continue;
        }
        for (unsigned j = 0; j < *n; j++)
            if (all[j].domain == id)
                sel[kept++] = all[j];
    }
    free(all);
    *n = kept;
    if (*exit_code != TL_EXIT_OK) {
        free(sel);
        return NULL;
    }
    return sel;
}

static uint64_t host_boot_time(void)
{
    double up = 0;
    FILE *f = fopen("/proc/uptime", "r");
    if (f) {
        if (fscanf(f, "%lf", &up) != 1)
            up = 0;
        fclose(f);
    }
    return (uint64_t)time(NULL) - (uint64_t)up;
}

int cmd_uptime(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool short_mode = false;
    int exit_code, first = tl_parse_options(cmd, argc, argv, flag_option, &short_mode, &exit_code);
    if (first < 0)
        return exit_code;
    if ((exit_code = tl_session_open(&s, "'uptime'", true)) != TL_EXIT_OK)
        return exit_code;
    unsigned n;
    struct xen_domctl_getdomaininfo *raw = selected_domains(&s, argc - first, argv + first, &n,
                                                            &exit_code);
    if (raw) {
        struct tl_dominfo *doms = calloc(n ? n : 1, sizeof(*doms));
        for (unsigned i = 0; i < n; i++) {
            tl_dominfo_fill(&s, &raw[i], &doms[i]);
            /* Domain 0 started with the host (no /vm/UUID/start_time of its own). */
            if (!doms[i].start_time && doms[i].domid == 0)
                doms[i].start_time = host_boot_time();
        }
        dominfo_print_uptime(stdout, doms, n, (uint64_t)time(NULL), short_mode);
        free(doms);
        free(raw);
    }
    tl_session_close(&s);
    return exit_code;
}

/* "all" when every CPU up to max_cpu_id is set, else ranges as xl prints them ("0-1,3"). */
static void format_cpumap(const uint8_t *map, unsigned nr_cpus, char *out, size_t size)
{
    size_t len = 0;
    unsigned set = 0;
    out[0] = 0;
    for (unsigned c = 0; c < nr_cpus; c++)
        set += (map[c / 8] >> (c % 8)) & 1;
    if (set == nr_cpus) {
        snprintf(out, size, "all");
        return;
    }
    for (unsigned c = 0; c < nr_cpus; c++) {
        if (!((map[c / 8] >> (c % 8)) & 1))
            continue;
        unsigned end = c;
        while (end + 1 < nr_cpus && ((map[(end + 1) / 8] >> ((end + 1) % 8)) & 1))
            end++;
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%u", len ? "," : "", c);
        if (end > c)
            len += (size_t)snprintf(out + len, len < size ? size - len : 0, "-%u", end);
        c = end;
    }
    if (!set)
        snprintf(out, size, "none");
}

int cmd_vcpu_list(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool unused = false;
    int exit_code, first = tl_parse_options(cmd, argc, argv, flag_option, &unused, &exit_code);
    if (first < 0)
        return exit_code;
    if ((exit_code = tl_session_open(&s, "'vcpu-list'", true)) != TL_EXIT_OK)
        return exit_code;
    unsigned n;
    struct xen_domctl_getdomaininfo *raw = selected_domains(&s, argc - first, argv + first, &n,
                                                            &exit_code);
    struct xen_sysctl_physinfo pi;
    if (raw && xenctl_physinfo(&s.hc, &pi) < 0) {
        exit_code = tl_hc_failed(&s);
        free(raw);
        raw = NULL;
    }
    if (raw) {
        printf("%-32s %5s %5s %5s %5s %9s %s\n", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
               "Affinity (Hard / Soft)");
        unsigned nr_cpus = pi.max_cpu_id + 1;
        for (unsigned i = 0; i < n; i++) {
            struct tl_dominfo di;
            tl_dominfo_fill(&s, &raw[i], &di);
            if (raw[i].max_vcpu_id == XEN_INVALID_MAX_VCPU_ID)
                continue;
            for (uint32_t v = 0; v <= raw[i].max_vcpu_id; v++) {
                struct xen_domctl_getvcpuinfo vi;
                uint8_t hard[DOMCFG_MAX_CPUS / 8] = { 0 }, soft[DOMCFG_MAX_CPUS / 8] = { 0 };
                char aff[256], soft_aff[256];
                if (xenctl_getvcpuinfo(&s.hc, di.domid, v, &vi) < 0 ||
                    xenctl_vcpu_affinity(&s.hc, di.domid, v, hard, soft, nr_cpus, false) < 0) {
                    exit_code = tl_hc_failed(&s);
                    continue;
                }
                format_cpumap(hard, nr_cpus, aff, sizeof(aff));
                format_cpumap(soft, nr_cpus, soft_aff, sizeof(soft_aff));
                char cpu[16];
                snprintf(cpu, sizeof(cpu), "%u", vi.cpu);
                printf("%-32s %5u %5u %5s   %c%c%c %9.1f  %s / %s\n", di.name, di.domid, v,
                       vi.online ? cpu : "-", vi.running ? 'r' : '-', vi.blocked ? 'b' : '-',
                       vi.online ? '-' : 'p', (double)vi.cpu_time / 1e9, aff, soft_aff);
            }
        }
        free(raw);
    }
    tl_session_close(&s);
    return exit_code;
}

struct sched_opts {
    const char *domain;
    int weight, cap;
    bool scheduler_wide;
};

static int sched_option(int opt, const char *arg, void *ctx)
{
    struct sched_opts *o = ctx;
    char *end;
    long v;
    switch (opt) {
    case 'd': o->domain = arg; break;
    case 'w':
    case 'c':
        v = strtol(arg, &end, 10);
        if (*end || v < (opt == 'w' ? 1 : 0) || v > 65535) {
            fprintf(stderr, "%s sched-credit: -%c %s: out of range\n", tl_progname, opt, arg);
            return TL_EXIT_USAGE;
        }
        if (opt == 'w')
            o->weight = (int)v;
        else
            o->cap = (int)v;
        break;
    case 's': case 't': case 'r': o->scheduler_wide = true; break;
    default: break;   /* -p POOL: there is one pool */
    }
    return 0;
}

int cmd_sched_credit(const struct tl_command *cmd, int argc, char **argv)
{
    struct sched_opts o = { .weight = -1, .cap = -1 };
    struct tl_session s;
    int exit_code, first = tl_parse_options(cmd, argc, argv, sched_option, &o, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    if (o.scheduler_wide) {
        fprintf(stderr, "%s sched-credit: -s/-t/-r (scheduler-wide parameters) are not supported\n",
                tl_progname);
        return TL_EXIT_FAILURE;
    }
    if ((o.weight >= 0 || o.cap >= 0) && !o.domain) {
        fprintf(stderr, "%s sched-credit: -w and -c need -d DOMAIN\n", tl_progname);
        return TL_EXIT_USAGE;
    }
    if ((exit_code = tl_session_open(&s, "'sched-credit'", true)) != TL_EXIT_OK)
        return exit_code;
    unsigned n;
    char *names[1] = { (char *)o.domain };
    struct xen_domctl_getdomaininfo *raw = selected_domains(&s, o.domain ? 1 : 0, names, &n,
                                                            &exit_code);
    if (raw && (o.weight >= 0 || o.cap >= 0)) {
        struct xen_domctl_sched_credit p;
        if (xenctl_sched_credit(&s.hc, raw[0].domain, &p, false) < 0) {
            exit_code = tl_hc_failed(&s);
        } else {
            if (o.weight >= 0)
                p.weight = (uint16_t)o.weight;
            if (o.cap >= 0)
                p.cap = (uint16_t)o.cap;
            if (xenctl_sched_credit(&s.hc, raw[0].domain, &p, true) < 0)
                exit_code = tl_hc_failed(&s);
        }
    } else if (raw) {
        printf("%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
        for (unsigned i = 0; i < n; i++) {
            struct tl_dominfo di;
            struct xen_domctl_sched_credit p;
            tl_dominfo_fill(&s, &raw[i], &di);
            if (xenctl_sched_credit(&s.hc, di.domid, &p, false) < 0) {
                exit_code = tl_hc_failed(&s);
                continue;
            }
            printf("%-33s %4u %6u %4u\n", di.name, di.domid, p.weight, p.cap);
        }
    }
    free(raw);
    tl_session_close(&s);
    return exit_code;
}
