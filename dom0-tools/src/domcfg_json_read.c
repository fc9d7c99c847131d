/*
 * Reading a domain config back from the JSON tl (and xl) print: the third
 * input format, so "create -n" output, or one entry of "list -l", can be
 * fed to "tl create" again. Parsed with libyajl's tree API; every field is
 * checked for type and range like the other readers, and fields the model
 * does not hold are reported as warnings with their JSON path.
 */
#include "domcfg_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

struct jctx {
    struct domcfg *cfg;
    struct diag *d;
};

/* The string of a JSON string value, or NULL for any other value. */
static const char *str_of(yajl_val v)
{
    return YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
}

static int jerr(struct jctx *c, const char *path, const char *what)
{
    return diag_error(c->d, 0, 0, "JSON %s: %s", path, what);
}

static int get_str(struct jctx *c, yajl_val v, const char *path, char **dst)
{
    const char *s = str_of(v);
    if (!s)
        return jerr(c, path, "expected a string");
    return domcfg_set_str(dst, s);
}

static int get_uint(struct jctx *c, yajl_val v, const char *path, uint64_t max, uint64_t *out)
{
    *out = 0;
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < 0 || (uint64_t)YAJL_GET_INTEGER(v) > max) {
        char what[80];
        snprintf(what, sizeof(what), "expected a whole number from 0 to %" PRIu64, max);
        return jerr(c, path, what);
    }
    *out = (uint64_t)YAJL_GET_INTEGER(v);
    return 0;
}

/* libxl's defbool: "True", "False" or "<default>". */
static int get_defbool(struct jctx *c, yajl_val v, const char *path, enum domcfg_bool *out)
{
    const char *s = str_of(v);
    if (s && !strcmp(s, "True"))
        *out = DOMCFG_TRUE;
    else if (s && !strcmp(s, "False"))
        *out = DOMCFG_FALSE;
    else if (s && !strcmp(s, "<default>"))
        *out = DOMCFG_DEFAULT;
    else
        return jerr(c, path, "expected \"True\" or \"False\"");
    return 0;
}

static int get_action(struct jctx *c, yajl_val v, const char *path, enum domcfg_action *out)
{
    const char *s = str_of(v);
    if (!s || domcfg_action_parse(s, out))
        return jerr(c, path, "expected an action such as \"destroy\", \"restart\" or \"preserve\"");
    return 0;
}

/* A list of bit numbers (libxl's bitmap form) into map; count returned. */
static int get_bitmap(struct jctx *c, yajl_val v, const char *path, uint64_t *map, unsigned bits,
                      unsigned *count)
{
    if (!YAJL_IS_ARRAY(v))
        return jerr(c, path, "expected a list of numbers");
    memset(map, 0, bits / 8);
    *count = 0;
    for (size_t i = 0; i < v->u.array.len; i++) {
        uint64_t bit;
        int rc = get_uint(c, v->u.array.values[i], path, bits - 1, &bit);
        if (rc)
            return rc;
        if (!((map[bit / 64] >> (bit % 64)) & 1))
            ++*count;
        map[bit / 64] |= 1ULL << (bit % 64);
    }
    return 0;
}

typedef int (*field_fn)(struct jctx *c, yajl_val v, const char *path, void *obj);

struct field {
    const char *key;
    field_fn fn;
};

