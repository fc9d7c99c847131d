/*
 * Commands that ask or tell a running domain to change: shutdown and
 * reboot (control/shutdown, which the guest's xenbus driver acts on; -w
 * waits for the domain to go), mem-set (memory/target, which Linux's
 * balloon driver follows), mem-max (max_mem and memory/static-max),
 * vcpu-set (cpu/N/availability), vcpu-pin (hard affinity).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "domain_build.h"
#include "domain_life.h"
#include "session.h"

struct shutdown_opts {
    bool all, wait;
};

static int shutdown_option(int opt, const char *arg, void *ctx)
{
    struct shutdown_opts *o = ctx;
    (void)arg;
    if (opt == 'a')
        o->all = true;
    else if (opt == 'w')
        o->wait = true;
    return 0;
}

static int xs_write_str(struct tl_session *s, const char *path, const char *value)
{
    return xs_write(s->xs, XBT_NULL, path, value, (unsigned)strlen(value)) ? 0 : -errno;
}

static int shutdown_or_reboot(const struct tl_command *cmd, int argc, char **argv, const char *req)
{
    struct shutdown_opts o = { 0 };
    struct tl_session s;
    int exit_code, first = tl_parse_options(cmd, argc, argv, shutdown_option, &o, &exit_code);
    if (first < 0)
        return exit_code;
    if (!o.all && first == argc) {
        fprintf(stderr, "%s %s: give -a or a domain\n", tl_progname, cmd->name);
        tl_print_usage(cmd, stderr);
        return TL_EXIT_USAGE;
    }
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    if ((exit_code = tl_session_open(&s, what, true)) != TL_EXIT_OK)
        return exit_code;

    uint32_t *ids = NULL;
    unsigned n = 0;
    if (o.all) {
        struct xen_domctl_getdomaininfo *all;
        unsigned nall;
        if (xenctl_list_domains(&s.hc, &all, &nall) < 0) {
            exit_code = tl_hc_failed(&s);
            tl_session_close(&s);
            return exit_code;
        }
        ids = calloc(nall ? nall : 1, sizeof(*ids));
        for (unsigned i = 0; i < nall; i++)
            if (all[i].domain != 0 && !(all[i].flags & XEN_DOMINF_dying))
                ids[n++] = all[i].domain;
        free(all);
    } else {
        ids = calloc((size_t)(argc - first), sizeof(*ids));
        for (int i = first; i < argc; i++) {
            if (tl_find_domain(&s, argv[i], &ids[n]) < 0)
                exit_code = TL_EXIT_FAILURE;
            else
                n++;
        }
    }
    for (unsigned i = 0; i < n; i++) {
        char path[64];
        snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", ids[i]);
        if (xs_write_str(&s, path, req) < 0) {
            fprintf(stderr, "%s %s: domain %u: xenstore write of %s: %s\n", tl_progname, cmd->name,
                    ids[i], path, strerror(errno));
            exit_code = TL_EXIT_FAILURE;
            ids[i] = DOMID_INVALID;
        }
    }
    /* The domain's monitor (tl create's child) destroys or restarts it once it has shut down. */
    for (unsigned i = 0; o.wait && i < n; i++) {
        if (ids[i] == DOMID_INVALID)
            continue;
        if (domain_wait_gone(&s, ids[i], 300000) < 0) {
            fprintf(stderr, "%s %s: domain %u is still there after 300 s\n", tl_progname, cmd->name,
                    ids[i]);
            exit_code = TL_EXIT_FAILURE;
        } else {
            fprintf(stderr, "Domain %u has been shut down, reason code %d\n", ids[i],
                    strcmp(req, "reboot") ? 0 : 1);
        }
    }
    free(ids);
    tl_session_close(&s);
    return exit_code;
}

int cmd_shutdown(const struct tl_command *cmd, int argc, char **argv)
{
    return shutdown_or_reboot(cmd, argc, argv, "poweroff");
}

int cmd_reboot(const struct tl_command *cmd, int argc, char **argv)
{
    return shutdown_or_reboot(cmd, argc, argv, "reboot");
}

