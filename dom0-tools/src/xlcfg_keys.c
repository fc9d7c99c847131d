/*
 * What each xl.cfg key means: one table, the single source of the keys tl
 * understands, refuses or ignores, with their help text. Each handler
 * checks the value's shape and range and stores it in the domain config.
 */
#include "xlcfg.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Values that only make sense once all settings are read. */
struct pending {
    char *root, *extra, *cmdline;
    const struct xlcfg_setting *root_at, *extra_at, *cmdline_at;
    const struct xlcfg_setting *firmware_at, *hap_at;
};

struct apply_ctx {
    struct domcfg *cfg;
    struct diag *d;
    struct pending *pend;
};

typedef int (*key_handler)(struct apply_ctx *c, const struct xlcfg_setting *st);

struct key_entry {
    const char *name;
    key_handler handler;    /* NULL: ignored with a warning */
    const char *status;
    const char *help;
};

/* An error at the setting's key; msg follows "'KEY' ". */
static int err_at(struct apply_ctx *c, const struct xlcfg_setting *st, const char *msg)
{
    return diag_error(c->d, st->line, st->col, "'%s' %s", st->key, msg);
}

static int get_string(struct apply_ctx *c, const struct xlcfg_setting *st, const char **out)
{
    if (st->kind == XLCFG_LIST)
        return err_at(c, st, "expects a single quoted string, not a list");
    *out = st->scalar.text;
    return 0;
}

static int parse_u64(const char *text, uint64_t *v)
{
    char *end;
    if (!*text || *text == '-' || *text == '+' || *text == ' ')
        return -EINVAL;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 0);
    if (errno || *end)
        return -EINVAL;
    *v = n;
    return 0;
}

static int get_number(struct apply_ctx *c, const struct xlcfg_setting *st, uint64_t min, uint64_t max,
                      uint64_t *out)
{
    if (st->kind == XLCFG_LIST || parse_u64(st->scalar.text, out) || *out < min || *out > max)
        return diag_error(c->d, st->kind == XLCFG_LIST ? st->line : st->scalar.line,
                          st->kind == XLCFG_LIST ? st->col : st->scalar.col,
                          "'%s' expects a number from %" PRIu64 " to %" PRIu64, st->key, min, max);
    return 0;
}

static int get_bool(struct apply_ctx *c, const struct xlcfg_setting *st, bool *out)
{
    static const char *const yes[] = { "1", "true", "yes", "on" }, *const no[] = { "0", "false", "no", "off" };
    if (st->kind != XLCFG_LIST) {
        for (unsigned i = 0; i < 4; i++) {
            if (!strcmp(st->scalar.text, yes[i])) {
                *out = true;
                return 0;
            }
            if (!strcmp(st->scalar.text, no[i])) {
                *out = false;
                return 0;
            }
        }
    }
    return err_at(c, st, "expects a boolean: 1 or 0");
}

/* A string key; "+=" appends, directly (as xl does: extra="a" extra+="b" is "ab"). */
static int set_string(struct apply_ctx *c, const struct xlcfg_setting *st, char **dst)
{
    const char *v = NULL;
    int rc = get_string(c, st, &v);
    if (rc)
        return rc;
    if (st->append && *dst) {
        size_t n = strlen(*dst) + strlen(v) + 1;
        char *joined = malloc(n);
        if (!joined)
            return -ENOMEM;
        snprintf(joined, n, "%s%s", *dst, v);
        free(*dst);
        *dst = joined;
        return 0;
    }
    return domcfg_set_str(dst, v);
}

static int k_name(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_string(c, st, &c->cfg->name); }
static int k_kernel(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_string(c, st, &c->cfg->kernel); }
static int k_ramdisk(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_string(c, st, &c->cfg->ramdisk); }

static int k_root(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    c->pend->root_at = st;
    return set_string(c, st, &c->pend->root);
}

