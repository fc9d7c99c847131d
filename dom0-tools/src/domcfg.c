/*
 * The domain configuration model: lifetime, defaults, shared validation
 * and the value spellings every format uses.
 */
#include "domcfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void domcfg_init(struct domcfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->sched_weight = -1;
    cfg->sched_cap = -1;
}

static void disk_free(struct domcfg_disk *d)
{
    free(d->target);
    free(d->vdev);
    free(d->script);
    free(d->backend_domname);
}

static void nic_free(struct domcfg_nic *n)
{
    free(n->bridge);
    free(n->ip);
    free(n->script);
    free(n->backend_domname);
    free(n->ifname);
    free(n->model);
}

void domcfg_clear_disks(struct domcfg *cfg)
{
    for (size_t i = 0; i < cfg->nr_disks; i++)
        disk_free(&cfg->disks[i]);
    free(cfg->disks);
    cfg->disks = NULL;
    cfg->nr_disks = 0;
}

void domcfg_clear_nics(struct domcfg *cfg)
{
    for (size_t i = 0; i < cfg->nr_nics; i++)
        nic_free(&cfg->nics[i]);
    free(cfg->nics);
    cfg->nics = NULL;
    cfg->nr_nics = 0;
}

void domcfg_remove_nic(struct domcfg *cfg, size_t i)
{
    if (i >= cfg->nr_nics)
        return;
    nic_free(&cfg->nics[i]);
    memmove(&cfg->nics[i], &cfg->nics[i + 1], (cfg->nr_nics - i - 1) * sizeof(cfg->nics[0]));
    cfg->nr_nics--;
}

void domcfg_free(struct domcfg *cfg)
{
    free(cfg->name);
    free(cfg->kernel);
    free(cfg->ramdisk);
    free(cfg->cmdline);
    free(cfg->firmware);
    domcfg_clear_disks(cfg);
    domcfg_clear_nics(cfg);
    domcfg_init(cfg);
}

/* xl's defaults (libxl's, where xl leaves them to libxl). */
void domcfg_apply_defaults(struct domcfg *cfg)
{
    if (cfg->vcpus == 0)
        cfg->vcpus = cfg->max_vcpus ? cfg->max_vcpus : 1;
    if (cfg->max_vcpus == 0)
        cfg->max_vcpus = cfg->vcpus;
    if (cfg->target_memkb == 0)
        cfg->target_memkb = cfg->max_memkb ? cfg->max_memkb : 32 * 1024;
    if (cfg->max_memkb == 0)
        cfg->max_memkb = cfg->target_memkb;
    if (!cfg->on_poweroff)
        cfg->on_poweroff = DOMCFG_ACTION_DESTROY;
    if (!cfg->on_reboot)
        cfg->on_reboot = DOMCFG_ACTION_RESTART;
    if (!cfg->on_crash)
        cfg->on_crash = DOMCFG_ACTION_DESTROY;
    if (!cfg->on_watchdog)
        cfg->on_watchdog = DOMCFG_ACTION_DESTROY;
    if (!cfg->on_soft_reset)
        cfg->on_soft_reset = DOMCFG_ACTION_SOFT_RESET;
    for (size_t i = 0; i < cfg->nr_nics; i++)
        cfg->nics[i].devid = (int)i;
}

static void *grow(void *array, size_t count, size_t elem)
{
    void *p = realloc(array, (count + 1) * elem);
    if (p)
        memset((char *)p + count * elem, 0, elem);
    return p;
}

struct domcfg_disk *domcfg_add_disk(struct domcfg *cfg)
{
    struct domcfg_disk *d = grow(cfg->disks, cfg->nr_disks, sizeof(*d));
    if (!d)
        return NULL;
    cfg->disks = d;
    return &d[cfg->nr_disks++];
}

struct domcfg_nic *domcfg_add_nic(struct domcfg *cfg)
{
    struct domcfg_nic *n = grow(cfg->nics, cfg->nr_nics, sizeof(*n));
    if (!n)
        return NULL;
    cfg->nics = n;
    n[cfg->nr_nics].devid = (int)cfg->nr_nics;
    return &n[cfg->nr_nics++];
}

