/*
 * Reading libvirt domain XML into the domain config. Accepts the subset of
 * libvirt's schema that describes a Xen PV/PVH/HVM guest; elements it does
 * not model are reported as warnings, values it cannot honour as errors
 * with the line they are on. No DTDs, entities or network access.
 */
#include "domxml.h"
#include "xml_lib.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


struct xml_ctx {
    struct domcfg *cfg;
    struct diag *d;
};

static bool is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static int line_of(const xmlNode *n) { return (int)X.GetLineNo(n); }

/* Attribute value, or NULL; caller frees with xmlFree. */
static char *attr(const xmlNode *n, const char *name)
{
    return (char *)X.GetProp(n, (const xmlChar *)name);
}

/* Element text with surrounding blanks trimmed; heap, caller frees. */
static char *text_of(const xmlNode *n)
{
    xmlChar *raw = X.NodeGetContent(n);
    if (!raw)
        return strdup("");
    const char *s = (const char *)raw;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    char *out = strndup(s, len);
    X.Free(raw);
    return out;
}

static int set_text(struct xml_ctx *c, const xmlNode *n, char **dst)
{
    char *t = text_of(n);
    if (!t)
        return -ENOMEM;
    free(*dst);
    *dst = t;
    (void)c;
    return 0;
}

static int parse_u64_text(const char *s, uint64_t *v)
{
    char *end;
    if (!*s || *s == '-' || *s == '+')
        return -EINVAL;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || *end)
        return -EINVAL;
    *v = n;
    return 0;
}

/* libvirt's scaled integers: unit names and multipliers. */
static int unit_multiplier(const char *unit, uint64_t *mult)
{
    static const struct { const char *name; uint64_t mult; } units[] = {
        { "b", 1 }, { "bytes", 1 }, { "KB", 1000 }, { "k", 1024 }, { "KiB", 1024 },
        { "MB", 1000000 }, { "M", 1ULL << 20 }, { "MiB", 1ULL << 20 },
        { "GB", 1000000000 }, { "G", 1ULL << 30 }, { "GiB", 1ULL << 30 },
        { "TB", 1000000000000ULL }, { "T", 1ULL << 40 }, { "TiB", 1ULL << 40 },
    };
    if (!unit) {
        *mult = 1024;
        return 0;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (!strcmp(unit, units[i].name)) {
            *mult = units[i].mult;
            return 0;
        }
    return -EINVAL;
}

static int memory_kib(struct xml_ctx *c, const xmlNode *n, uint64_t *kib)
{
    char *unit = attr(n, "unit"), *t = text_of(n);
    uint64_t value, mult;
    int rc = 0;

    if (!t)
        rc = -ENOMEM;
    else if (unit_multiplier(unit, &mult))
        rc = diag_error(c->d, line_of(n), 0, "<%s> unit '%s' is not one of b, KB, KiB, MB, MiB, GB, GiB, TB, TiB",
                        n->name, unit);
    else if (parse_u64_text(t, &value) || value == 0 || value > (UINT64_MAX / mult))
        rc = diag_error(c->d, line_of(n), 0, "<%s> expects a positive whole number, not '%s'", n->name, t);
    else if ((*kib = (value * mult + 1023) / 1024) > (16ULL << 30))
        rc = diag_error(c->d, line_of(n), 0, "<%s> is more than 16 TiB", n->name);
    X.Free(unit);
    free(t);
    return rc;
}

static int read_vcpu(struct xml_ctx *c, const xmlNode *n)
{
    char *t = text_of(n), *current = attr(n, "current"), *cpuset = attr(n, "cpuset");
    uint64_t max, cur;
    int rc = 0;

    if (!t)
        rc = -ENOMEM;
    else if (parse_u64_text(t, &max) || max < 1 || max > DOMCFG_MAX_VCPUS)
        rc = diag_error(c->d, line_of(n), 0, "<vcpu> expects a number from 1 to %d, not '%s'", DOMCFG_MAX_VCPUS, t);
    else if (current && (parse_u64_text(current, &cur) || cur < 1 || cur > max))
        rc = diag_error(c->d, line_of(n), 0, "<vcpu current='%s'> must be from 1 to the vcpu count", current);
    else if (cpuset && domcfg_cpumap_parse(cpuset, c->cfg->cpumap))
        rc = diag_error(c->d, line_of(n), 0, "<vcpu cpuset='%s'> is not a CPU list such as 0-3,^2", cpuset);
    if (!rc) {
        c->cfg->max_vcpus = (unsigned)max;
        c->cfg->vcpus = current ? (unsigned)cur : (unsigned)max;
        c->cfg->has_cpumap = cpuset != NULL;
    }
    free(t);
    X.Free(current);
    X.Free(cpuset);
    return rc;
}

static int read_os(struct xml_ctx *c, const xmlNode *os)
{
    int rc = 0;
    for (const xmlNode *n = os->children; n && !rc; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "type")) {
            char *t = text_of(n), *arch = attr(n, "arch");
            if (!t)
                rc = -ENOMEM;
            else if (!strcmp(t, "linux") || !strcmp(t, "xen"))
                c->cfg->type = DOMCFG_TYPE_PV;
            else if (!strcmp(t, "xenpvh"))
                c->cfg->type = DOMCFG_TYPE_PVH;
            else if (!strcmp(t, "hvm"))
                c->cfg->type = DOMCFG_TYPE_HVM;
            else
                rc = diag_error(c->d, line_of(n), 0, "<os><type> must be linux (PV), xenpvh or hvm, not '%s'", t);
            if (!rc && arch && strcmp(arch, "x86_64"))
                rc = diag_error(c->d, line_of(n), 0, "<os><type arch='%s'>: only x86_64 guests are supported", arch);
            free(t);
            X.Free(arch);
        } else if (is(n, "kernel")) {
            rc = set_text(c, n, &c->cfg->kernel);
        } else if (is(n, "initrd")) {
            rc = set_text(c, n, &c->cfg->ramdisk);
        } else if (is(n, "cmdline")) {
            rc = set_text(c, n, &c->cfg->cmdline);
        } else if (is(n, "loader")) {
            rc = set_text(c, n, &c->cfg->firmware);
        } else if (is(n, "boot") || is(n, "bios") || is(n, "smbios")) {
            /* HVM boot order and BIOS knobs: nothing to set yet. */
        } else {
            diag_warn(c->d, line_of(n), 0, "<os><%s> is not supported; ignored", n->name);
        }
    }
    return rc;
}