static int k_extra(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    c->pend->extra_at = st;
    return set_string(c, st, &c->pend->extra);
}

static int k_cmdline(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    c->pend->cmdline_at = st;
    return set_string(c, st, &c->pend->cmdline);
}

static int k_firmware(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    c->pend->firmware_at = st;
    return set_string(c, st, &c->cfg->firmware);
}

static int k_type(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    const char *v = NULL;
    int rc = get_string(c, st, &v);
    if (!rc && domcfg_type_parse(v, &c->cfg->type))
        rc = diag_error(c->d, st->scalar.line, st->scalar.col,
                        "'type' expects \"pv\", \"pvh\" or \"hvm\", not \"%s\"", v);
    return rc;
}

/* The pre-4.10 spelling: builder="hvm" or "generic" (PV). */
static int k_builder(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    const char *v = NULL;
    int rc = get_string(c, st, &v);
    if (rc)
        return rc;
    if (!strcmp(v, "hvm"))
        c->cfg->type = DOMCFG_TYPE_HVM;
    else if (!strcmp(v, "generic"))
        c->cfg->type = DOMCFG_TYPE_PV;
    else
        return diag_error(c->d, st->scalar.line, st->scalar.col,
                          "'builder' expects \"generic\" or \"hvm\", not \"%s\"", v);
    diag_warn(c->d, st->line, st->col, "'builder' is deprecated, use type=\"%s\"",
              domcfg_type_name(c->cfg->type));
    return 0;
}

static int k_uuid(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    const char *v = NULL;
    int rc = get_string(c, st, &v);
    if (!rc && domcfg_uuid_parse(v, c->cfg->uuid))
        rc = diag_error(c->d, st->scalar.line, st->scalar.col,
                        "'uuid' expects xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx (hex), not \"%s\"", v);
    c->cfg->has_uuid = !rc;
    return rc;
}

static int k_memory(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t mib;
    int rc = get_number(c, st, 1, 1u << 24, &mib);
    if (!rc)
        c->cfg->target_memkb = mib * 1024;
    return rc;
}

static int k_maxmem(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t mib;
    int rc = get_number(c, st, 1, 1u << 24, &mib);
    if (!rc)
        c->cfg->max_memkb = mib * 1024;
    return rc;
}

static int k_vcpus(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t n;
    int rc = get_number(c, st, 1, DOMCFG_MAX_VCPUS, &n);
    if (!rc)
        c->cfg->vcpus = (unsigned)n;
    return rc;
}

static int k_maxvcpus(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t n;
    int rc = get_number(c, st, 1, DOMCFG_MAX_VCPUS, &n);
    if (!rc)
        c->cfg->max_vcpus = (unsigned)n;
    return rc;
}

static int k_cpus(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    if (st->kind == XLCFG_LIST)
        return err_at(c, st, "as a per-vCPU list is not supported yet: give one string such as \"0-3\"");
    int rc = domcfg_cpumap_parse(st->scalar.text, c->cfg->cpumap);
    if (rc)
        return diag_error(c->d, st->scalar.line, st->scalar.col,
                          "'cpus' expects \"all\" or CPU numbers and ranges below %d such as \"0-3,^2\"",
                          DOMCFG_MAX_CPUS);
    c->cfg->has_cpumap = true;
    return 0;
}

static int k_weight(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t n;
    int rc = get_number(c, st, 1, 65535, &n);
    if (!rc)
        c->cfg->sched_weight = (int)n;
    return rc;
}

static int k_cap(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    uint64_t n;
    int rc = get_number(c, st, 0, 100 * DOMCFG_MAX_VCPUS, &n);
    if (!rc)
        c->cfg->sched_cap = (int)n;
    return rc;
}

static int k_hap(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    bool v = false;
    int rc = get_bool(c, st, &v);
    c->pend->hap_at = st;
    if (!rc)
        c->cfg->hap = v ? DOMCFG_TRUE : DOMCFG_FALSE;
    return rc;
}

