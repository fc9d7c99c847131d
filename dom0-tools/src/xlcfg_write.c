/*
 * Writing a domain config back as xl.cfg text, in the spelling people
 * write by hand: one key per line, strings quoted, devices as spec strings.
 */
#include "xlcfg.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
    char *buf;
    size_t len;
    bool failed;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (o->failed || n < 0)
        return;
    char *bigger = realloc(o->buf, o->len + (size_t)n + 1);
    if (!bigger) {
        o->failed = true;
        return;
    }
    o->buf = bigger;
    va_start(ap, fmt);
    vsnprintf(o->buf + o->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    o->len += (size_t)n;
}

/* A quoted string with the escapes the reader understands. */
static void put_quoted(struct out *o, const char *s)
{
    put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            put(o, "\\%c", c);
        else if (c == '\n')
            put(o, "\\n");
        else if (c == '\t')
            put(o, "\\t");
        else if (c < 0x20 || c == 0x7f)
            put(o, "\\x%02x", c);
        else
            put(o, "%c", c);
    }
    put(o, "\"");
}

static void put_key_str(struct out *o, const char *key, const char *value)
{
    if (!value)
        return;
    put(o, "%s = ", key);
    put_quoted(o, value);
    put(o, "\n");
}

static void put_disk(struct out *o, const struct domcfg_disk *d)
{
    /* target= goes last: it takes the rest of the spec, commas included. */
    char spec[8192];
    /* An empty drive's format (empty) is implied by having no target. */
    int n = d->format == DOMCFG_DISK_FORMAT_EMPTY
        ? snprintf(spec, sizeof(spec), "vdev=%s, access=%s", d->vdev, d->readwrite ? "rw" : "ro")
        : snprintf(spec, sizeof(spec), "format=%s, vdev=%s, access=%s",
                   domcfg_disk_format_name(d->format), d->vdev, d->readwrite ? "rw" : "ro");
    if (d->is_cdrom)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", devtype=cdrom");
    if (d->backend)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", backendtype=%s", domcfg_disk_backend_name(d->backend));
    if (d->backend_domname)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", backend=%s", d->backend_domname);
    if (d->script)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", script=%s", d->script);
    if (d->direct_io_safe)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", direct-io-safe");
    if (d->discard)
        n += snprintf(spec + n, sizeof(spec) - (size_t)n, ", %s", d->discard == DOMCFG_TRUE ? "discard" : "no-discard");
    if (d->target && n > 0 && (size_t)n < sizeof(spec))
        snprintf(spec + n, sizeof(spec) - (size_t)n, ", target=%s", d->target);
    put(o, "    ");
    put_quoted(o, spec);
    put(o, ",\n");
}

static void put_nic(struct out *o, const struct domcfg_nic *nic)
{
    char spec[4096] = "";
    size_t n = 0;
#define ADD(...) do { if (n < sizeof(spec)) n += (size_t)snprintf(spec + n, sizeof(spec) - n, __VA_ARGS__); } while (0)
    if (nic->has_mac) {
        char mac[18];
        domcfg_mac_format(nic->mac, mac);
        ADD("mac=%s", mac);
    }
    if (nic->bridge) ADD("%sbridge=%s", n ? ", " : "", nic->bridge);
    if (nic->ip) ADD("%sip=%s", n ? ", " : "", nic->ip);
    if (nic->script) ADD("%sscript=%s", n ? ", " : "", nic->script);
    if (nic->backend_domname) ADD("%sbackend=%s", n ? ", " : "", nic->backend_domname);
    if (nic->ifname) ADD("%svifname=%s", n ? ", " : "", nic->ifname);
    if (nic->model) ADD("%smodel=%s", n ? ", " : "", nic->model);
    if (nic->mtu) ADD("%smtu=%d", n ? ", " : "", nic->mtu);
    if (nic->type_vif) ADD("%stype=vif", n ? ", " : "");
    if (nic->rate_bytes_per_interval && nic->rate_interval_usecs) {
        /* Rounding the per-second rate up reads back to the same bytes per
         * interval, for intervals up to 1 s (the reader's limit). */
        uint64_t u = nic->rate_interval_usecs;
        ADD("%srate=%" PRIu64 "B/s@%" PRIu64 "us", n ? ", " : "",
            (nic->rate_bytes_per_interval * 1000000 + u - 1) / u, u);
    }
#undef ADD
    put(o, "    ");
    put_quoted(o, spec);
    put(o, ",\n");
}

char *xlcfg_write(const struct domcfg *cfg)
{
    struct out o = { 0 };

    put_key_str(&o, "name", cfg->name);
    if (cfg->has_uuid) {
        char uuid[37];
        domcfg_uuid_format(cfg->uuid, uuid);
        put_key_str(&o, "uuid", uuid);
    }
    put_key_str(&o, "type", domcfg_type_name(cfg->type));
    put(&o, "memory = %" PRIu64 "\n", cfg->target_memkb / 1024);
    if (cfg->max_memkb != cfg->target_memkb)
        put(&o, "maxmem = %" PRIu64 "\n", cfg->max_memkb / 1024);
    put(&o, "vcpus = %u\n", cfg->vcpus);
    if (cfg->max_vcpus != cfg->vcpus)
        put(&o, "maxvcpus = %u\n", cfg->max_vcpus);
    if (cfg->has_cpumap) {
        char *cpus = domcfg_cpumap_format(cfg->cpumap);
        put_key_str(&o, "cpus", cpus ? cpus : "all");
        free(cpus);
    }
    if (cfg->sched_weight >= 0)
        put(&o, "cpu_weight = %d\n", cfg->sched_weight);
    if (cfg->sched_cap >= 0)
        put(&o, "cap = %d\n", cfg->sched_cap);
    put_key_str(&o, "kernel", cfg->kernel);
    put_key_str(&o, "ramdisk", cfg->ramdisk);
    put_key_str(&o, "cmdline", cfg->cmdline);
    put_key_str(&o, "firmware_override", cfg->firmware);
    if (cfg->hap)
        put(&o, "hap = %d\n", cfg->hap == DOMCFG_TRUE);
    put_key_str(&o, "on_poweroff", domcfg_action_cfg_name(cfg->on_poweroff));
    put_key_str(&o, "on_reboot", domcfg_action_cfg_name(cfg->on_reboot));
    put_key_str(&o, "on_crash", domcfg_action_cfg_name(cfg->on_crash));
    put_key_str(&o, "on_watchdog", domcfg_action_cfg_name(cfg->on_watchdog));
    put_key_str(&o, "on_soft_reset", domcfg_action_cfg_name(cfg->on_soft_reset));
    if (cfg->nr_disks) {
        put(&o, "disk = [\n");
        for (size_t i = 0; i < cfg->nr_disks; i++)
            put_disk(&o, &cfg->disks[i]);
        put(&o, "]\n");
    }
    if (cfg->nr_nics) {
        put(&o, "vif = [\n");
        for (size_t i = 0; i < cfg->nr_nics; i++)
            put_nic(&o, &cfg->nics[i]);
        put(&o, "]\n");
    }
    if (o.failed) {
        free(o.buf);
        return NULL;
    }
    return o.buf;
}
