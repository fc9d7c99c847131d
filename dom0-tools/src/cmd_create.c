/*
 * "tl create": reads and checks the config (xl.cfg, libvirt XML or JSON)
 * and the guest kernel it names; "-n" prints the parsed config as JSON and
 * stops. Otherwise it builds the domain on the running hypervisor
 * (domain_build.c), writes its xenstore entries as xl does, introduces it
 * to xenstored, adds its disks and vifs (domain_disks.c, domain_nics.c) and unpauses it (unless -p); -c then attaches to its
 * console. A create that fails at any step leaves nothing behind: the
 * domain is destroyed and its entries removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdtable.h"
#include "config_load.h"
#include "domain_build.h"
#include "domain_disks.h"
#include "domain_nics.h"
#include "kept_config.h"
#include "domain_life.h"
#include "domain_monitor.h"
#include "domcfg_json.h"
#include "kernel_cache.h"
#include "kernel_image.h"
#include "trace.h"
#include "session.h"

struct create_opts {
    const char *file;
    bool dry_run, print_config, quiet, vnc, console, paused, foreground, no_monitor;
};

static int create_option(int opt, const char *arg, void *ctx)
{
    struct create_opts *o = ctx;
    switch (opt) {
    case 'f': o->file = arg; break;
    case 'n': o->dry_run = true; break;
    case 'd': o->print_config = true; break;
    case 'q': o->quiet = true; break;
    case 'V': o->vnc = true; break;
    case 'c': o->console = true; break;
    case 'p': o->paused = true; break;
    case 'F': o->foreground = true; break;
    case 'e': o->no_monitor = true; break;
    default: break;
    }
    return 0;
}

static int print_json(const struct domcfg *cfg)
{
    char *json = domcfg_to_json(cfg);
    if (!json) {
        fprintf(stderr, "%s: out of memory\n", tl_progname);
        return TL_EXIT_FAILURE;
    }
    fputs(json, stdout);
    free(json);
    return TL_EXIT_OK;
}

/* The kernel must be loadable before anything is created. */
static int load_kernel(const struct domcfg *cfg, struct kernel_image *img, char **ramdisk,
                       size_t *ramdisk_len)
{
    char why[256];

    *ramdisk = NULL;
    *ramdisk_len = 0;
    tl_trace("create: reading the kernel");
    if (kernel_image_load_cached(cfg->kernel, kernel_cache_dir(), img, why, sizeof(why))) {
        fprintf(stderr, "%s: kernel %s: %s\n", tl_progname, cfg->kernel, why);
        return TL_EXIT_FAILURE;
    }
    tl_trace(img->from_cache ? "create: kernel from the cache" :
             img->cache_stored ? "create: kernel decompressed and cached" : "create: kernel read");
    if (cfg->ramdisk && read_whole_file(cfg->ramdisk, 1u << 30, ramdisk, ramdisk_len)) {
        fprintf(stderr, "%s: ramdisk %s: cannot read it: %s\n", tl_progname, cfg->ramdisk,
                strerror(errno));
        kernel_image_free(img);
        return TL_EXIT_FAILURE;
    }
    return TL_EXIT_OK;
}

static void random_uuid(uint8_t uuid[16])
{
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, uuid, 16) != 16) {
        /* No randomness: still unique enough among this host's domains. */
        for (int i = 0; i < 16; i++)
            uuid[i] = (uint8_t)(getpid() * 131u + (unsigned)i * 7919u + (unsigned)time(NULL));
    }
    if (fd >= 0)
        close(fd);
    uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);   /* version 4 */
    uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);   /* RFC 4122 variant */
}

/* Settings applied once the domain exists: scheduler weight/cap, vCPU affinity. */
static int apply_settings(struct tl_session *s, const struct domcfg *cfg, uint32_t domid)
{
    if (cfg->sched_weight >= 0 || cfg->sched_cap >= 0) {
        struct xen_domctl_sched_credit p;
        if (xenctl_sched_credit(&s->hc, domid, &p, false) < 0)
            return -1;
        if (cfg->sched_weight >= 0)
            p.weight = (uint16_t)cfg->sched_weight;
        if (cfg->sched_cap >= 0)
            p.cap = (uint16_t)cfg->sched_cap;
        if (xenctl_sched_credit(&s->hc, domid, &p, true) < 0)
            return -1;
    }
    if (cfg->has_cpumap) {
        uint8_t map[DOMCFG_MAX_CPUS / 8];
        memcpy(map, cfg->cpumap, sizeof(map));
        for (unsigned v = 0; v < cfg->max_vcpus; v++)
            if (xenctl_vcpu_affinity(&s->hc, domid, v, map, NULL, DOMCFG_MAX_CPUS, true) < 0)
                return -1;
    }
    return 0;
}