/* xl's sizes: a number with an optional k/m/g/t suffix, megabytes without one. */
static int64_t parse_mem_kb(const char *s)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || v < 0 || end == s || strlen(end) > 1)
        return -1;
    switch (tolower((unsigned char)*end)) {
    case 't': v <<= 10; /* fall through */
    case 'g': v <<= 10; /* fall through */
    case '\0':
    case 'm': v <<= 10; /* fall through */
    case 'k': break;
    default: return -1;
    }
    return v;
}

/* Parses the options, opens a session, finds the domain in the first operand. */
static int open_domain_cmd(const struct tl_command *cmd, int argc, char **argv,
                           struct tl_session *s, uint32_t *domid, int *first)
{
    int exit_code;
    *first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (*first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - *first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    if ((exit_code = tl_session_open(s, what, true)) != TL_EXIT_OK)
        return exit_code;
    if (tl_find_domain(s, argv[*first], domid) < 0) {
        tl_session_close(s);
        return TL_EXIT_FAILURE;
    }
    return TL_EXIT_OK;
}

static int64_t read_number(struct tl_session *s, uint32_t domid, const char *leaf)
{
    char path[96];
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, leaf);
    char *v = xs_read(s->xs, XBT_NULL, path, NULL);
    int64_t n = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return n;
}

static int write_number(struct tl_session *s, uint32_t domid, const char *leaf, int64_t n)
{
    char path[96], value[32];
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, leaf);
    snprintf(value, sizeof(value), "%lld", (long long)n);
    return xs_write_str(s, path, value);
}

