/*
 * JSON output through libyajl. Key names and enum spellings follow libxl's
 * IDL so scripts written against "xl create -n" keep working.
 */
#include "domcfg_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

static void put_str(yajl_gen g, const char *s)
{
    yajl_gen_string(g, (const unsigned char *)s, strlen(s));
}

static void put_key_str(yajl_gen g, const char *key, const char *value)
{
    if (!value)
        return;
    put_str(g, key);
    put_str(g, value);
}

static void put_key_int(yajl_gen g, const char *key, long long value)
{
    put_str(g, key);
    yajl_gen_integer(g, value);
}

/* libxl prints a defbool as "True" or "False" and omits the default. */
static void put_key_defbool(yajl_gen g, const char *key, enum domcfg_bool b)
{
    if (b != DOMCFG_DEFAULT)
        put_key_str(g, key, b == DOMCFG_TRUE ? "True" : "False");
}

static void put_bitmap(yajl_gen g, const char *key, const uint64_t *map, unsigned bits)
{
    put_str(g, key);
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < bits; i++)
        if ((map[i / 64] >> (i % 64)) & 1)
            yajl_gen_integer(g, i);
    yajl_gen_array_close(g);
}

static void put_c_info(yajl_gen g, const struct domcfg *cfg)
{
    put_str(g, "c_info");
    yajl_gen_map_open(g);
    put_key_str(g, "type", domcfg_type_name(cfg->type));
    put_key_defbool(g, "hap", cfg->hap);
    put_key_str(g, "name", cfg->name);
    if (cfg->has_uuid) {
        char uuid[37];
        domcfg_uuid_format(cfg->uuid, uuid);
        put_key_str(g, "uuid", uuid);
    }
    yajl_gen_map_close(g);
}

