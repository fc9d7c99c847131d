/*
 * Writing a domain config as libvirt domain XML. What libvirt has no
 * element for (disk scripts, vif rate, on_watchdog, on_soft_reset) is left
 * out; docs/tl.md lists it.
 */
#include "domxml.h"
#include "xml_lib.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static xmlNode *child(xmlNode *parent, const char *name, const char *text)
{
    return X.NewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text);
}

static void set_attr(xmlNode *n, const char *name, const char *value)
{
    if (value)
        X.NewProp(n, (const xmlChar *)name, (const xmlChar *)value);
}

static void write_memory(xmlNode *dom, const char *name, uint64_t kib)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRIu64, kib);
    set_attr(child(dom, name, num), "unit", "KiB");
}

static void write_os(xmlNode *dom, const struct domcfg *cfg)
{
    static const char *const os_type[] = { "linux", "xenpvh", "hvm" };
    static const char *const machine[] = { "xenpv", "xenpvh", "xenfv" };
    xmlNode *os = child(dom, "os", NULL);
    xmlNode *type = child(os, "type", os_type[cfg->type]);
    set_attr(type, "arch", "x86_64");
    set_attr(type, "machine", machine[cfg->type]);
    if (cfg->firmware)
        child(os, "loader", cfg->firmware);
    if (cfg->kernel)
        child(os, "kernel", cfg->kernel);
    if (cfg->ramdisk)
        child(os, "initrd", cfg->ramdisk);
    if (cfg->cmdline)
        child(os, "cmdline", cfg->cmdline);
}

static void write_disk(xmlNode *devs, const struct domcfg_disk *d)
{
    static const char *const driver_name[] = { NULL, "phy", "tap", "qemu", NULL };
    xmlNode *disk = child(devs, "disk", NULL);
    bool block = d->target && !strncmp(d->target, "/dev/", 5);
    set_attr(disk, "type", block ? "block" : "file");
    set_attr(disk, "device", d->is_cdrom ? "cdrom" : "disk");

    xmlNode *driver = child(disk, "driver", NULL);
    set_attr(driver, "name", driver_name[d->backend]);
    if (d->format != DOMCFG_DISK_FORMAT_EMPTY)
        set_attr(driver, "type", domcfg_disk_format_name(d->format));
    if (d->discard)
        set_attr(driver, "discard", d->discard == DOMCFG_TRUE ? "unmap" : "ignore");
    if (d->target)
        set_attr(child(disk, "source", NULL), block ? "dev" : "file", d->target);
    xmlNode *target = child(disk, "target", NULL);
    set_attr(target, "dev", d->vdev);
    set_attr(target, "bus", "xen");
    if (!d->readwrite)
        child(disk, "readonly", NULL);
    if (d->backend_domname)
        set_attr(child(disk, "backenddomain", NULL), "name", d->backend_domname);
}

static void write_nic(xmlNode *devs, const struct domcfg_nic *n)
{
    xmlNode *itf = child(devs, "interface", NULL);
    set_attr(itf, "type", n->bridge ? "bridge" : "ethernet");
    if (n->has_mac) {
        char mac[18];
        domcfg_mac_format(n->mac, mac);
        set_attr(child(itf, "mac", NULL), "address", mac);
    }
    if (n->bridge)
        set_attr(child(itf, "source", NULL), "bridge", n->bridge);
    if (n->script)
        set_attr(child(itf, "script", NULL), "path", n->script);
    if (n->ip)
        set_attr(child(itf, "ip", NULL), "address", n->ip);
    if (n->ifname)
        set_attr(child(itf, "target", NULL), "dev", n->ifname);
    if (n->model)
        set_attr(child(itf, "model", NULL), "type", n->model);
    if (n->mtu) {
        char mtu[16];
        snprintf(mtu, sizeof(mtu), "%d", n->mtu);
        set_attr(child(itf, "mtu", NULL), "size", mtu);
    }
    if (n->backend_domname)
        set_attr(child(itf, "backenddomain", NULL), "name", n->backend_domname);
}

