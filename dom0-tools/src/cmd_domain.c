/*
 * Commands on running domains: list, destroy, pause, unpause, domid,
 * domname, rename. Each opens a session with the hypervisor (exit 3 when
 * there is none) and names the hypercall that failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "domain_life.h"
#include "domcfg_json.h"
#include "kept_config.h"
#include "session.h"

struct list_opts {
    bool json, verbose, context;
};

static int list_option(int opt, const char *arg, void *ctx)
{
    struct list_opts *o = ctx;
    (void)arg;
    if (opt == 'l')
        o->json = true;
    else if (opt == 'v')
        o->verbose = true;
    else if (opt == 'Z')
        o->context = true;
    return 0;
}

static int64_t xs_number(struct tl_session *s, uint32_t domid, const char *leaf)
{
    char path[96];
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, leaf);
    char *v = s->xs ? xs_read(s->xs, XBT_NULL, path, NULL) : NULL;
    int64_t n = v ? strtoll(v, NULL, 10) : -1;
    free(v);
    return n;
}

/*
 * What has changed since create, as libxl's retrieve_domain_configuration
 * brings it up to date for xl list -l: the name (rename), the memory
 * target and static maximum (mem-set, mem-max), the vCPUs online
 * (vcpu-set) and the credit weight and cap (sched-credit).
 */
static void live_config(struct tl_session *s, const struct tl_dominfo *di, struct domcfg *cfg)
{
    if (di->name[0])
        domcfg_set_str(&cfg->name, di->name);
    int64_t target = xs_number(s, di->domid, "memory/target");
    int64_t max = xs_number(s, di->domid, "memory/static-max");
    if (target > 0)
        cfg->target_memkb = (uint64_t)target;
    if (max > 0)
        cfg->max_memkb = (uint64_t)max;
    if (di->vcpu_online)
        cfg->vcpus = di->vcpu_online;
    struct xen_domctl_sched_credit credit = { 0 };
    if (di->domid != 0 && xenctl_sched_credit(&s->hc, di->domid, &credit, false) == 0) {
        cfg->sched_weight = credit.weight;
        cfg->sched_cap = credit.cap;
    }
}

/*
 * The config a domain was created with (kept by create in
 * /libxl/N/tl-config, else a minimal one), brought up to date.
 */
static void domain_config(struct tl_session *s, const struct tl_dominfo *di, struct domcfg *cfg)
{
    if (kept_config_read(s->xs, di->domid, cfg) == 0) {
        live_config(s, di, cfg);
        return;
    }
    domcfg_set_str(&cfg->name, di->name);
    memcpy(cfg->uuid, di->uuid, 16);
    cfg->has_uuid = true;
    cfg->max_vcpus = cfg->vcpus = di->vcpu_online;
    cfg->max_memkb = cfg->target_memkb = di->current_memkb;
}

int cmd_list(const struct tl_command *cmd, int argc, char **argv)
{
    struct list_opts o = { 0 };
    struct tl_session s;
    int exit_code, first = tl_parse_options(cmd, argc, argv, list_option, &o, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    if ((exit_code = tl_session_open(&s, "'list'", true)) != TL_EXIT_OK)
        return exit_code;

    struct xen_domctl_getdomaininfo *raw = NULL;
    unsigned n = 0;
    uint32_t only = 0;
    if (first < argc && tl_find_domain(&s, argv[first], &only) < 0) {
        tl_session_close(&s);
        return TL_EXIT_FAILURE;
    }
    if (xenctl_list_domains(&s.hc, &raw, &n) < 0) {
        exit_code = tl_hc_failed(&s);
        tl_session_close(&s);
        return exit_code;
    }
    struct tl_dominfo *doms = calloc(n ? n : 1, sizeof(*doms));
    size_t kept = 0;
    for (unsigned i = 0; i < n; i++)
        if (first == argc || raw[i].domain == only)
            tl_dominfo_fill(&s, &raw[i], &doms[kept++]);
    if (o.json) {
        struct domcfg *cfgs = calloc(kept ? kept : 1, sizeof(*cfgs));
        const struct domcfg **ptrs = calloc(kept ? kept : 1, sizeof(*ptrs));
        for (size_t i = 0; i < kept; i++) {
            domain_config(&s, &doms[i], &cfgs[i]);
            ptrs[i] = &cfgs[i];
        }
        char *json = dominfo_list_json(doms, ptrs, kept);
        if (json)
            fputs(json, stdout);
        else
            exit_code = TL_EXIT_FAILURE;
        free(json);
        for (size_t i = 0; i < kept; i++)
            domcfg_free(&cfgs[i]);
        free(cfgs);
        free(ptrs);
    } else {
        dominfo_print_list(stdout, doms, kept,
                           (o.verbose ? TL_LIST_VERBOSE : 0) | (o.context ? TL_LIST_CONTEXT : 0));
    }
    free(doms);
    free(raw);
    tl_session_close(&s);
    return exit_code;
}

/* Options without arguments that the command only notes (destroy -f). */
static int note_flag(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'f')
        *(bool *)ctx = true;
    return 0;
}