static int read_features(struct xml_ctx *c, const xmlNode *f)
{
    for (const xmlNode *n = f->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "hap")) {
            char *state = attr(n, "state");
            bool off = state && !strcmp(state, "off");
            bool bad = state && !off && strcmp(state, "on");
            X.Free(state);
            if (bad)
                return diag_error(c->d, line_of(n), 0, "<hap state=...> must be on or off");
            c->cfg->hap = off ? DOMCFG_FALSE : DOMCFG_TRUE;
        } else if (is(n, "hyperv") || is(n, "viridian")) {
            return diag_error(c->d, line_of(n), 0, "<%s> is not supported: Tessera offers no Hyper-V enlightenments",
                              n->name);
        } else if (!is(n, "pae") && !is(n, "acpi") && !is(n, "apic")) {
            diag_warn(c->d, line_of(n), 0, "<features><%s> is not supported; ignored", n->name);
        }
    }
    return 0;
}

static int read_cputune(struct xml_ctx *c, const xmlNode *t)
{
    uint64_t period = 0, quota = 0;
    for (const xmlNode *n = t->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        char *v = text_of(n);
        uint64_t num;
        int bad = !v || parse_u64_text(v, &num);
        free(v);
        if (is(n, "shares")) {
            if (bad || num < 1 || num > 65535)
                return diag_error(c->d, line_of(n), 0, "<shares> (the credit weight) must be from 1 to 65535");
            c->cfg->sched_weight = (int)num;
        } else if (is(n, "period") || is(n, "quota")) {
            if (bad || num == 0 || num > 1000000000)
                return diag_error(c->d, line_of(n), 0, "<%s> must be a positive number of microseconds", n->name);
            *(is(n, "period") ? &period : &quota) = num;
        } else {
            diag_warn(c->d, line_of(n), 0, "<cputune><%s> is not supported; ignored", n->name);
        }
    }
    if (quota && period) {
        /* cap is percent of one CPU: quota/period. */
        uint64_t cap = quota * 100 / period;
        if (cap > 100 * DOMCFG_MAX_VCPUS)
            return diag_error(c->d, line_of(t), 0, "<cputune> quota/period is above %d%%", 100 * DOMCFG_MAX_VCPUS);
        c->cfg->sched_cap = (int)cap;
    }
    return 0;
}