static int set_action(struct apply_ctx *c, const struct xlcfg_setting *st, enum domcfg_action *dst)
{
    const char *v = NULL;
    int rc = get_string(c, st, &v);
    if (!rc && domcfg_action_parse(v, dst))
        rc = diag_error(c->d, st->scalar.line, st->scalar.col,
                        "'%s' expects destroy, restart, rename-restart, preserve, coredump-destroy, "
                        "coredump-restart or soft-reset, not \"%s\"", st->key, v);
    return rc;
}

static int k_on_poweroff(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_action(c, st, &c->cfg->on_poweroff); }
static int k_on_reboot(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_action(c, st, &c->cfg->on_reboot); }
static int k_on_crash(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_action(c, st, &c->cfg->on_crash); }
static int k_on_watchdog(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_action(c, st, &c->cfg->on_watchdog); }
static int k_on_soft_reset(struct apply_ctx *c, const struct xlcfg_setting *st) { return set_action(c, st, &c->cfg->on_soft_reset); }

/* List keys also take a single string, as one item. */
static const struct xlcfg_atom *list_items(const struct xlcfg_setting *st, size_t *n)
{
    *n = st->kind == XLCFG_LIST ? st->nr_items : 1;
    return st->kind == XLCFG_LIST ? st->items : &st->scalar;
}

static int k_disk(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    size_t n;
    const struct xlcfg_atom *items = list_items(st, &n);
    struct domcfg *cfg = c->cfg;

    if (!st->append)
        domcfg_clear_disks(cfg);
    for (size_t i = 0; i < n; i++) {
        char why[200];
        struct domcfg_disk *disk = domcfg_add_disk(cfg);
        if (!disk)
            return -ENOMEM;
        if (xlcfg_parse_disk(items[i].text, disk, why, sizeof(why)))
            return diag_error(c->d, items[i].line, items[i].col, "disk spec \"%s\": %s", items[i].text, why);
    }
    return 0;
}

static int k_vif(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    size_t n;
    const struct xlcfg_atom *items = list_items(st, &n);
    struct domcfg *cfg = c->cfg;

    if (!st->append)
        domcfg_clear_nics(cfg);
    for (size_t i = 0; i < n; i++) {
        char why[200];
        struct domcfg_nic *nic = domcfg_add_nic(cfg);
        if (!nic)
            return -ENOMEM;
        if (xlcfg_parse_vif(items[i].text, nic, why, sizeof(why)))
            return diag_error(c->d, items[i].line, items[i].col, "vif spec \"%s\": %s", items[i].text, why);
    }
    return 0;
}

static int k_bootloader(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    return err_at(c, st, "is not supported: tl runs no bootloader (pygrub); extract the kernel "
                  "and initrd and give kernel= and ramdisk=");
}

static int k_viridian(struct apply_ctx *c, const struct xlcfg_setting *st)
{
    return err_at(c, st, "is not supported: Tessera offers no Hyper-V enlightenments");
}

#define IGNORED(n) { n, NULL, "ignored", "not supported by Tessera yet; ignored with a warning" }