int tl_open_for_domain(const struct tl_command *cmd, int argc, char **argv,
                       int (*option)(int opt, const char *arg, void *ctx), void *ctx,
                       struct tl_session *s, uint32_t *domid, int *first_out)
{
    int exit_code, first = tl_parse_options(cmd, argc, argv, option, ctx, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    if ((exit_code = tl_session_open(s, what, true)) != TL_EXIT_OK)
        return exit_code;
    if (tl_find_domain(s, argv[first], domid) < 0) {
        tl_session_close(s);
        return TL_EXIT_FAILURE;
    }
    *first_out = first;
    return TL_EXIT_OK;
}

/* The commands here take at most -f. */
static int open_for_domain(const struct tl_command *cmd, int argc, char **argv, bool *flag,
                           struct tl_session *s, uint32_t *domid, int *first_out)
{
    return tl_open_for_domain(cmd, argc, argv, note_flag, flag, s, domid, first_out);
}

int cmd_destroy(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool force = false;
    uint32_t domid;
    int first, exit_code = open_for_domain(cmd, argc, argv, &force, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    if (domid == 0 && !force) {
        fprintf(stderr, "%s destroy: domain 0 is the control domain: give -f to destroy it\n",
                tl_progname);
        exit_code = TL_EXIT_FAILURE;
    } else if (domain_destroy(&s, domid) < 0) {
        exit_code = tl_hc_failed(&s);
    }
    tl_session_close(&s);
    return exit_code;
}

static int pause_or_unpause(const struct tl_command *cmd, int argc, char **argv, bool pause)
{
    struct tl_session s;
    bool unused = false;
    uint32_t domid;
    int first, exit_code = open_for_domain(cmd, argc, argv, &unused, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    if (xenctl_simple(&s.hc, pause ? XEN_DOMCTL_pausedomain : XEN_DOMCTL_unpausedomain, domid,
                      pause ? "pausedomain" : "unpausedomain") < 0)
        exit_code = tl_hc_failed(&s);
    tl_session_close(&s);
    return exit_code;
}

int cmd_pause(const struct tl_command *cmd, int argc, char **argv)
{
    return pause_or_unpause(cmd, argc, argv, true);
}

int cmd_unpause(const struct tl_command *cmd, int argc, char **argv)
{
    return pause_or_unpause(cmd, argc, argv, false);
}

int cmd_domid(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool unused = false;
    uint32_t domid;
    int first, exit_code = open_for_domain(cmd, argc, argv, &unused, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    printf("%u\n", domid);
    tl_session_close(&s);
    return TL_EXIT_OK;
}

int cmd_domname(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool unused = false;
    uint32_t domid;
    int first, exit_code = open_for_domain(cmd, argc, argv, &unused, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    char *name = tl_domain_name(&s, domid);
    printf("%s\n", name ? name : "");
    free(name);
    tl_session_close(&s);
    return TL_EXIT_OK;
}

int cmd_rename(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool unused = false;
    uint32_t domid, other;
    int first, exit_code = open_for_domain(cmd, argc, argv, &unused, &s, &domid, &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    const char *name = argv[first + 1];
    if (!domcfg_name_valid(name)) {
        fprintf(stderr, "%s rename: '%s' is not 1-64 printable characters without '/' "
                "(and not all digits)\n", tl_progname, name);
        exit_code = TL_EXIT_FAILURE;
    } else if (tl_lookup_domain(&s, name, &other) == 0 && other != domid) {
        fprintf(stderr, "%s rename: domain %u is already called %s\n", tl_progname, other, name);
        exit_code = TL_EXIT_FAILURE;
    } else if (xs_domain_rename(s.xs, domid, name) < 0) {
        fprintf(stderr, "%s rename: xenstore: %s\n", tl_progname, strerror(errno));
        exit_code = TL_EXIT_FAILURE;
    }
    tl_session_close(&s);
    return exit_code;
}