static int read_disk(struct xml_ctx *c, const xmlNode *disk)
{
    struct domcfg_disk *d = domcfg_add_disk(c->cfg);
    char *type = attr(disk, "type"), *device = attr(disk, "device");
    int rc = 0;

    if (!d) {
        rc = -ENOMEM;
        goto out;
    }
    if (type && strcmp(type, "file") && strcmp(type, "block")) {
        rc = diag_error(c->d, line_of(disk), 0, "<disk type='%s'>: only file and block disks are supported", type);
        goto out;
    }
    if (device && strcmp(device, "disk") && strcmp(device, "cdrom")) {
        rc = diag_error(c->d, line_of(disk), 0, "<disk device='%s'>: only disk and cdrom are supported", device);
        goto out;
    }
    d->is_cdrom = device && !strcmp(device, "cdrom");
    d->readwrite = !d->is_cdrom;
    d->format = DOMCFG_DISK_FORMAT_RAW;

    for (const xmlNode *n = disk->children; n && !rc; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "source")) {
            char *path = attr(n, "file");
            if (!path)
                path = attr(n, "dev");
            rc = domcfg_set_str(&d->target, path);
            X.Free(path);
        } else if (is(n, "target")) {
            char *dev = attr(n, "dev");
            rc = domcfg_set_str(&d->vdev, dev);
            X.Free(dev);
        } else if (is(n, "driver")) {
            char *name = attr(n, "name"), *fmt = attr(n, "type"), *discard = attr(n, "discard");
            if (name && !strcmp(name, "qemu"))
                d->backend = DOMCFG_DISK_BACKEND_QDISK;
            else if (name && (!strcmp(name, "tap") || !strcmp(name, "tap2")))
                d->backend = DOMCFG_DISK_BACKEND_TAP;
            else if (name && !strcmp(name, "phy"))
                d->backend = DOMCFG_DISK_BACKEND_PHY;
            else if (name && strcmp(name, "file"))
                rc = diag_error(c->d, line_of(n), 0, "<driver name='%s'> must be phy, tap, qemu or file", name);
            if (!rc && fmt && (domcfg_disk_format_parse(fmt, &d->format) || d->format == DOMCFG_DISK_FORMAT_EMPTY))
                rc = diag_error(c->d, line_of(n), 0, "<driver type='%s'> must be raw, qcow, qcow2, vhd or qed", fmt);
            if (!rc && discard)
                d->discard = !strcmp(discard, "unmap") ? DOMCFG_TRUE : DOMCFG_FALSE;
            X.Free(name);
            X.Free(fmt);
            X.Free(discard);
        } else if (is(n, "readonly")) {
            d->readwrite = false;
        } else if (is(n, "backenddomain")) {
            char *name = attr(n, "name");
            rc = domcfg_set_str(&d->backend_domname, name);
            X.Free(name);
        } else if (!is(n, "shareable") && !is(n, "address") && !is(n, "alias") && !is(n, "backingStore")) {
            diag_warn(c->d, line_of(n), 0, "<disk><%s> is not supported; ignored", n->name);
        }
    }
    if (!rc && !d->vdev)
        rc = diag_error(c->d, line_of(disk), 0, "<disk> needs <target dev='...'/> (the guest's name, such as xvda)");
    if (!rc && !d->target && !d->is_cdrom)
        rc = diag_error(c->d, line_of(disk), 0, "<disk> needs <source file='...'/> or <source dev='...'/>");
    if (!rc && d->is_cdrom && d->readwrite)
        d->readwrite = false;
    if (!rc && !d->target)
        d->format = DOMCFG_DISK_FORMAT_EMPTY;       /* an empty cdrom drive */