/* Walks a JSON object, dispatching each key; unknown keys warn. */
static int walk(struct jctx *c, yajl_val obj, const char *path, const struct field *fields, void *target)
{
    if (!YAJL_IS_OBJECT(obj))
        return jerr(c, path, "expected an object");
    for (size_t i = 0; i < obj->u.object.len; i++) {
        const char *key = obj->u.object.keys[i];
        char sub[160];
        snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
        const struct field *f = fields;
        while (f->key && strcmp(f->key, key))
            f++;
        if (!f->key) {
            diag_warn(c->d, 0, 0, "JSON %s is not supported; ignored", sub);
            continue;
        }
        int rc = f->fn(c, obj->u.object.values[i], sub, target);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- c_info ---- */

static int f_type(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    const char *s = str_of(v);
    if (!s || domcfg_type_parse(s, &cfg->type))
        return jerr(c, path, "expected \"pv\", \"pvh\" or \"hvm\"");
    return 0;
}
static int f_name(struct jctx *c, yajl_val v, const char *p, void *o) { return get_str(c, v, p, &((struct domcfg *)o)->name); }
static int f_uuid(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    const char *s = str_of(v);
    if (!s || domcfg_uuid_parse(s, cfg->uuid))
        return jerr(c, path, "expected a UUID string");
    cfg->has_uuid = true;
    return 0;
}
static int f_hap(struct jctx *c, yajl_val v, const char *p, void *o) { return get_defbool(c, v, p, &((struct domcfg *)o)->hap); }

static const struct field c_info_fields[] = {
    { "type", f_type }, { "name", f_name }, { "uuid", f_uuid }, { "hap", f_hap }, { NULL, NULL },
};

/* ---- b_info ---- */

static int f_max_vcpus(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, DOMCFG_MAX_VCPUS, &n);
    ((struct domcfg *)o)->max_vcpus = (unsigned)n;
    return rc;
}

static int f_avail_vcpus(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t map[DOMCFG_MAX_VCPUS / 64];
    unsigned count;
    int rc = get_bitmap(c, v, path, map, DOMCFG_MAX_VCPUS, &count);
    if (rc)
        return rc;
    /* The model brings vCPUs 0..n-1 online; other patterns have no place. */
    for (unsigned i = 0; i < count; i++)
        if (!((map[i / 64] >> (i % 64)) & 1))
            return jerr(c, path, "only vCPUs 0 to n-1 can be online at boot");
    ((struct domcfg *)o)->vcpus = count;
    return 0;
}

static int f_memkb(struct jctx *c, yajl_val v, const char *path, uint64_t *dst)
{
    return get_uint(c, v, path, 16ULL << 30, dst);
}
static int f_max_memkb(struct jctx *c, yajl_val v, const char *p, void *o) { return f_memkb(c, v, p, &((struct domcfg *)o)->max_memkb); }
static int f_target_memkb(struct jctx *c, yajl_val v, const char *p, void *o) { return f_memkb(c, v, p, &((struct domcfg *)o)->target_memkb); }

static int f_weight(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 65535, &n);
    ((struct domcfg *)o)->sched_weight = (int)n;
    return rc;
}

static int f_cap(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 100 * DOMCFG_MAX_VCPUS, &n);
    ((struct domcfg *)o)->sched_cap = (int)n;
    return rc;
}

static const struct field sched_fields[] = { { "weight", f_weight }, { "cap", f_cap }, { NULL, NULL } };
static int f_sched(struct jctx *c, yajl_val v, const char *p, void *o) { return walk(c, v, p, sched_fields, o); }

static int f_kernel(struct jctx *c, yajl_val v, const char *p, void *o) { return get_str(c, v, p, &((struct domcfg *)o)->kernel); }
static int f_cmdline(struct jctx *c, yajl_val v, const char *p, void *o) { return get_str(c, v, p, &((struct domcfg *)o)->cmdline); }
static int f_ramdisk(struct jctx *c, yajl_val v, const char *p, void *o) { return get_str(c, v, p, &((struct domcfg *)o)->ramdisk); }
static int f_firmware(struct jctx *c, yajl_val v, const char *p, void *o) { return get_str(c, v, p, &((struct domcfg *)o)->firmware); }

/* The same hard affinity for every vCPU is what cpus= means. */
static int f_hard_affinity(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    if (!YAJL_IS_ARRAY(v))
        return jerr(c, path, "expected a list of CPU lists");
    for (size_t i = 0; i < v->u.array.len; i++) {
        uint64_t map[DOMCFG_MAX_CPUS / 64];
        unsigned count;
        int rc = get_bitmap(c, v->u.array.values[i], path, map, DOMCFG_MAX_CPUS, &count);
        if (rc)
            return rc;
        if (i && memcmp(map, cfg->cpumap, sizeof(map)))
            return jerr(c, path, "per-vCPU affinities differ: only one CPU set for all vCPUs is supported");
        memcpy(cfg->cpumap, map, sizeof(map));
        cfg->has_cpumap = true;
    }
    return 0;
}