static void put_b_info(yajl_gen g, const struct domcfg *cfg)
{
    uint64_t avail[DOMCFG_MAX_VCPUS / 64] = { 0 };
    for (unsigned i = 0; i < cfg->vcpus && i < DOMCFG_MAX_VCPUS; i++)
        avail[i / 64] |= 1ULL << (i % 64);

    put_str(g, "b_info");
    yajl_gen_map_open(g);
    put_key_int(g, "max_vcpus", cfg->max_vcpus);
    put_bitmap(g, "avail_vcpus", avail, DOMCFG_MAX_VCPUS);
    put_key_int(g, "max_memkb", (long long)cfg->max_memkb);
    put_key_int(g, "target_memkb", (long long)cfg->target_memkb);
    put_str(g, "sched_params");
    yajl_gen_map_open(g);
    if (cfg->sched_weight >= 0)
        put_key_int(g, "weight", cfg->sched_weight);
    if (cfg->sched_cap >= 0)
        put_key_int(g, "cap", cfg->sched_cap);
    yajl_gen_map_close(g);
    put_key_str(g, "kernel", cfg->kernel);
    put_key_str(g, "cmdline", cfg->cmdline);
    put_key_str(g, "ramdisk", cfg->ramdisk);
    if (cfg->has_cpumap && cfg->max_vcpus) {
        /* xl turns cpus= into the same hard affinity for every vCPU. */
        put_str(g, "vcpu_hard_affinity");
        yajl_gen_array_open(g);
        for (unsigned i = 0; i < cfg->max_vcpus; i++) {
            yajl_gen_array_open(g);
            for (unsigned c = 0; c < DOMCFG_MAX_CPUS; c++)
                if ((cfg->cpumap[c / 64] >> (c % 64)) & 1)
                    yajl_gen_integer(g, c);
            yajl_gen_array_close(g);
        }
        yajl_gen_array_close(g);
    }

    /* libxl's build-info union, keyed by the domain type. */
    char type_key[16];
    snprintf(type_key, sizeof(type_key), "type.%s", domcfg_type_name(cfg->type));
    put_str(g, type_key);
    yajl_gen_map_open(g);
    if (cfg->type == DOMCFG_TYPE_HVM) {
        put_key_str(g, "firmware", cfg->firmware);
        /* Present, empty, in libxl's HVM build info: kept for its shape. */
        static const char *const empty_maps[] = { "rdm", "sdl", "spice", "vga", "vnc" };
        for (size_t i = 0; i < sizeof(empty_maps) / sizeof(empty_maps[0]); i++) {
            put_str(g, empty_maps[i]);
            yajl_gen_map_open(g);
            yajl_gen_map_close(g);
        }
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
}

static void put_disk(yajl_gen g, const struct domcfg_disk *d)
{
    yajl_gen_map_open(g);
    put_key_str(g, "backend_domname", d->backend_domname);
    /* An empty cdrom has an empty path, as libxl writes it. */
    put_key_str(g, "pdev_path", d->target ? d->target : d->is_cdrom ? "" : NULL);
    put_key_str(g, "vdev", d->vdev);
    if (d->backend)
        put_key_str(g, "backend", domcfg_disk_backend_name(d->backend));
    if (d->format != DOMCFG_DISK_FORMAT_UNKNOWN)
        put_key_str(g, "format", domcfg_disk_format_name(d->format));
    put_key_str(g, "script", d->script);
    if (d->is_cdrom)
        put_key_int(g, "removable", 1);
    if (d->readwrite)
        put_key_int(g, "readwrite", 1);
    if (d->is_cdrom)
        put_key_int(g, "is_cdrom", 1);
    if (d->direct_io_safe) {
        put_str(g, "direct_io_safe");
        yajl_gen_bool(g, 1);
    }
    put_key_defbool(g, "discard_enable", d->discard);
    yajl_gen_map_close(g);
}

static void put_nic(yajl_gen g, const struct domcfg_nic *n)
{
    yajl_gen_map_open(g);
    put_key_str(g, "backend_domname", n->backend_domname);
    put_key_int(g, "devid", n->devid);
    if (n->mtu)
        put_key_int(g, "mtu", n->mtu);
    put_key_str(g, "model", n->model);
    if (n->has_mac) {
        char mac[18];
        domcfg_mac_format(n->mac, mac);
        put_key_str(g, "mac", mac);
    }
    put_key_str(g, "ip", n->ip);
    put_key_str(g, "bridge", n->bridge);
    put_key_str(g, "ifname", n->ifname);
    put_key_str(g, "script", n->script);
    if (n->type_vif)
        put_key_str(g, "nictype", "vif");
    if (n->rate_bytes_per_interval) {
        put_key_int(g, "rate_bytes_per_interval", (long long)n->rate_bytes_per_interval);
        put_key_int(g, "rate_interval_usecs", n->rate_interval_usecs);
    }
    yajl_gen_map_close(g);
}

/* libxl omits an action equal to its enum's initial value, destroy; unset is the same. */
static void put_action(yajl_gen g, const char *key, enum domcfg_action a)
{
    if (a != DOMCFG_ACTION_DESTROY && a != DOMCFG_ACTION_UNSET)
        put_key_str(g, key, domcfg_action_json_name(a));
}

void domcfg_json_gen(yajl_gen g, const struct domcfg *cfg)
{
    yajl_gen_map_open(g);
    put_c_info(g, cfg);
    put_b_info(g, cfg);
    if (cfg->nr_disks) {
        put_str(g, "disks");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < cfg->nr_disks; i++)
            put_disk(g, &cfg->disks[i]);
        yajl_gen_array_close(g);
    }
    if (cfg->nr_nics) {
        put_str(g, "nics");
        yajl_gen_array_open(g);
        for (size_t i = 0; i < cfg->nr_nics; i++)
            put_nic(g, &cfg->nics[i]);
        yajl_gen_array_close(g);
    }
    put_action(g, "on_poweroff", cfg->on_poweroff);
    put_action(g, "on_reboot", cfg->on_reboot);
    put_action(g, "on_watchdog", cfg->on_watchdog);
    put_action(g, "on_crash", cfg->on_crash);
    put_action(g, "on_soft_reset", cfg->on_soft_reset);
    yajl_gen_map_close(g);
}

char *domcfg_to_json(const struct domcfg *cfg)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    domcfg_json_gen(g, cfg);

    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (out = malloc(len + 2))) {
        memcpy(out, buf, len);
        if (!len || buf[len - 1] != '\n')
            out[len++] = '\n';
        out[len] = '\0';
    }
    yajl_gen_free(g);
    return out;
}