int cmd_mem_set(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    uint32_t domid;
    int first, exit_code = open_domain_cmd(cmd, argc, argv, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    int64_t kb = parse_mem_kb(argv[first + 1]), max = read_number(&s, domid, "memory/static-max");
    if (kb <= 0) {
        fprintf(stderr, "%s mem-set: invalid memory size '%s'\n", tl_progname, argv[first + 1]);
        exit_code = TL_EXIT_USAGE;
    } else if (max > 0 && kb > max) {
        fprintf(stderr, "%s mem-set: %lld KiB is above the domain's maximum (%lld KiB): use mem-max "
                "first\n", tl_progname, (long long)kb, (long long)max);
        exit_code = TL_EXIT_FAILURE;
    } else if (write_number(&s, domid, "memory/target", kb) < 0) {
        fprintf(stderr, "%s mem-set: xenstore: %s\n", tl_progname, strerror(errno));
        exit_code = TL_EXIT_FAILURE;
    }
    tl_session_close(&s);
    return exit_code;
}

int cmd_mem_max(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    uint32_t domid;
    int first, exit_code = open_domain_cmd(cmd, argc, argv, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    int64_t kb = parse_mem_kb(argv[first + 1]);
    if (kb <= 0) {
        fprintf(stderr, "%s mem-max: invalid memory size '%s'\n", tl_progname, argv[first + 1]);
        exit_code = TL_EXIT_USAGE;
    } else if (xenctl_max_mem(&s.hc, domid, (uint64_t)kb + TL_MAXMEM_SLACK_KB) < 0) {
        exit_code = tl_hc_failed(&s);
    } else if (write_number(&s, domid, "memory/static-max", kb) < 0) {
        fprintf(stderr, "%s mem-max: xenstore: %s\n", tl_progname, strerror(errno));
        exit_code = TL_EXIT_FAILURE;
    }
    tl_session_close(&s);
    return exit_code;
}

int cmd_vcpu_set(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    uint32_t domid;
    int first, exit_code = open_domain_cmd(cmd, argc, argv, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    char *end;
    long want = strtol(argv[first + 1], &end, 10);
    struct xen_domctl_getdomaininfo info;
    if (*end || want < 1) {
        fprintf(stderr, "%s vcpu-set: invalid vCPU count '%s'\n", tl_progname, argv[first + 1]);
        exit_code = TL_EXIT_USAGE;
    } else if (xenctl_domain_info(&s.hc, domid, &info) < 0) {
        exit_code = tl_hc_failed(&s);
    } else if ((uint32_t)want > info.max_vcpu_id + 1u) {
        fprintf(stderr, "%s vcpu-set: domain %u has at most %u vCPUs\n", tl_progname, domid,
                info.max_vcpu_id + 1);
        exit_code = TL_EXIT_FAILURE;
    } else {
        for (uint32_t v = 0; v <= info.max_vcpu_id; v++) {
            char path[96];
            snprintf(path, sizeof(path), "/local/domain/%u/cpu/%u/availability", domid, v);
            if (xs_write_str(&s, path, v < (uint32_t)want ? "online" : "offline") < 0) {
                fprintf(stderr, "%s vcpu-set: xenstore write of %s: %s\n", tl_progname, path,
                        strerror(errno));
                exit_code = TL_EXIT_FAILURE;
            }
        }
    }
    tl_session_close(&s);
    return exit_code;
}

/* A CPU list operand of vcpu-pin: "-" (or none) leaves that affinity alone. */
static int pin_map(const char *arg, uint8_t bytes[DOMCFG_MAX_CPUS / 8], bool *given)
{
    uint64_t map[DOMCFG_MAX_CPUS / 64];
    *given = arg && strcmp(arg, "-");
    if (!*given)
        return 0;
    if (domcfg_cpumap_parse(arg, map) < 0)
        return -1;
    memcpy(bytes, map, DOMCFG_MAX_CPUS / 8);
    return 0;
}

int cmd_vcpu_pin(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    uint32_t domid;
    int first, exit_code = open_domain_cmd(cmd, argc, argv, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    const char *vcpu = argv[first + 1], *cpus = argv[first + 2];
    const char *soft_cpus = argc - first > 3 ? argv[first + 3] : NULL;
    uint8_t hard[DOMCFG_MAX_CPUS / 8], soft[DOMCFG_MAX_CPUS / 8];
    bool set_hard, set_soft;
    struct xen_domctl_getdomaininfo info;
    char *end;
    long one = strcmp(vcpu, "all") ? strtol(vcpu, &end, 10) : -1;
    if ((one >= 0 && *end) || one < -1 || pin_map(cpus, hard, &set_hard) < 0 ||
        pin_map(soft_cpus, soft, &set_soft) < 0) {
        fprintf(stderr, "%s vcpu-pin: invalid vCPU '%s' or CPU list '%s'%s%s\n", tl_progname, vcpu,
                cpus, soft_cpus ? " / " : "", soft_cpus ? soft_cpus : "");
        exit_code = TL_EXIT_USAGE;
    } else if (!set_hard && !set_soft) {
        fprintf(stderr, "%s vcpu-pin: '-' for both affinities changes nothing\n", tl_progname);
        exit_code = TL_EXIT_USAGE;
    } else if (xenctl_domain_info(&s.hc, domid, &info) < 0) {
        exit_code = tl_hc_failed(&s);
    } else if (one > (long)info.max_vcpu_id) {
        fprintf(stderr, "%s vcpu-pin: domain %u has no vCPU %ld\n", tl_progname, domid, one);
        exit_code = TL_EXIT_FAILURE;
    } else {
        for (uint32_t v = 0; v <= info.max_vcpu_id; v++) {
            if (one >= 0 && v != (uint32_t)one)
                continue;
            /* The hypervisor writes back the affinity it uses: copies, so each vCPU gets ours. */
            uint8_t h[sizeof(hard)], sf[sizeof(soft)];
            memcpy(h, hard, sizeof(h));
            memcpy(sf, soft, sizeof(sf));
            if (xenctl_vcpu_affinity(&s.hc, domid, v, set_hard ? h : NULL, set_soft ? sf : NULL,
                                     DOMCFG_MAX_CPUS, true) < 0)
                exit_code = tl_hc_failed(&s);
        }
    }
    tl_session_close(&s);
    return exit_code;
}