static int f_ignore_empty(struct jctx *c, yajl_val v, const char *path, void *o)
{
    (void)o;
    if (!YAJL_IS_OBJECT(v) || v->u.object.len)
        diag_warn(c->d, 0, 0, "JSON %s is not supported; ignored", path);
    return 0;
}

static const struct field type_fields[] = {
    { "firmware", f_firmware }, { "rdm", f_ignore_empty }, { "sdl", f_ignore_empty },
    { "spice", f_ignore_empty }, { "vga", f_ignore_empty }, { "vnc", f_ignore_empty }, { NULL, NULL },
};

static int f_type_union(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    const char *t = strrchr(path, '.') + 1;     /* "pv", "pvh" or "hvm" after "type." */
    if (domcfg_type_parse(t, &cfg->type))
        return jerr(c, path, "unknown domain type");
    return walk(c, v, path, type_fields, o);
}

static const struct field b_info_fields[] = {
    { "max_vcpus", f_max_vcpus }, { "avail_vcpus", f_avail_vcpus }, { "max_memkb", f_max_memkb },
    { "target_memkb", f_target_memkb }, { "sched_params", f_sched }, { "kernel", f_kernel },
    { "cmdline", f_cmdline }, { "ramdisk", f_ramdisk }, { "vcpu_hard_affinity", f_hard_affinity },
    { "type.pv", f_type_union }, { "type.pvh", f_type_union }, { "type.hvm", f_type_union },
    { "arch_arm", f_ignore_empty }, { "arch_x86", f_ignore_empty }, { NULL, NULL },
};

/* ---- disks ---- */

static int d_str(struct jctx *c, yajl_val v, const char *path, char **dst)
{
    return get_str(c, v, path, dst);
}
static int d_pdev(struct jctx *c, yajl_val v, const char *p, void *o)
{
    struct domcfg_disk *d = o;
    int rc = d_str(c, v, p, &d->target);
    if (!rc && d->target && !*d->target) {      /* "" is an empty drive */
        free(d->target);
        d->target = NULL;
    }
    return rc;
}
static int d_vdev(struct jctx *c, yajl_val v, const char *p, void *o) { return d_str(c, v, p, &((struct domcfg_disk *)o)->vdev); }
static int d_script(struct jctx *c, yajl_val v, const char *p, void *o) { return d_str(c, v, p, &((struct domcfg_disk *)o)->script); }
static int d_bdom(struct jctx *c, yajl_val v, const char *p, void *o) { return d_str(c, v, p, &((struct domcfg_disk *)o)->backend_domname); }
static int d_backend(struct jctx *c, yajl_val v, const char *path, void *o)
{
    const char *s = str_of(v);
    if (!s || domcfg_disk_backend_parse(s, &((struct domcfg_disk *)o)->backend))
        return jerr(c, path, "expected \"phy\", \"tap\" or \"qdisk\"");
    return 0;
}
static int d_format(struct jctx *c, yajl_val v, const char *path, void *o)
{
    const char *s = str_of(v);
    if (!s || domcfg_disk_format_parse(s, &((struct domcfg_disk *)o)->format))
        return jerr(c, path, "expected a disk format such as \"raw\" or \"qcow2\"");
    return 0;
}
static int d_flag(struct jctx *c, yajl_val v, const char *path, bool *dst)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 1, &n);
    *dst = n;
    return rc;
}
static int d_readwrite(struct jctx *c, yajl_val v, const char *p, void *o) { return d_flag(c, v, p, &((struct domcfg_disk *)o)->readwrite); }
static int d_is_cdrom(struct jctx *c, yajl_val v, const char *p, void *o) { return d_flag(c, v, p, &((struct domcfg_disk *)o)->is_cdrom); }
static int d_removable(struct jctx *c, yajl_val v, const char *p, void *o)
{
    bool removable;
    (void)o;
    return d_flag(c, v, p, &removable);     /* implied by is_cdrom */
}
static int d_direct_io(struct jctx *c, yajl_val v, const char *path, void *o)
{
    if (!YAJL_IS_TRUE(v) && !YAJL_IS_FALSE(v))
        return jerr(c, path, "expected true or false");
    ((struct domcfg_disk *)o)->direct_io_safe = YAJL_IS_TRUE(v);
    return 0;
}
static int d_discard(struct jctx *c, yajl_val v, const char *p, void *o) { return get_defbool(c, v, p, &((struct domcfg_disk *)o)->discard); }

