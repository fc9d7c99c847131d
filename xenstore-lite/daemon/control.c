/*
 * XS_CONTROL: the daemon's maintenance commands (xenstore-control). The
 * table below is the single source of their names and help text.
 */
#include "request.h"

#include "dump.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct text {
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t len;
};

static void textf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void textf(struct text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - t->len - 1;
}

/* The settable quotas: CONTROL "quota set <name> <value>". */
struct quota_desc {
    const char *name;
    const char *help;
    size_t offset;
    bool is_long;
};
#define Q(name, field, help) { name, help, offsetof(struct xsd_quota, field), false }
#define QL(name, field, help) { name, help, offsetof(struct xsd_quota, field), true }
static const struct quota_desc hard_quotas[] = {
    Q("nodes", nodes, "Nodes per domain"),
    Q("watches", watches, "Watches per domain"),
    Q("transactions", transactions, "Transactions per domain"),
    Q("outstanding", outstanding, "Outstanding requests per domain"),
    Q("transaction-nodes", transaction_nodes, "Max. number of accessed nodes per transaction"),
    QL("memory", memory, "Total Xenstore memory per domain (error level)"),
    Q("node-size", node_size, "Max. size of a node"),
    Q("path-max", path_max, "Max. length of a node path"),
    Q("permissions", permissions, "Max. number of permissions per node"),
};
static const struct quota_desc soft_quotas[] = {
    QL("memory", memory_soft, "Total Xenstore memory per domain (warning level)"),
};

static unsigned long quota_value(const struct xsd_quota *q, const struct quota_desc *d)
{
    const char *p = (const char *)q + d->offset;
    return d->is_long ? *(const unsigned long *)p : *(const unsigned *)p;
}

static int quota_cmd(struct request *r, const char **argv, unsigned argc,
                     const struct quota_desc *tab, size_t n)
{
    struct xsd_quota *q = &r->conn->xsd->quota;
    struct text t = { .len = 0 };

    if (argc == 0) {
        textf(&t, "Quota settings:\n");
        for (size_t i = 0; i < n; i++)
            textf(&t, "%-17s: %8lu %s\n", tab[i].name, quota_value(q, &tab[i]), tab[i].help);
        return reply_string(r, t.buf);
    }
    if (strcmp(argv[0], "set") == 0) {
        if (argc != 3)
            return -EINVAL;
        char *end;
        unsigned long v = strtoul(argv[2], &end, 10);
        if (!*argv[2] || *end || v == 0 || v > 0x7fffffffUL)
            return -EINVAL;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(tab[i].name, argv[1]))
                continue;
            char *p = (char *)q + tab[i].offset;
            if (tab[i].is_long)
                *(unsigned long *)p = v;
            else
                *(unsigned *)p = (unsigned)v;
            return reply_ok(r);
        }
        return -EINVAL;
    }
    if (argc != 1 || tab != hard_quotas)
        return -EINVAL;
    unsigned domid;
    if (request_domid(argv[0], &domid))
        return -EINVAL;
    struct domain *d = domain_get(r->conn->xsd, domid);
    if (!d || !d->introduced)
        return -ENOENT;
    textf(&t, "Domain %u:\n", domid);
    textf(&t, "%-16s: %8ld\n", "nodes", d->nodes);
    textf(&t, "%-16s: %8u\n", "watches", d->watches);
    textf(&t, "%-16s: %8u\n", "transactions", d->conn ? d->conn->ntxns : 0);
    textf(&t, "%-16s: %8u\n", "outstanding", d->conn ? d->conn->out_replies : 0);
    textf(&t, "%-16s: %8ld\n", "memory", d->memory);
    return reply_string(r, t.buf);
}

static int ctl_quota(struct request *r, const char **argv, unsigned argc)
{
    return quota_cmd(r, argv, argc, hard_quotas, sizeof(hard_quotas) / sizeof(hard_quotas[0]));
}

static int ctl_quota_soft(struct request *r, const char **argv, unsigned argc)
{
    return quota_cmd(r, argv, argc, soft_quotas, sizeof(soft_quotas) / sizeof(soft_quotas[0]));
}

static int ctl_check(struct request *r, const char **argv, unsigned argc)
{
    (void)argv;
    if (argc)
        return -EINVAL;
    return reply_ok(r);
}