out:
    X.Free(type);
    X.Free(device);
    return rc;
}

static int read_interface(struct xml_ctx *c, const xmlNode *itf)
{
    struct domcfg_nic *nic = domcfg_add_nic(c->cfg);
    char *type = attr(itf, "type");
    int rc = 0;

    if (!nic)
        rc = -ENOMEM;
    else if (type && strcmp(type, "bridge") && strcmp(type, "ethernet"))
        rc = diag_error(c->d, line_of(itf), 0, "<interface type='%s'>: only bridge and ethernet are supported", type);
    X.Free(type);

    for (const xmlNode *n = itf->children; n && !rc; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        const char *attr_name = is(n, "mac") ? "address" : is(n, "source") ? "bridge"
                              : is(n, "script") ? "path" : is(n, "ip") ? "address"
                              : is(n, "target") ? "dev" : is(n, "model") ? "type"
                              : is(n, "backenddomain") ? "name" : is(n, "mtu") ? "size" : NULL;
        if (!attr_name) {
            if (!is(n, "address") && !is(n, "alias"))
                diag_warn(c->d, line_of(n), 0, "<interface><%s> is not supported; ignored", n->name);
            continue;
        }
        char *v = attr(n, attr_name);
        if (!v) {
            rc = diag_error(c->d, line_of(n), 0, "<%s> needs its %s attribute", n->name, attr_name);
        } else if (is(n, "mac")) {
            if (domcfg_mac_parse(v, nic->mac) || (nic->mac[0] & 1))
                rc = diag_error(c->d, line_of(n), 0, "<mac address='%s'> is not a unicast MAC such as 00:16:3e:01:02:03", v);
            nic->has_mac = !rc;
        } else if (is(n, "mtu")) {
            char *end;
            long m = strtol(v, &end, 10);
            if (*end || m < 68 || m > 65535)
                rc = diag_error(c->d, line_of(n), 0, "<mtu size='%s'> must be from 68 to 65535", v);
            nic->mtu = (int)m;
        } else {
            char **dst = is(n, "source") ? &nic->bridge : is(n, "script") ? &nic->script
                       : is(n, "ip") ? &nic->ip : is(n, "target") ? &nic->ifname
                       : is(n, "model") ? &nic->model : &nic->backend_domname;
            rc = domcfg_set_str(dst, v);
        }
        X.Free(v);
    }
    return rc;
}

static int read_devices(struct xml_ctx *c, const xmlNode *devs)
{
    int rc = 0;
    for (const xmlNode *n = devs->children; n && !rc; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "disk"))
            rc = read_disk(c, n);
        else if (is(n, "interface"))
            rc = read_interface(c, n);
        else if (is(n, "console") || is(n, "serial") || is(n, "emulator") || is(n, "memballoon")) {
            /* Every PV guest has its one console; nothing to configure. */
        } else
            diag_warn(c->d, line_of(n), 0, "<devices><%s> is not supported; ignored", n->name);
    }
    return rc;
}

static int read_action(struct xml_ctx *c, const xmlNode *n, enum domcfg_action *a)
{
    char *t = text_of(n);
    int rc = !t ? -ENOMEM : 0;
    if (t && domcfg_action_parse(t, a))
        rc = diag_error(c->d, line_of(n), 0, "<%s> must be destroy, restart, preserve, rename-restart, "
                        "coredump-destroy or coredump-restart, not '%s'", n->name, t);
    free(t);
    return rc;
}