static const struct field disk_fields[] = {
    { "pdev_path", d_pdev }, { "vdev", d_vdev }, { "backend", d_backend }, { "format", d_format },
    { "script", d_script }, { "backend_domname", d_bdom }, { "readwrite", d_readwrite },
    { "is_cdrom", d_is_cdrom }, { "removable", d_removable }, { "direct_io_safe", d_direct_io },
    { "discard_enable", d_discard }, { NULL, NULL },
};

/* ---- nics ---- */

static int n_str(struct jctx *c, yajl_val v, const char *path, char **dst) { return get_str(c, v, path, dst); }
static int n_bridge(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->bridge); }
static int n_ip(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->ip); }
static int n_script(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->script); }
static int n_bdom(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->backend_domname); }
static int n_ifname(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->ifname); }
static int n_model(struct jctx *c, yajl_val v, const char *p, void *o) { return n_str(c, v, p, &((struct domcfg_nic *)o)->model); }
static int n_devid(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 65535, &n);
    /* Kept as given: a domain's vifs keep their numbers across detaches. */
    if (!rc)
        ((struct domcfg_nic *)o)->devid = (int)n;
    return rc;
}
static int n_mtu(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 65535, &n);
    if (!rc && n && n < 68)
        rc = jerr(c, path, "expected an MTU from 68 to 65535");
    ((struct domcfg_nic *)o)->mtu = (int)n;
    return rc;
}
static int n_mac(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg_nic *n = o;
    const char *s = str_of(v);
    if (!s || domcfg_mac_parse(s, n->mac) || (n->mac[0] & 1))
        return jerr(c, path, "expected a unicast MAC such as \"00:16:3e:01:02:03\"");
    n->has_mac = true;
    return 0;
}
static int n_nictype(struct jctx *c, yajl_val v, const char *path, void *o)
{
    const char *s = str_of(v);
    if (!s || strcmp(s, "vif"))
        return jerr(c, path, "only \"vif\" is supported");
    ((struct domcfg_nic *)o)->type_vif = true;
    return 0;
}
static int n_rate_bytes(struct jctx *c, yajl_val v, const char *p, void *o) { return get_uint(c, v, p, UINT64_MAX / 1000000 - 2, &((struct domcfg_nic *)o)->rate_bytes_per_interval); }
static int n_rate_usecs(struct jctx *c, yajl_val v, const char *path, void *o)
{
    uint64_t n;
    int rc = get_uint(c, v, path, 1000000, &n);
    ((struct domcfg_nic *)o)->rate_interval_usecs = (uint32_t)n;
    return rc;
}

static const struct field nic_fields[] = {
    { "devid", n_devid }, { "mtu", n_mtu }, { "model", n_model }, { "mac", n_mac }, { "ip", n_ip },
    { "bridge", n_bridge }, { "ifname", n_ifname }, { "script", n_script }, { "backend_domname", n_bdom },
    { "nictype", n_nictype }, { "rate_bytes_per_interval", n_rate_bytes },
    { "rate_interval_usecs", n_rate_usecs }, { NULL, NULL },
};

/* ---- the top level ---- */

static int f_c_info(struct jctx *c, yajl_val v, const char *p, void *o) { return walk(c, v, p, c_info_fields, o); }
static int f_b_info(struct jctx *c, yajl_val v, const char *p, void *o) { return walk(c, v, p, b_info_fields, o); }