static const struct key_entry keys[] = {
    { "name", k_name, "supported", "domain name (string, required)" },
    { "uuid", k_uuid, "supported", "domain UUID, xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" },
    { "type", k_type, "supported", "\"pv\" (default), \"pvh\" or \"hvm\"" },
    { "builder", k_builder, "supported", "deprecated: \"generic\" (pv) or \"hvm\"" },
    { "memory", k_memory, "supported", "initial memory in MiB (default 32)" },
    { "maxmem", k_maxmem, "supported", "maximum memory in MiB (default: memory)" },
    { "vcpus", k_vcpus, "supported", "vCPUs online at boot (default 1)" },
    { "maxvcpus", k_maxvcpus, "supported", "vCPUs the domain may bring up (default: vcpus)" },
    { "cpus", k_cpus, "supported", "physical CPUs the vCPUs may run on: \"all\", \"0-3,^2\"" },
    { "cpu_weight", k_weight, "supported", "credit scheduler weight, 1-65535" },
    { "cap", k_cap, "supported", "credit scheduler cap, percent of one CPU (0 = none)" },
    { "kernel", k_kernel, "supported", "guest kernel: ELF, bzImage, or compressed ELF" },
    { "ramdisk", k_ramdisk, "supported", "initial ramdisk" },
    { "cmdline", k_cmdline, "supported", "kernel command line (overrides root and extra)" },
    { "root", k_root, "supported", "becomes root=... on the command line" },
    { "extra", k_extra, "supported", "appended to the command line" },
    { "bootloader", k_bootloader, "refused", "no bootloader is run: give kernel= directly" },
    { "bootloader_args", k_bootloader, "refused", "no bootloader is run" },
    { "disk", k_disk, "supported", "list of disk specs, see xl-disk-configuration(5)" },
    { "vif", k_vif, "supported", "list of vif specs: mac, bridge, ip, script, backend, rate ..." },
    { "on_poweroff", k_on_poweroff, "supported", "action on power off (default destroy)" },
    { "on_reboot", k_on_reboot, "supported", "action on reboot (default restart)" },
    { "on_crash", k_on_crash, "supported", "action on crash (default destroy)" },
    { "on_watchdog", k_on_watchdog, "supported", "action on watchdog timeout (default destroy)" },
    { "on_soft_reset", k_on_soft_reset, "supported", "action on soft reset (default soft-reset)" },
    { "firmware_override", k_firmware, "supported", "HVM: firmware image to load instead of the default" },
    { "hap", k_hap, "supported", "HVM: hardware assisted paging, 1 or 0" },
    { "viridian", k_viridian, "refused", "Hyper-V enlightenments are not offered" },
    IGNORED("vfb"), IGNORED("vnc"), IGNORED("vnclisten"), IGNORED("vncdisplay"),
    IGNORED("vncpasswd"), IGNORED("sdl"), IGNORED("keymap"), IGNORED("serial"),
    IGNORED("boot"), IGNORED("pci"), IGNORED("usb"), IGNORED("usbdevice"), IGNORED("vkb"),
    IGNORED("vtpm"), IGNORED("channel"), IGNORED("p9"), IGNORED("soundhw"),
    IGNORED("stdvga"), IGNORED("videoram"), IGNORED("localtime"), IGNORED("rtc_timeoffset"),
    IGNORED("device_model_version"), IGNORED("device_model_override"), IGNORED("acpi"),
    IGNORED("apic"), IGNORED("pae"), IGNORED("nx"), IGNORED("hpet"), IGNORED("shadow_memory"),
    IGNORED("tsc_mode"), IGNORED("nestedhvm"), IGNORED("e820_host"), IGNORED("max_grant_frames"),
    IGNORED("max_maptrack_frames"), IGNORED("xen_platform_pci"), IGNORED("seclabel"),
    IGNORED("pool"), IGNORED("claim_mode"), IGNORED("driver_domain"), IGNORED("iomem"),
    IGNORED("ioports"), IGNORED("irqs"), IGNORED("gfx_passthru"), IGNORED("vcpu_soft_affinity"),
};
#define NR_KEYS (sizeof(keys) / sizeof(keys[0]))

size_t xlcfg_key_table(const struct xlcfg_key_help **table)
{
    static struct xlcfg_key_help help[NR_KEYS];
    for (size_t i = 0; i < NR_KEYS; i++)
        help[i] = (struct xlcfg_key_help){ keys[i].name, keys[i].status, keys[i].help };
    *table = help;
    return NR_KEYS;
}

static const struct key_entry *find_key(const char *name)
{
    for (size_t i = 0; i < NR_KEYS; i++)
        if (!strcmp(keys[i].name, name))
            return &keys[i];
    return NULL;
}