static int invalid(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int invalid(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

bool domcfg_name_valid(const char *s)
{
    if (!*s || strlen(s) > 64 || strspn(s, "0123456789") == strlen(s))
        return false;
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7e || *s == '/')
            return false;
    return true;
}

int domcfg_validate(const struct domcfg *cfg, char *why, size_t size)
{
    if (!cfg->name)
        return invalid(why, size, "the domain needs a name");
    if (!domcfg_name_valid(cfg->name))
        return invalid(why, size, "domain name '%s' is not 1-64 printable characters without '/' "
                       "(and not all digits)", cfg->name);
    if (cfg->type != DOMCFG_TYPE_HVM && !cfg->kernel)
        return invalid(why, size, "a %s guest needs a kernel", domcfg_type_name(cfg->type));
    if (cfg->vcpus > cfg->max_vcpus)
        return invalid(why, size, "vcpus is larger than maxvcpus");
    if (cfg->max_vcpus > DOMCFG_MAX_VCPUS)
        return invalid(why, size, "maxvcpus is larger than 128");
    if (cfg->target_memkb > cfg->max_memkb)
        return invalid(why, size, "memory is larger than maxmem");
    for (size_t i = 0; i < cfg->nr_disks; i++) {
        const struct domcfg_disk *d = &cfg->disks[i];
        if (!d->vdev)
            return invalid(why, size, "disk '%s' has no vdev", d->target ? d->target : "");
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cfg->disks[j].vdev, d->vdev))
                return invalid(why, size, "two disks use vdev '%s'", d->vdev);
        if (!d->target && !d->is_cdrom)
            return invalid(why, size, "disk '%s' has no target (only a cdrom may be empty)", d->vdev);
    }
    return 0;
}

int domcfg_set_str(char **dst, const char *src)
{
    char *copy = NULL;
    if (src && !(copy = strdup(src)))
        return -ENOMEM;
    free(*dst);
    *dst = copy;
    return 0;
}

static const char *const type_names[] = { "pv", "pvh", "hvm" };

const char *domcfg_type_name(enum domcfg_type t)
{
    return (unsigned)t < 3 ? type_names[t] : "unknown";
}

int domcfg_type_parse(const char *s, enum domcfg_type *t)
{
    for (unsigned i = 0; i < 3; i++)
        if (!strcmp(s, type_names[i])) {
            *t = (enum domcfg_type)i;
            return 0;
        }
    return -EINVAL;
}