static int ctl_log(struct request *r, const char **argv, unsigned argc)
{
    if (argc != 1 || (strcmp(argv[0], "on") && strcmp(argv[0], "off")))
        return -EINVAL;
    r->conn->xsd->log_enabled = strcmp(argv[0], "on") == 0;
    return reply_ok(r);
}

static int ctl_print(struct request *r, const char **argv, unsigned argc)
{
    if (argc != 1)
        return -EINVAL;
    xsd_logf(r->conn->xsd, "control: %s", argv[0]);
    return reply_ok(r);
}

static int ctl_memreport(struct request *r, const char **argv, unsigned argc)
{
    struct xsd *xsd = r->conn->xsd;
    struct text t = { .len = 0 };
    (void)argv;
    if (argc > 1)
        return -EINVAL;
    textf(&t, "nodes: %zu\nwatches: %lu\nrequests: %lu\n",
          xsd->store.count, xsd->nwatches, xsd->requests);
    for (unsigned i = 0; i < XSD_MAX_DOMID; i++) {
        struct domain *d = xsd->domains[i];
        if (d && (d->introduced || d->nodes))
            textf(&t, "domain %u: nodes %ld memory %ld watches %u\n",
                  d->domid, d->nodes, d->memory, d->watches);
    }
    return reply_string(r, t.buf);
}

/* Saves the state for a successor daemon (xenstored-lite -R FILE). */
static int ctl_dump(struct request *r, const char **argv, unsigned argc)
{
    if (argc != 1 || argv[0][0] != '/')
        return -EINVAL;
    char tmp[4096];
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", argv[0]) >= (int)sizeof(tmp))
        return -EINVAL;
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -EACCES;
    int err = xsd_dump(r->conn->xsd, f);
    if (fclose(f) && !err)
        err = -EIO;
    /* Rename last, so a reader never sees half a dump. */
    if (!err && rename(tmp, argv[0]))
        err = -EIO;
    if (err) {
        remove(tmp);
        return err;
    }
    return reply_ok(r);
}

/*
 * Replaces the running daemon by BINARY without losing the store, the
 * connections or their watches (the new daemon answers this request).
 */
static int ctl_live_update(struct request *r, const char **argv, unsigned argc)
{
    struct xsd *xsd = r->conn->xsd;
    if (argc != 1 || argv[0][0] != '/')
        return -EINVAL;
    if (!xsd->live_update)
        return -ENOSYS;
    return xsd->live_update(xsd, r->conn, r->hdr, argv[0]);
}

static int ctl_help(struct request *r, const char **argv, unsigned argc);

static const struct control_cmd {
    const char *name;
    const char *usage;
    int (*run)(struct request *r, const char **argv, unsigned argc);
} control_cmds[] = {
    { "check", "", ctl_check },
    { "dump", "<absolute file>", ctl_dump },
    { "log", "on|off", ctl_log },
    { "memreport", "", ctl_memreport },
    { "print", "<string>", ctl_print },
    { "quota", "[set <name> <val>|<domid>]", ctl_quota },
    { "quota-soft", "[set <name> <val>]", ctl_quota_soft },
    { "live-update", "<absolute path of the new daemon binary>", ctl_live_update },
    { "help", "", ctl_help },
};
#define NCMDS (sizeof(control_cmds) / sizeof(control_cmds[0]))

static int ctl_help(struct request *r, const char **argv, unsigned argc)
{
    struct text t = { .len = 0 };
    (void)argv;
    (void)argc;
    for (size_t i = 0; i < NCMDS; i++)
        textf(&t, "%s\t%s\n", control_cmds[i].name, control_cmds[i].usage);
    return reply_string(r, t.buf);
}

int handle_control(struct request *r)
{
    const char *argv[16];
    unsigned n = request_count_strings(r);

    if (n == 0 || n > 16)
        return -EINVAL;
    const char *p = r->body;
    for (unsigned i = 0; i < n; i++) {
        argv[i] = p;
        p += strlen(p) + 1;
    }
    for (size_t i = 0; i < NCMDS; i++)
        if (strcmp(control_cmds[i].name, argv[0]) == 0)
            return control_cmds[i].run(r, argv + 1, n - 1);
    return -EINVAL;
}
