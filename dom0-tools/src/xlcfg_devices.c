/*
 * The xl device specification strings: disk (xl-disk-configuration(5),
 * including the deprecated "phy:/dev/x,xvda,w" forms) and vif
 * (xl-network-configuration(5)).
 */
#include "xlcfg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPEC_LEN 4096

static int why_set(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static char *skip_blanks(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static void trim_trailing(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
}

/* ---- disk ---- */

enum disk_slot { SLOT_TARGET, SLOT_FORMAT, SLOT_VDEV, SLOT_ACCESS, NR_SLOTS };
static const char *const slot_names[NR_SLOTS] = { "target", "format", "vdev", "access" };

struct disk_parse {
    char *slot[NR_SLOTS];
    bool slot_given[NR_SLOTS];
    int positional;                 /* next positional slot */
    bool deprecated;                /* a "prefix:" target: target, vdev, access */
    bool cdrom;
    char *devtype, *backendtype, *script, *backend;
    bool direct_io_safe;
    enum domcfg_bool discard;
    char script_buf[16];            /* "block-nbd" from a deprecated prefix */
};

static int give_slot(struct disk_parse *p, enum disk_slot s, char *v, char *why, size_t size)
{
    if (p->slot_given[s])
        return why_set(why, size, "'%s' is given twice", slot_names[s]);
    p->slot_given[s] = true;
    p->slot[s] = *v ? v : NULL;     /* empty means default */
    return 0;
}

/*
 * Strips the deprecated "format:", "script:" and ignored "phy:"/"tap:aio:"
 * prefixes from a positional target, recording what they mean.
 */
static char *strip_prefixes(struct disk_parse *p, char *target, enum domcfg_disk_format *fmt)
{
    static const char *const ignored[] = { "tapdisk", "tap2", "tap", "aio", "ioemu", "file", "phy" };
    static const char *const formats[] = { "raw", "qcow", "qcow2", "vhd", "qed" };
    static const char *const scripts[] = { "iscsi", "nbd", "enbd", "drbd" };

    for (;;) {
        char *colon = strchr(target, ':');
        if (!colon || colon == target)
            return target;
        size_t n = (size_t)(colon - target);
        bool known = false;
        for (unsigned i = 0; i < sizeof(ignored) / sizeof(*ignored); i++)
            known |= strlen(ignored[i]) == n && !strncmp(target, ignored[i], n);
        for (unsigned i = 0; i < sizeof(formats) / sizeof(*formats); i++)
            if (strlen(formats[i]) == n && !strncmp(target, formats[i], n)) {
                *colon = '\0';
                domcfg_disk_format_parse(target, fmt);
                known = true;
            }
        for (unsigned i = 0; i < sizeof(scripts) / sizeof(*scripts); i++)
            if (strlen(scripts[i]) == n && !strncmp(target, scripts[i], n)) {
                snprintf(p->script_buf, sizeof(p->script_buf), "block-%s", scripts[i]);
                p->script = p->script_buf;
                known = true;
            }
        if (!known)
            return target;
        p->deprecated = true;
        target = colon + 1;
    }
}

static bool is_flag(struct disk_parse *p, const char *item)
{
    if (!strcmp(item, "cdrom"))
        p->cdrom = true;
    else if (!strcmp(item, "direct-io-safe"))
        p->direct_io_safe = true;
    else if (!strcmp(item, "discard"))
        p->discard = DOMCFG_TRUE;
    else if (!strcmp(item, "no-discard"))
        p->discard = DOMCFG_FALSE;
    else
        return false;
    return true;
}

static int disk_keyword(struct disk_parse *p, char *item, char *why, size_t size)
{
    char *eq = strchr(item, '=');
    *eq = '\0';
    char *key = item, *val = eq + 1;
    for (int s = 0; s < NR_SLOTS; s++)
        if (!strcmp(key, slot_names[s]))
            return give_slot(p, (enum disk_slot)s, val, why, size);
    if (!strcmp(key, "devtype"))
        p->devtype = val;
    else if (!strcmp(key, "backendtype"))
        p->backendtype = val;
    else if (!strcmp(key, "script"))
        p->script = val;
    else if (!strcmp(key, "backend"))
        p->backend = val;
    else if (!strncmp(key, "colo", 4) || !strcmp(key, "active-disk") || !strcmp(key, "hidden-disk"))
        return why_set(why, size, "COLO replication ('%s') is not supported", key);
    else
        return why_set(why, size, "unknown disk parameter '%s'", key);
    return 0;
}

static int disk_positional(struct disk_parse *p, char *item, char *why, size_t size)
{
    /* Deprecated form: [prefix:]target, vdev[:devtype], access. */
    static const enum disk_slot deprecated_order[] = { SLOT_TARGET, SLOT_VDEV, SLOT_ACCESS };
    while (p->positional < NR_SLOTS) {
        enum disk_slot s = p->deprecated && p->positional < 3 ? deprecated_order[p->positional]
                                                               : (enum disk_slot)p->positional;
        if (p->deprecated && p->positional >= 3)
            break;
        p->positional++;
        if (!p->slot_given[s])
            return give_slot(p, s, item, why, size);
    }
    return why_set(why, size, "too many positional parameters at '%s'", item);
}

static int finish_disk(struct disk_parse *p, enum domcfg_disk_format fmt, struct domcfg_disk *disk,
                       char *why, size_t size)
{
    char *vdev = p->slot[SLOT_VDEV];
    char *colon = vdev ? strchr(vdev, ':') : NULL;
    if (colon) {        /* deprecated "hdc:cdrom" */
        *colon = '\0';
        if (strcmp(colon + 1, "cdrom"))
            return why_set(why, size, "unknown device type ':%s' after vdev", colon + 1);
        p->cdrom = true;
    }
    if (p->devtype) {
        if (strcmp(p->devtype, "cdrom"))
            return why_set(why, size, "devtype must be cdrom, not '%s'", p->devtype);
        p->cdrom = true;
    }
    if (!vdev || !*vdev)
        return why_set(why, size, "no vdev given (the guest's name for the disk, such as xvda)");
    for (const char *c = vdev; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9')))
            return why_set(why, size, "vdev '%s' is not a device name such as xvda, hdc or sdb1", vdev);

    if (p->slot[SLOT_FORMAT] && domcfg_disk_format_parse(p->slot[SLOT_FORMAT], &fmt))
        return why_set(why, size, "format must be raw, qcow, qcow2, vhd or qed, not '%s'", p->slot[SLOT_FORMAT]);
    disk->format = fmt ? fmt : DOMCFG_DISK_FORMAT_RAW;
    if (p->backendtype && (domcfg_disk_backend_parse(p->backendtype, &disk->backend) ||
                           disk->backend == DOMCFG_DISK_BACKEND_STANDALONE))
        return why_set(why, size, "backendtype must be phy, tap or qdisk, not '%s'", p->backendtype);
    if (disk->backend == DOMCFG_DISK_BACKEND_PHY && disk->format != DOMCFG_DISK_FORMAT_RAW)
        return why_set(why, size, "backendtype phy only takes raw images, not %s", domcfg_disk_format_name(disk->format));

    const char *access = p->slot[SLOT_ACCESS];
    if (!access)
        disk->readwrite = !p->cdrom;
    else if (!strcmp(access, "rw") || !strcmp(access, "w"))
        disk->readwrite = true;
    else if (!strcmp(access, "ro") || !strcmp(access, "r"))
        disk->readwrite = false;
    else
        return why_set(why, size, "access must be rw, w, ro or r, not '%s'", access);
    if (p->cdrom && disk->readwrite)
        return why_set(why, size, "a cdrom cannot be writable");

    char *target = p->slot[SLOT_TARGET];
    if (!target && !p->cdrom)
        return why_set(why, size, "no target given (only a cdrom may be empty)");
    disk->is_cdrom = p->cdrom;
    disk->direct_io_safe = p->direct_io_safe;
    disk->discard = p->discard;
    /* A relative target stays as written, as xl keeps it: the backend
     * resolves it (a device under /dev) when it attaches the disk. */
    if (domcfg_set_str(&disk->target, target))
        return -ENOMEM;
    if (!target)
        disk->format = DOMCFG_DISK_FORMAT_EMPTY;    /* an empty cdrom drive */
    if (domcfg_set_str(&disk->vdev, vdev) || domcfg_set_str(&disk->script, p->script) ||
        domcfg_set_str(&disk->backend_domname, p->backend))
        return -ENOMEM;
    return 0;
}

int xlcfg_parse_disk(const char *spec, struct domcfg_disk *disk, char *why, size_t size)
{
    struct disk_parse p = { 0 };
    enum domcfg_disk_format fmt = DOMCFG_DISK_FORMAT_UNKNOWN;
    int rc = 0;

    if (strlen(spec) > MAX_SPEC_LEN)
        return why_set(why, size, "specification is longer than 4096 characters");
    char *copy = strdup(spec);
    if (!copy)
        return -ENOMEM;

    char *item = copy;
    while (item && !rc) {
        item = skip_blanks(item);
        char *next = NULL;
        if (!strncmp(item, "target=", 7)) {
            /* target= takes the rest of the spec, commas and all. */
            rc = give_slot(&p, SLOT_TARGET, item + 7, why, size);
            break;
        }
        char *comma = strchr(item, ',');
        if (comma) {
            *comma = '\0';
            next = comma + 1;
        }
        trim_trailing(item);
        if (strchr(item, '='))
            rc = disk_keyword(&p, item, why, size);
        else if (!is_flag(&p, item)) {
            if (p.positional == 0 && !p.slot_given[SLOT_TARGET])
                item = strip_prefixes(&p, item, &fmt);
            /* ",hdc:cdrom,r": xend's empty cdrom, also the deprecated order. */
            if (p.positional == 1 && !p.deprecated && strchr(item, ':'))
                p.deprecated = true;
            rc = disk_positional(&p, item, why, size);
        }
        item = next;
    }
    if (!rc)
        rc = finish_disk(&p, fmt, disk, why, size);
    free(copy);
    return rc;
}

/* ---- vif ---- */

/* "10Mb/s@20ms" -> bytes per interval and interval. */
static int parse_rate(const char *s, struct domcfg_nic *nic)
{
    char *end;
    errno = 0;
    unsigned long long amount = strtoull(s, &end, 10);
    if (errno || end == s || amount == 0)
        return -EINVAL;
    uint64_t mult = 1;
    bool bits = false;
    switch (*end) {
    case 'G': mult = 1000ULL * 1000 * 1000; end++; break;
    case 'M': mult = 1000ULL * 1000; end++; break;
    case 'K': case 'k': mult = 1000; end++; break;
    default: break;
    }
    if (*end == 'B')
        end++;
    else if (*end == 'b') {
        bits = true;
        end++;
    } else
        return -EINVAL;
    if (strncmp(end, "/s", 2))
        return -EINVAL;
    end += 2;

    uint64_t usecs = 50000;     /* xl's default replenish interval */
    if (*end == '@') {
        const char *u = end + 1;
        unsigned long long n = strtoull(u, &end, 10);
        if (end == u || n == 0)
            return -EINVAL;
        if (!strcmp(end, "s"))
            usecs = n * 1000000;
        else if (!strcmp(end, "ms"))
            usecs = n * 1000;
        else if (!strcmp(end, "us"))
            usecs = n;
        else
            return -EINVAL;
        /* Up to 1 s, so that every rate has an exact xl.cfg spelling. */
        if (usecs > 1000000 || n > 1000000)
            return -EINVAL;
    } else if (*end) {
        return -EINVAL;
    }
    if (amount > UINT64_MAX / mult / usecs)
        return -ERANGE;
    uint64_t bytes_per_sec = amount * mult / (bits ? 8 : 1);
    uint64_t per_interval = bytes_per_sec * usecs / 1000000;
    if (per_interval == 0 || per_interval >= UINT64_MAX / 1000000 - 1)
        return -ERANGE;
    nic->rate_bytes_per_interval = per_interval;
    nic->rate_interval_usecs = (uint32_t)usecs;
    return 0;
}

int xlcfg_parse_vif(const char *spec, struct domcfg_nic *nic, char *why, size_t size)
{
    int rc = 0;
    if (strlen(spec) > MAX_SPEC_LEN)
        return why_set(why, size, "specification is longer than 4096 characters");
    char *copy = strdup(spec);
    if (!copy)
        return -ENOMEM;

    for (char *item = copy, *next; item && !rc; item = next) {
        char *comma = strchr(item, ',');
        next = comma ? comma + 1 : NULL;
        if (comma)
            *comma = '\0';
        item = skip_blanks(item);
        trim_trailing(item);
        if (!*item)
            continue;
        char *eq = strchr(item, '=');
        if (!eq) {
            rc = why_set(why, size, "expected key=value, found '%s'", item);
            break;
        }
        *eq = '\0';
        const char *key = item, *val = eq + 1;
        if (!strcmp(key, "mac")) {
            if (domcfg_mac_parse(val, nic->mac))
                rc = why_set(why, size, "mac must be six hex pairs such as 00:16:3e:01:02:03, not '%s'", val);
            else if (nic->mac[0] & 1)
                rc = why_set(why, size, "mac '%s' is a multicast address", val);
            nic->has_mac = !rc;
        } else if (!strcmp(key, "bridge")) {
            rc = domcfg_set_str(&nic->bridge, val);
        } else if (!strcmp(key, "ip")) {
            rc = domcfg_set_str(&nic->ip, val);
        } else if (!strcmp(key, "script")) {
            rc = domcfg_set_str(&nic->script, val);
        } else if (!strcmp(key, "backend")) {
            rc = domcfg_set_str(&nic->backend_domname, val);
        } else if (!strcmp(key, "vifname")) {
            rc = domcfg_set_str(&nic->ifname, val);
        } else if (!strcmp(key, "model")) {
            rc = domcfg_set_str(&nic->model, val);
        } else if (!strcmp(key, "type")) {
            if (strcmp(val, "vif"))
                rc = why_set(why, size, "type must be vif (emulated ioemu NICs are not offered), not '%s'", val);
            nic->type_vif = !rc;
        } else if (!strcmp(key, "rate")) {
            if (parse_rate(val, nic))
                rc = why_set(why, size, "rate must look like 10Mb/s or 1MB/s@20ms (interval up to 1s), not '%s'", val);
        } else if (!strcmp(key, "mtu")) {
            char *end;
            long m = strtol(val, &end, 10);
            if (*end || m < 68 || m > 65535)
                rc = why_set(why, size, "mtu must be a number from 68 to 65535, not '%s'", val);
            nic->mtu = (int)m;
        } else {
            rc = why_set(why, size, "unknown vif parameter '%s'", key);
        }
    }
    free(copy);
    return rc;
}