static int read_domain(struct xml_ctx *c, const xmlNode *dom)
{
    char *type = attr(dom, "type");
    bool xen = type && !strcmp(type, "xen");
    int rc = xen ? 0 : diag_error(c->d, line_of(dom), 0, "<domain type='%s'> is not a Xen domain: expected type='xen'",
                                  type ? type : "");
    X.Free(type);

    for (const xmlNode *n = dom->children; n && !rc; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (is(n, "name")) {
            rc = set_text(c, n, &c->cfg->name);
        } else if (is(n, "uuid")) {
            char *t = text_of(n);
            if (!t || domcfg_uuid_parse(t, c->cfg->uuid))
                rc = diag_error(c->d, line_of(n), 0, "<uuid> is not xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx");
            c->cfg->has_uuid = !rc;
            free(t);
        } else if (is(n, "memory") || is(n, "maxMemory")) {
            rc = memory_kib(c, n, &c->cfg->max_memkb);
        } else if (is(n, "currentMemory")) {
            rc = memory_kib(c, n, &c->cfg->target_memkb);
        } else if (is(n, "vcpu")) {
            rc = read_vcpu(c, n);
        } else if (is(n, "os")) {
            rc = read_os(c, n);
        } else if (is(n, "features")) {
            rc = read_features(c, n);
        } else if (is(n, "cputune")) {
            rc = read_cputune(c, n);
        } else if (is(n, "devices")) {
            rc = read_devices(c, n);
        } else if (is(n, "on_poweroff")) {
            rc = read_action(c, n, &c->cfg->on_poweroff);
        } else if (is(n, "on_reboot")) {
            rc = read_action(c, n, &c->cfg->on_reboot);
        } else if (is(n, "on_crash")) {
            rc = read_action(c, n, &c->cfg->on_crash);
        } else if (is(n, "bootloader") || is(n, "bootloader_args")) {
            rc = diag_error(c->d, line_of(n), 0, "<%s> is not supported: tl runs no bootloader (pygrub); "
                            "give <os><kernel> and <initrd>", n->name);
        } else if (!is(n, "title") && !is(n, "description") && !is(n, "metadata") && !is(n, "clock")) {
            diag_warn(c->d, line_of(n), 0, "<%s> is not supported; ignored", n->name);
        }
    }
    /* libvirt's <memory> is the maximum; currentMemory defaults to it. */
    if (!rc && !c->cfg->target_memkb)
        c->cfg->target_memkb = c->cfg->max_memkb;
    if (!rc && !c->cfg->max_memkb)
        c->cfg->max_memkb = c->cfg->target_memkb;
    return rc;
}

static void collect_xml_error(void *arg, xmlErrorPtr err)
{
    struct diag *d = arg;
    if (err->level < XML_ERR_ERROR)
        return;
    char msg[256];
    snprintf(msg, sizeof(msg), "%s", err->message ? err->message : "malformed XML");
    size_t n = strlen(msg);
    while (n && msg[n - 1] == '\n')
        msg[--n] = '\0';
    diag_error(d, err->line, err->int2, "malformed XML: %s", msg);
}

int domxml_load(const char *text, size_t len, struct domcfg *cfg, struct diag *d)
{
    struct xml_ctx c = { cfg, d };
    int rc;

    const char *why;
    if (xml_lib_load(&why))
        return diag_error(d, 0, 0, "%s", why);
    if (len > INT32_MAX)
        return diag_error(d, 0, 0, "XML document is too large");
    X.SetStructuredErrorFunc(d, collect_xml_error);
    xmlDoc *doc = X.ReadMemory(text, (int)len, d->file, NULL,
                                XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
    X.SetStructuredErrorFunc(NULL, NULL);
    if (!doc)
        return d->error[0] ? -EINVAL : diag_error(d, 0, 0, "malformed XML");

    xmlNode *root = X.DocGetRootElement(doc);
    if (doc->intSubset || doc->extSubset)
        rc = diag_error(d, 0, 0, "XML with a DOCTYPE is not accepted (no DTDs or entities)");
    else if (!root || !is(root, "domain"))
        rc = diag_error(d, root ? line_of(root) : 0, 0, "expected a <domain> root element");
    else
        rc = read_domain(&c, root);
    X.FreeDoc(doc);
    return rc;
}
