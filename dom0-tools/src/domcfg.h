/*
 * The domain configuration model: one in-memory form that every input
 * format (xl.cfg, libvirt XML) fills and every output (JSON, XML, xl.cfg,
 * and later the control-domain hypercalls) reads.
 *
 * Its shape follows libxl's domain_config (create info, build info,
 * devices, shutdown actions) so the control-domain code can map it field by
 * field onto domctl calls. All strings are heap-owned by the config and
 * released by domcfg_free(); NULL means "not given".
 */
#ifndef TL_DOMCFG_H
#define TL_DOMCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum domcfg_type { DOMCFG_TYPE_PV = 0, DOMCFG_TYPE_PVH, DOMCFG_TYPE_HVM };

/* Values match libxl_action_on_shutdown so they can be passed through. */
enum domcfg_action {
    DOMCFG_ACTION_UNSET = 0,
    DOMCFG_ACTION_DESTROY = 1,
    DOMCFG_ACTION_RESTART,
    DOMCFG_ACTION_RESTART_RENAME,
    DOMCFG_ACTION_PRESERVE,
    DOMCFG_ACTION_COREDUMP_DESTROY,
    DOMCFG_ACTION_COREDUMP_RESTART,
    DOMCFG_ACTION_SOFT_RESET,
};

enum domcfg_disk_format {
    DOMCFG_DISK_FORMAT_UNKNOWN = 0, DOMCFG_DISK_FORMAT_QCOW, DOMCFG_DISK_FORMAT_QCOW2,
    DOMCFG_DISK_FORMAT_VHD, DOMCFG_DISK_FORMAT_RAW, DOMCFG_DISK_FORMAT_EMPTY,
    DOMCFG_DISK_FORMAT_QED,
};

enum domcfg_disk_backend {
    DOMCFG_DISK_BACKEND_UNKNOWN = 0, DOMCFG_DISK_BACKEND_PHY, DOMCFG_DISK_BACKEND_TAP,
    DOMCFG_DISK_BACKEND_QDISK, DOMCFG_DISK_BACKEND_STANDALONE,
};

/* A tri-state: not given, or given as false/true (libxl's defbool). */
enum domcfg_bool { DOMCFG_DEFAULT = 0, DOMCFG_FALSE, DOMCFG_TRUE };

struct domcfg_disk {
    char *target;                   /* pdev_path; NULL for an empty cdrom */
    char *vdev;                     /* xvda, hda, sdb ... (required) */
    enum domcfg_disk_format format;
    enum domcfg_disk_backend backend;
    char *script;
    char *backend_domname;
    bool readwrite;
    bool is_cdrom;
    bool direct_io_safe;
    enum domcfg_bool discard;
};

struct domcfg_nic {
    int devid;
    uint8_t mac[6];
    bool has_mac;
    char *bridge;
    char *ip;
    char *script;
    char *backend_domname;
    char *ifname;                   /* vifname */
    char *model;
    bool type_vif;                  /* "type=vif" given: libxl nictype vif */
    int mtu;                        /* 0: default */
    uint64_t rate_bytes_per_interval;   /* 0: unlimited */
    uint32_t rate_interval_usecs;
};

#define DOMCFG_MAX_VCPUS 128
#define DOMCFG_MAX_CPUS  256

struct domcfg {
    /* create info: what exists from domain creation on */
    enum domcfg_type type;
    char *name;
    uint8_t uuid[16];
    bool has_uuid;
    enum domcfg_bool hap;           /* HVM: hardware assisted paging */

    /* build info */
    unsigned max_vcpus;             /* maxvcpus, else vcpus */
    unsigned vcpus;                 /* online at boot */
    uint64_t max_memkb;             /* maxmem, else memory */
    uint64_t target_memkb;          /* memory */
    uint64_t cpumap[DOMCFG_MAX_CPUS / 64];   /* pCPUs the vCPUs may run on */
    bool has_cpumap;
    int sched_weight;               /* -1: default */
    int sched_cap;                  /* -1: default */
    char *kernel;
    char *ramdisk;
    char *cmdline;                  /* root= and extra= already folded in */
    char *firmware;                 /* HVM: firmware_override */

    struct domcfg_disk *disks;
    size_t nr_disks;
    struct domcfg_nic *nics;
    size_t nr_nics;

    enum domcfg_action on_poweroff, on_reboot, on_crash, on_watchdog, on_soft_reset;
};

void domcfg_init(struct domcfg *cfg);
void domcfg_free(struct domcfg *cfg);

/* Applies the defaults xl applies (vcpus 1, memory 128 MiB, actions ...). */
void domcfg_apply_defaults(struct domcfg *cfg);

/* Removes every disk or every nic (a later "disk=" replaces earlier ones). */
void domcfg_clear_disks(struct domcfg *cfg);
void domcfg_clear_nics(struct domcfg *cfg);
/* Removes nic i, keeping the others' order. */
void domcfg_remove_nic(struct domcfg *cfg, size_t i);

/* Appends a zeroed device; returns it, or NULL when out of memory. */
struct domcfg_disk *domcfg_add_disk(struct domcfg *cfg);
struct domcfg_nic *domcfg_add_nic(struct domcfg *cfg);

/* Checks the cross-field rules every input format shares. On failure
 * returns -EINVAL and writes a one-line reason into why. */
int domcfg_validate(const struct domcfg *cfg, char *why, size_t why_size);
/* 1-64 printable characters without spaces or '/', not all digits. */
bool domcfg_name_valid(const char *name);

/* Names shared by all formats: the xl.cfg / JSON spellings. */
const char *domcfg_type_name(enum domcfg_type t);
int domcfg_type_parse(const char *s, enum domcfg_type *t);
const char *domcfg_action_cfg_name(enum domcfg_action a);    /* "rename-restart" */
const char *domcfg_action_json_name(enum domcfg_action a);   /* "restart_rename" */
int domcfg_action_parse(const char *s, enum domcfg_action *a);
const char *domcfg_disk_format_name(enum domcfg_disk_format f);
int domcfg_disk_format_parse(const char *s, enum domcfg_disk_format *f);
const char *domcfg_disk_backend_name(enum domcfg_disk_backend b);
int domcfg_disk_backend_parse(const char *s, enum domcfg_disk_backend *b);

int domcfg_uuid_parse(const char *s, uint8_t uuid[16]);
void domcfg_uuid_format(const uint8_t uuid[16], char out[37]);
int domcfg_mac_parse(const char *s, uint8_t mac[6]);
void domcfg_mac_format(const uint8_t mac[6], char out[18]);

/* "0-3,5,^2" -> bitmap over DOMCFG_MAX_CPUS; "all" sets every bit. */
int domcfg_cpumap_parse(const char *s, uint64_t map[DOMCFG_MAX_CPUS / 64]);
/* Bitmap -> "0-3,5"; returns a heap string. */
char *domcfg_cpumap_format(const uint64_t map[DOMCFG_MAX_CPUS / 64]);

/* strdup that a NULL passes through; replaces *dst, freeing the old one. */
int domcfg_set_str(char **dst, const char *src);

#endif