static int f_disks(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    if (!YAJL_IS_ARRAY(v))
        return jerr(c, path, "expected a list of disks");
    for (size_t i = 0; i < v->u.array.len; i++) {
        struct domcfg_disk *d = domcfg_add_disk(cfg);
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (!d)
            return -ENOMEM;
        int rc = walk(c, v->u.array.values[i], sub, disk_fields, d);
        if (rc)
            return rc;
    }
    return 0;
}

static int f_nics(struct jctx *c, yajl_val v, const char *path, void *o)
{
    struct domcfg *cfg = o;
    if (!YAJL_IS_ARRAY(v))
        return jerr(c, path, "expected a list of nics");
    for (size_t i = 0; i < v->u.array.len; i++) {
        struct domcfg_nic *n = domcfg_add_nic(cfg);
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
        if (!n)
            return -ENOMEM;
        int rc = walk(c, v->u.array.values[i], sub, nic_fields, n);
        if (rc)
            return rc;
        if (!n->rate_bytes_per_interval != !n->rate_interval_usecs)
            return jerr(c, sub, "rate_bytes_per_interval and rate_interval_usecs go together");
        for (size_t j = 0; j + 1 < cfg->nr_nics; j++)
            if (cfg->nics[j].devid == n->devid)
                return jerr(c, sub, "its devid is taken by an earlier nic");
    }
    return 0;
}

static int f_on_poweroff(struct jctx *c, yajl_val v, const char *p, void *o) { return get_action(c, v, p, &((struct domcfg *)o)->on_poweroff); }
static int f_on_reboot(struct jctx *c, yajl_val v, const char *p, void *o) { return get_action(c, v, p, &((struct domcfg *)o)->on_reboot); }
static int f_on_watchdog(struct jctx *c, yajl_val v, const char *p, void *o) { return get_action(c, v, p, &((struct domcfg *)o)->on_watchdog); }
static int f_on_crash(struct jctx *c, yajl_val v, const char *p, void *o) { return get_action(c, v, p, &((struct domcfg *)o)->on_crash); }
static int f_on_soft_reset(struct jctx *c, yajl_val v, const char *p, void *o) { return get_action(c, v, p, &((struct domcfg *)o)->on_soft_reset); }

static const struct field top_fields[] = {
    { "c_info", f_c_info }, { "b_info", f_b_info }, { "disks", f_disks }, { "nics", f_nics },
    { "on_poweroff", f_on_poweroff }, { "on_reboot", f_on_reboot }, { "on_watchdog", f_on_watchdog },
    { "on_crash", f_on_crash }, { "on_soft_reset", f_on_soft_reset }, { NULL, NULL },
};

int domcfg_from_json(const char *text, size_t len, struct domcfg *cfg, struct diag *d)
{
    struct jctx c = { cfg, d };
    char errbuf[256] = "";
    int rc;

    /* yajl wants a NUL-terminated string; configs are small. */
    char *copy = strndup(text, len);
    if (!copy)
        return -ENOMEM;
    if (strlen(copy) != len) {
        free(copy);
        return diag_error(d, 0, 0, "JSON: the text holds a NUL byte");
    }
    yajl_val root = yajl_tree_parse(copy, errbuf, sizeof(errbuf));
    free(copy);
    if (!root) {
        char *nl = strchr(errbuf, '\n');
        if (nl)
            *nl = '\0';
        return diag_error(d, 0, 0, "malformed JSON: %s", errbuf[0] ? errbuf : "parse error");
    }
    yajl_val config = root;
    /* One entry of "list -l": [{"domid": N, "config": {...}}]. */
    if (YAJL_IS_ARRAY(root)) {
        const char *path[] = { "config", NULL };
        config = root->u.array.len == 1 ? yajl_tree_get(root->u.array.values[0], path, yajl_t_object) : NULL;
        if (!config) {
            yajl_tree_free(root);
            return diag_error(d, 0, 0, "JSON: a list must hold exactly one {\"domid\", \"config\"} entry");
        }
    }
    rc = walk(&c, config, "", top_fields, cfg);
    yajl_tree_free(root);
    return rc;
}