/* xl's rule: cmdline wins; otherwise "root=ROOT EXTRA". */
static int finish_cmdline(struct apply_ctx *c)
{
    struct pending *p = c->pend;
    if (p->cmdline) {
        if (p->root_at || p->extra_at) {
            const struct xlcfg_setting *st = p->root_at ? p->root_at : p->extra_at;
            diag_warn(c->d, st->line, st->col, "'cmdline' is set, so '%s' is ignored", st->key);
        }
        c->cfg->cmdline = p->cmdline;
        p->cmdline = NULL;
        return 0;
    }
    if (!p->root && !p->extra)
        return 0;
    size_t n = (p->root ? strlen(p->root) + 6 : 0) + (p->extra ? strlen(p->extra) : 0) + 1;
    char *s = malloc(n);
    if (!s)
        return -ENOMEM;
    snprintf(s, n, "%s%s%s%s", p->root ? "root=" : "", p->root ? p->root : "",
             p->root && p->extra ? " " : "", p->extra ? p->extra : "");
    free(c->cfg->cmdline);
    c->cfg->cmdline = s;
    return 0;
}

static void warn_misplaced(struct apply_ctx *c)
{
    if (c->cfg->type == DOMCFG_TYPE_HVM)
        return;
    if (c->pend->firmware_at)
        diag_warn(c->d, c->pend->firmware_at->line, c->pend->firmware_at->col,
                  "'firmware_override' only applies to HVM guests");
    if (c->pend->hap_at)
        diag_warn(c->d, c->pend->hap_at->line, c->pend->hap_at->col, "'hap' only applies to HVM guests");
}

int xlcfg_apply(const struct xlcfg_file *f, struct domcfg *cfg, struct diag *d)
{
    struct pending pend = { 0 };
    struct apply_ctx c = { cfg, d, &pend };
    int rc = 0;

    for (size_t i = 0; i < f->nr_settings && !rc; i++) {
        const struct xlcfg_setting *st = &f->settings[i];
        const struct key_entry *k = find_key(st->key);
        if (!k)
            diag_warn(d, st->line, st->col, "unknown key '%s' ignored", st->key);
        else if (!k->handler)
            diag_warn(d, st->line, st->col, "'%s' is not supported by Tessera yet; ignored", st->key);
        else
            rc = k->handler(&c, st);
    }
    if (!rc)
        rc = finish_cmdline(&c);
    if (!rc)
        warn_misplaced(&c);
    free(pend.root);
    free(pend.extra);
    free(pend.cmdline);
    return rc;
}

int xlcfg_load(const char *text, size_t len, const char *const *overrides, size_t nr_overrides,
               struct domcfg *cfg, struct diag *d)
{
    struct xlcfg_file file = { 0 };
    char why[256];
    int rc = xlcfg_parse(text, len, &file, d);

    /* Overrides are extra statements after the file, as xl treats them. */
    for (size_t i = 0; i < nr_overrides && !rc; i++) {
        struct diag od;
        diag_init(&od, "command line", d->warnings);
        size_t first = file.nr_settings;
        rc = xlcfg_parse(overrides[i], strlen(overrides[i]), &file, &od);
        if (rc)
            diag_error(d, 0, 0, "override '%s': %s", overrides[i], od.error);
        /* Line 0: later messages about them carry no misleading file position. */
        for (size_t j = first; j < file.nr_settings; j++) {
            struct xlcfg_setting *st = &file.settings[j];
            st->line = st->scalar.line = 0;
            for (size_t k = 0; k < st->nr_items; k++)
                st->items[k].line = 0;
        }
    }
    if (!rc)
        rc = xlcfg_apply(&file, cfg, d);
    xlcfg_file_free(&file);
    if (rc)
        return rc;
    domcfg_apply_defaults(cfg);
    rc = domcfg_validate(cfg, why, sizeof(why));
    if (rc)
        return diag_error(d, 0, 0, "%s", why);
    return 0;
}