/* Builds, registers and starts the domain; *domid is set once it exists. */
static int create_domain(struct tl_session *s, const struct create_opts *o, struct domcfg *cfg,
                         const struct kernel_image *img, const char *ramdisk, size_t ramdisk_len,
                         uint32_t *domid)
{
    char why[400];
    struct built_domain b = { 0 };
    int exit_code = TL_EXIT_OK;

    uint32_t existing;
    if (tl_lookup_domain(s, cfg->name, &existing) == 0) {
        fprintf(stderr, "%s: domain %u is already called '%s'\n", tl_progname, existing, cfg->name);
        exit_code = TL_EXIT_FAILURE;
        goto out;
    }
    if (!cfg->has_uuid) {
        random_uuid(cfg->uuid);
        cfg->has_uuid = true;
    }
    /* Before the config is kept: a restart gives the guest the same MACs. */
    domain_nics_assign_macs(cfg);
    int rc = domain_build_pv(&s->hc, cfg, img, (const uint8_t *)ramdisk, ramdisk_len, cfg->uuid,
                             &b, why, sizeof(why));
    if (b.created)
        *domid = b.domid;
    if (rc < 0)
        goto failed;
    if ((rc = xs_domain_write(s->xs, cfg, cfg->uuid, &b, why, sizeof(why))) < 0)
        goto failed;
    tl_trace("create: xenstore entries written");
    if ((rc = kept_config_write(s->xs, b.domid, cfg)) < 0) {
        snprintf(why, sizeof(why), "xenstore write of /libxl/%u/tl-config: %s", b.domid,
                 strerror(-rc));
        goto failed;
    }
    if (!xs_introduce_domain(s->xs, b.domid, b.store_mfn, b.store_port)) {
        snprintf(why, sizeof(why), "xenstore introduce of domain %u: %s", b.domid, strerror(errno));
        rc = -EIO;
        goto failed;
    }
    /* Its disks before it runs: blkfront finds them when it probes. */
    if ((rc = domain_disks_add(s->xs, b.domid, cfg, why, sizeof(why))) < 0)
        goto failed;
    if (cfg->nr_disks)
        tl_trace("create: disks added");
    /* Its vifs too: netfront finds them connected when it probes. */
    if ((rc = domain_nics_add(s->xs, b.domid, cfg, why, sizeof(why))) < 0)
        goto failed;
    if (cfg->nr_nics)
        tl_trace("create: network interfaces added");
    if (apply_settings(s, cfg, b.domid) < 0 ||
        (!o->paused &&
         xenctl_simple(&s->hc, XEN_DOMCTL_unpausedomain, b.domid, "unpausedomain") < 0)) {
        snprintf(why, sizeof(why), "%s", hc_error(&s->hc));
        rc = -EIO;
        goto failed;
    }
    tl_trace("create: introduced and unpaused");
    if (!o->quiet)
        fprintf(stderr, "%s: created domain %u ('%s'): %llu MiB, %u vCPU%s%s\n", tl_progname,
                b.domid, cfg->name, (unsigned long long)(b.nr_pages >> 8), cfg->max_vcpus,
                cfg->max_vcpus == 1 ? "" : "s", o->paused ? ", paused" : "");
    goto out;

failed:
    fprintf(stderr, "%s: creating domain '%s' failed: %s\n", tl_progname, cfg->name, why);
    if (b.created && domain_destroy(s, b.domid) < 0)
        fprintf(stderr, "%s: and destroying domain %u failed too: %s\n", tl_progname, b.domid,
                hc_error(&s->hc));
    exit_code = TL_EXIT_FAILURE;
out:
    return exit_code;
}

/* What the monitor needs to build the domain again after a restart action. */
struct rebuild {
    struct domcfg *cfg;
    const struct kernel_image *img;
    const char *ramdisk;
    size_t ramdisk_len;
};

/* The kept config's vifs replace the create's: attached or detached since, same MACs. */
static int take_kept_nics(struct domcfg *cfg, const struct domcfg *kept)
{
    domcfg_clear_nics(cfg);
    for (size_t i = 0; i < kept->nr_nics; i++) {
        const struct domcfg_nic *from = &kept->nics[i];
        struct domcfg_nic *to = domcfg_add_nic(cfg);
        if (!to)
            return -1;
        *to = *from;
        to->bridge = to->ip = to->script = to->backend_domname = to->ifname = to->model = NULL;
        if (domcfg_set_str(&to->bridge, from->bridge) || domcfg_set_str(&to->ip, from->ip) ||
            domcfg_set_str(&to->script, from->script) ||
            domcfg_set_str(&to->backend_domname, from->backend_domname) ||
            domcfg_set_str(&to->ifname, from->ifname) || domcfg_set_str(&to->model, from->model))
            return -1;
    }
    return 0;
}