static const char *const action_cfg[] = {
    [DOMCFG_ACTION_DESTROY] = "destroy", [DOMCFG_ACTION_RESTART] = "restart",
    [DOMCFG_ACTION_RESTART_RENAME] = "rename-restart", [DOMCFG_ACTION_PRESERVE] = "preserve",
    [DOMCFG_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [DOMCFG_ACTION_COREDUMP_RESTART] = "coredump-restart",
    [DOMCFG_ACTION_SOFT_RESET] = "soft-reset",
};
static const char *const action_json[] = {
    [DOMCFG_ACTION_DESTROY] = "destroy", [DOMCFG_ACTION_RESTART] = "restart",
    [DOMCFG_ACTION_RESTART_RENAME] = "restart_rename", [DOMCFG_ACTION_PRESERVE] = "preserve",
    [DOMCFG_ACTION_COREDUMP_DESTROY] = "coredump_destroy",
    [DOMCFG_ACTION_COREDUMP_RESTART] = "coredump_restart",
    [DOMCFG_ACTION_SOFT_RESET] = "soft_reset",
};
#define NR_ACTIONS (DOMCFG_ACTION_SOFT_RESET + 1)

const char *domcfg_action_cfg_name(enum domcfg_action a)
{
    return a > 0 && a < NR_ACTIONS ? action_cfg[a] : "unset";
}

const char *domcfg_action_json_name(enum domcfg_action a)
{
    return a > 0 && a < NR_ACTIONS ? action_json[a] : "unset";
}

/* Accepts the xl.cfg spelling and libxl's (both are seen in the wild). */
int domcfg_action_parse(const char *s, enum domcfg_action *a)
{
    for (int i = 1; i < NR_ACTIONS; i++)
        if (!strcmp(s, action_cfg[i]) || !strcmp(s, action_json[i])) {
            *a = (enum domcfg_action)i;
            return 0;
        }
    return -EINVAL;
}

static const char *const format_names[] = { "unknown", "qcow", "qcow2", "vhd", "raw", "empty", "qed" };

const char *domcfg_disk_format_name(enum domcfg_disk_format f)
{
    return (unsigned)f < 7 ? format_names[f] : "unknown";
}

int domcfg_disk_format_parse(const char *s, enum domcfg_disk_format *f)
{
    for (unsigned i = 1; i < 7; i++)
        if (!strcmp(s, format_names[i])) {
            *f = (enum domcfg_disk_format)i;
            return 0;
        }
    return -EINVAL;
}

static const char *const backend_names[] = { "unknown", "phy", "tap", "qdisk", "standalone" };

const char *domcfg_disk_backend_name(enum domcfg_disk_backend b)
{
    return (unsigned)b < 5 ? backend_names[b] : "unknown";
}

int domcfg_disk_backend_parse(const char *s, enum domcfg_disk_backend *b)
{
    for (unsigned i = 1; i < 5; i++)
        if (!strcmp(s, backend_names[i])) {
            *b = (enum domcfg_disk_backend)i;
            return 0;
        }
    return -EINVAL;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int domcfg_uuid_parse(const char *s, uint8_t uuid[16])
{
    static const int dash_at[] = { 8, 13, 18, 23 };
    if (strlen(s) != 36)
        return -EINVAL;
    for (int i = 0; i < 4; i++)
        if (s[dash_at[i]] != '-')
            return -EINVAL;
    for (int i = 0, o = 0; i < 36; o++) {
        if (s[i] == '-')
            i++;
        int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        uuid[o] = (uint8_t)(hi << 4 | lo);
        i += 2;
    }
    return 0;
}

void domcfg_uuid_format(const uint8_t u[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
             u[12], u[13], u[14], u[15]);
}

int domcfg_mac_parse(const char *s, uint8_t mac[6])
{
    if (strlen(s) != 17)
        return -EINVAL;
    for (int i = 0; i < 6; i++) {
        int hi = hex_digit(s[i * 3]), lo = hex_digit(s[i * 3 + 1]);
        if (hi < 0 || lo < 0 || (i < 5 && s[i * 3 + 2] != ':'))
            return -EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void domcfg_mac_format(const uint8_t m[6], char out[18])
{
    snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int parse_cpu_number(const char **p, unsigned *out)
{
    char *end;
    if (**p < '0' || **p > '9')
        return -EINVAL;
    unsigned long v = strtoul(*p, &end, 10);
    if (v >= DOMCFG_MAX_CPUS)
        return -ERANGE;
    *out = (unsigned)v;
    *p = end;
    return 0;
}

int domcfg_cpumap_parse(const char *s, uint64_t map[DOMCFG_MAX_CPUS / 64])
{
    memset(map, 0, DOMCFG_MAX_CPUS / 8);
    if (!strcmp(s, "all")) {
        memset(map, 0xff, DOMCFG_MAX_CPUS / 8);
        return 0;
    }
    const char *p = s;
    while (*p) {
        bool remove = *p == '^';
        unsigned lo, hi;
        if (remove)
            p++;
        int rc = parse_cpu_number(&p, &lo);
        if (rc)
            return rc;
        hi = lo;
        if (*p == '-') {
            p++;
            if ((rc = parse_cpu_number(&p, &hi)))
                return rc;
            if (hi < lo)
                return -EINVAL;
        }
        for (unsigned c = lo; c <= hi; c++) {
            if (remove)
                map[c / 64] &= ~(1ULL << (c % 64));
            else
                map[c / 64] |= 1ULL << (c % 64);
        }
        if (*p == ',')
            p++;
        else if (*p)
            return -EINVAL;
    }
    return 0;
}

static bool cpu_set(const uint64_t *map, unsigned c)
{
    return c < DOMCFG_MAX_CPUS && (map[c / 64] >> (c % 64)) & 1;
}

char *domcfg_cpumap_format(const uint64_t map[DOMCFG_MAX_CPUS / 64])
{
    char *out = malloc(DOMCFG_MAX_CPUS * 8 + 1);
    size_t len = 0;
    if (!out)
        return NULL;
    out[0] = '\0';
    for (unsigned c = 0; c < DOMCFG_MAX_CPUS; c++) {
        if (!cpu_set(map, c))
            continue;
        unsigned end = c;
        while (cpu_set(map, end + 1))
            end++;
        len += (size_t)sprintf(out + len, len ? ",%u" : "%u", c);
        if (end > c)
            len += (size_t)sprintf(out + len, "-%u", end);
        c = end;
    }
    return out;
}