static void write_vcpu(xmlNode *dom, const struct domcfg *cfg)
{
    char num[16], cur[16];
    snprintf(num, sizeof(num), "%u", cfg->max_vcpus);
    xmlNode *v = child(dom, "vcpu", num);
    set_attr(v, "placement", "static");
    if (cfg->vcpus != cfg->max_vcpus) {
        snprintf(cur, sizeof(cur), "%u", cfg->vcpus);
        set_attr(v, "current", cur);
    }
    if (cfg->has_cpumap) {
        char *set = domcfg_cpumap_format(cfg->cpumap);
        set_attr(v, "cpuset", set);
        free(set);
    }
}

static void write_cputune(xmlNode *dom, const struct domcfg *cfg)
{
    char num[32];
    if (cfg->sched_weight < 0 && cfg->sched_cap <= 0)
        return;
    xmlNode *tune = child(dom, "cputune", NULL);
    if (cfg->sched_weight >= 0) {
        snprintf(num, sizeof(num), "%d", cfg->sched_weight);
        child(tune, "shares", num);
    }
    if (cfg->sched_cap > 0) {
        /* cap percent = quota / period * 100, with a 100 ms period. */
        child(tune, "period", "100000");
        snprintf(num, sizeof(num), "%d", cfg->sched_cap * 1000);
        child(tune, "quota", num);
    }
}

char *domxml_write(const struct domcfg *cfg)
{
    const char *why;
    if (xml_lib_load(&why))
        return NULL;            /* callers that can say why load it first */
    xmlDoc *doc = X.NewDoc((const xmlChar *)"1.0");
    xmlNode *dom = X.NewNode(NULL, (const xmlChar *)"domain");
    char *out = NULL;

    if (!doc || !dom) {
        X.FreeDoc(doc);
        X.FreeNode(dom);
        return NULL;
    }
    X.DocSetRootElement(doc, dom);
    set_attr(dom, "type", "xen");
    child(dom, "name", cfg->name);
    if (cfg->has_uuid) {
        char uuid[37];
        domcfg_uuid_format(cfg->uuid, uuid);
        child(dom, "uuid", uuid);
    }
    write_memory(dom, "memory", cfg->max_memkb);
    write_memory(dom, "currentMemory", cfg->target_memkb);
    write_vcpu(dom, cfg);
    write_cputune(dom, cfg);
    write_os(dom, cfg);
    if (cfg->hap) {
        xmlNode *features = child(dom, "features", NULL);
        set_attr(child(features, "hap", NULL), "state", cfg->hap == DOMCFG_TRUE ? "on" : "off");
    }
    child(dom, "on_poweroff", domcfg_action_cfg_name(cfg->on_poweroff));
    child(dom, "on_reboot", domcfg_action_cfg_name(cfg->on_reboot));
    child(dom, "on_crash", domcfg_action_cfg_name(cfg->on_crash));

    xmlNode *devs = child(dom, "devices", NULL);
    for (size_t i = 0; i < cfg->nr_disks; i++)
        write_disk(devs, &cfg->disks[i]);
    for (size_t i = 0; i < cfg->nr_nics; i++)
        write_nic(devs, &cfg->nics[i]);
    xmlNode *console = child(devs, "console", NULL);
    set_attr(console, "type", "pty");
    xmlNode *target = child(console, "target", NULL);
    set_attr(target, "type", "xen");
    set_attr(target, "port", "0");

    xmlBuffer *buf = X.BufferCreate();
    xmlSaveCtxt *save = buf ? X.SaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL) : NULL;
    if (save) {
        X.SaveDoc(save, doc);
        X.SaveClose(save);
        out = strdup((const char *)X.BufferContent(buf));
    }
    if (buf)
        X.BufferFree(buf);
    X.FreeDoc(doc);
    return out;
}