static int rebuild(struct tl_session *s, void *ctx, const struct domcfg *kept, uint32_t *domid)
{
    struct rebuild *r = ctx;
    if (kept && take_kept_nics(r->cfg, kept) < 0)
        return -1;
    struct create_opts quiet = { .quiet = true };
    return create_domain(s, &quiet, r->cfg, r->img, r->ramdisk, r->ramdisk_len, domid) ==
           TL_EXIT_OK ? 0 : -1;
}

int cmd_create(const struct tl_command *cmd, int argc, char **argv)
{
    struct create_opts o = { 0 };
    struct domcfg cfg;
    struct diag d;
    int exit_code, first = tl_parse_options(cmd, argc, argv, create_option, &o, &exit_code);

    if (first < 0)
        return exit_code;
    if (!o.file && first < argc && !strchr(argv[first], '='))
        o.file = argv[first++];
    if (!o.file) {
        fprintf(stderr, "%s create: no config file given\n", tl_progname);
        tl_print_usage(cmd, stderr);
        return TL_EXIT_USAGE;
    }
    for (int i = first; i < argc; i++)
        if (!strchr(argv[i], '=')) {
            fprintf(stderr, "%s create: '%s' is not a key=value setting\n", tl_progname, argv[i]);
            return TL_EXIT_USAGE;
        }
    if (o.vnc) {
        fprintf(stderr, "%s create: -V: Tessera guests have no VNC display\n", tl_progname);
        return TL_EXIT_USAGE;
    }

    domcfg_init(&cfg);
    diag_init(&d, o.file, o.quiet ? NULL : stderr);
    if (config_load_file(o.file, (const char *const *)argv + first, (size_t)(argc - first), &cfg, &d)) {
        fprintf(stderr, "%s\n", d.error);
        domcfg_free(&cfg);
        return TL_EXIT_FAILURE;
    }
    if (o.dry_run || tl_global_dry_run) {
        exit_code = print_json(&cfg);
    } else {
        exit_code = o.print_config ? print_json(&cfg) : TL_EXIT_OK;
        if (exit_code == TL_EXIT_OK && cfg.type != DOMCFG_TYPE_PV) {
            fprintf(stderr, "%s: %s guests are not supported yet (only pv)\n", tl_progname,
                    domcfg_type_name(cfg.type));
            exit_code = TL_EXIT_FAILURE;
        }
        char why[512];
        if (exit_code == TL_EXIT_OK && (domain_disks_check(&cfg, why, sizeof(why)) < 0 ||
                                        domain_nics_check(&cfg, why, sizeof(why)) < 0)) {
            fprintf(stderr, "%s: %s\n", tl_progname, why);
            exit_code = TL_EXIT_FAILURE;
        }
        struct kernel_image img;
        char *ramdisk = NULL;
        size_t ramdisk_len = 0;
        if (exit_code == TL_EXIT_OK &&
            (exit_code = load_kernel(&cfg, &img, &ramdisk, &ramdisk_len)) == TL_EXIT_OK) {
            struct tl_session s;
            if ((exit_code = tl_session_open(&s, "creating a domain", true)) == TL_EXIT_OK) {
                uint32_t domid = 0;
                exit_code = create_domain(&s, &o, &cfg, &img, ramdisk, ramdisk_len, &domid);
                struct rebuild r = { &cfg, &img, ramdisk, ramdisk_len };
                if (exit_code == TL_EXIT_OK && o.foreground && !o.no_monitor) {
                    exit_code = domain_monitor_run(&s, &cfg, domid, rebuild, &r, stderr);
                } else if (exit_code == TL_EXIT_OK && !o.no_monitor &&
                           domain_monitor_spawn(&cfg, domid, rebuild, &r, img.mapped ? img.mapped_fd : -1) < 0) {
                    fprintf(stderr, "%s: domain %u runs unwatched: cannot start its monitor: %s\n",
                            tl_progname, domid, strerror(errno));
                }
                if (exit_code == TL_EXIT_OK && o.console)
                    exit_code = tl_console_attach(&s, domid);
                tl_session_close(&s);
            }
            free(ramdisk);
            kernel_image_free(&img);
        }
    }
    domcfg_free(&cfg);
    return exit_code;
}
