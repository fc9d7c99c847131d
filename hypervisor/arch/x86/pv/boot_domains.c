/*
 * Domains built at boot from multiboot modules, with no toolstack: the
 * first ELF kernel becomes the control domain (id 0), every further one an
 * unprivileged domain (ids 1, 2, ...). This is how the guest test kernels
 * run side by side, and a way to partition a machine statically.
 *
 * A module's command line may start with domain options, ended by "--":
 *     name=web mem=64M vcpus=1 weight=512 cap=50 -- console=hvc0 root=/dev/xvda
 * xenstore=0 builds an unprivileged domain without a xenstore ring, for a
 * guest that must boot with no xenstore daemon (Linux blocks its boot on a
 * ring that nobody serves; with none it waits for xenstored in a thread).
 * type=pvh builds a PVH domain on the CPU's HVM support (hvm/build.c,
 * docs/hvm.md) instead of a PV one; the control domain stays PV.
 * Without "--", all of it is the guest's command line. Every domain's
 * vCPU 0 is queued with the scheduler, which spreads them over the CPUs.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/sched.h>
#include <tessera/string.h>

#define MAX_BOOT_DOMAINS 16

struct boot_domain_options {
    char name[DOMAIN_NAME_MAX];
    uint64_t mem;
    uint64_t vcpus;
    uint64_t weight;        /* credit scheduler weight, 0: the default */
    uint64_t cap;           /* percent of one CPU, 0: none */
    bool no_xenstore;
    bool pvh;               /* type=pvh */
    const char *cmdline;
};

/* The first word that is exactly "--", or NULL. */
static const char *find_separator(const char *s)
{
    for (const char *p = s; *p; p++)
        if (p[0] == '-' && p[1] == '-' && (p == s || p[-1] == ' ') && (!p[2] || p[2] == ' '))
            return p;
    return NULL;
}

/* Parse "key=value ... --" at the start of a module's arguments. */
static int parse_options(const char *args, struct boot_domain_options *o)
{
    const char *sep = find_separator(args);
    if (!sep) {
        o->cmdline = args;
        return 0;
    }
    o->cmdline = sep[2] ? sep + 3 : sep + 2;
    const char *p = args;
    while (p < sep) {
        while (p < sep && *p == ' ')
            p++;
        const char *end = p;
        while (end < sep && *end != ' ')
            end++;
        if (end == p)
            break;
        char word[80];
        size_t len = MIN((size_t)(end - p), sizeof(word) - 1);
        memcpy(word, p, len);
        word[len] = '\0';
        const char *rest;
        if (!strncmp(word, "name=", 5)) {
            strlcpy(o->name, word + 5, sizeof(o->name));
        } else if (!strncmp(word, "mem=", 4)) {
            if (parse_size(word + 4, &rest, &o->mem) < 0 || *rest || o->mem < (4ull << 20))
                return -EINVAL;
        } else if (!strncmp(word, "vcpus=", 6)) {
            if (parse_u64(word + 6, &rest, &o->vcpus) < 0 || *rest || o->vcpus == 0 ||
                o->vcpus > MAX_VCPUS_PER_DOMAIN)
                return -EINVAL;
        } else if (!strncmp(word, "weight=", 7)) {
            if (parse_u64(word + 7, &rest, &o->weight) < 0 || *rest || o->weight == 0 ||
                o->weight > SCHED_MAX_WEIGHT)
                return -EINVAL;
        } else if (!strncmp(word, "cap=", 4)) {
            if (parse_u64(word + 4, &rest, &o->cap) < 0 || *rest || o->cap > 100ull * MAX_VCPUS_PER_DOMAIN)
                return -EINVAL;
        } else if (!strcmp(word, "type=pv") || !strcmp(word, "type=pvh")) {
            o->pvh = word[7] == 'h';
        } else if (!strcmp(word, "xenstore=0") || !strcmp(word, "xenstore=1")) {
            o->no_xenstore = word[9] == '0';
        } else {
            return -EINVAL;
        }
        p = end;
    }
    /* As xl: a cap is at most one full CPU per vCPU. */
    return o->cap > 100 * o->vcpus ? -EINVAL : 0;
}

/* Scheduler state for each vCPU; all or nothing. */
static int sched_domain_init(struct domain *d, unsigned weight, unsigned cap)
{
    for (unsigned i = 0; i < d->max_vcpus; i++) {
        int rc = pv_vcpu_sched_init(d->vcpus[i], weight, cap);
        if (rc < 0) {
            while (i--)
                pv_vcpu_sched_destroy(d->vcpus[i]);
            return rc;
        }
    }
    return 0;
}

/*
 * The control domain's memory when dom0_mem= is not given, by Xen's rule
 * (dom0_compute_nr_pages): all that is free, less a reserve of 1/16 of it,
 * at most 128 MiB, for the hypervisor's own later needs (event channel and
 * grant pages, DMA buffers exchanged below 4 GiB). Here the other boot
 * domains' memory is set aside first (Xen builds no other domain at boot).
 */
#define DOM0_RESERVE_MAX (128ull << 20)

static uint64_t dom0_default_mem(uint64_t others)
{
    uint64_t free = free_memory_bytes();
    if (free <= others) {
        log_err("domain 0: no memory left for it once the other boot domains have theirs "
                "(%lu MiB asked, %lu MiB free)\n", (unsigned long)(others >> 20),
                (unsigned long)(free >> 20));
        return 0;
    }
    uint64_t avail = free - others;
    uint64_t reserve = MIN(avail / 16, DOM0_RESERVE_MAX);
    uint64_t mem = ALIGN_DOWN(avail - reserve, PAGE_SIZE);
    log_info("domain 0: %lu MiB, all but a reserve of %lu MiB of the %lu MiB free%s "
             "(no dom0_mem= given)\n", (unsigned long)(mem >> 20), (unsigned long)(reserve >> 20),
             (unsigned long)(free >> 20), others ? " after the other boot domains" : "");
    return mem;
}

void pv_start_boot_domains(const struct pv_boot_image *images, unsigned nr,
                           uint64_t dom0_mem, unsigned dom0_vcpus)
{
    struct domain *built[MAX_BOOT_DOMAINS] = { 0 };
    static struct boot_domain_options opts[MAX_BOOT_DOMAINS];
    bool parsed[MAX_BOOT_DOMAINS] = { 0 };
    uint64_t others = 0;
    bool any = false;

    pv_context_check();
    int rc = sched_init(nr_cpus_online);
    if (rc < 0) {
        log_err("boot domains: scheduler not set up for %u CPUs (error %d); none started\n",
                nr_cpus_online, rc);
        return;
    }
    if (nr > MAX_BOOT_DOMAINS) {
        log_err("boot domains: %u kernels given, only the first %u are built\n", nr,
                MAX_BOOT_DOMAINS);
        nr = MAX_BOOT_DOMAINS;
    }
    /* Every domain's options first: the control domain's default memory
     * depends on what the others take. */
    for (unsigned i = 0; i < nr; i++) {
        struct boot_domain_options *o = &opts[i];
        *o = (struct boot_domain_options){ .mem = i ? 32ull << 20 : dom0_mem,
                                           .vcpus = i ? 1 : dom0_vcpus };
        if (i == 0)
            strlcpy(o->name, "Domain-0", sizeof(o->name));
        else
            format(o->name, sizeof(o->name), "boot-%u", i);
        if (parse_options(images[i].args, o) < 0) {
            log_err("domain %u: bad options in '%s' (name=, mem= of at least 4M, vcpus=, "
                    "weight=1..65535, cap=0..100 per vCPU, xenstore=0|1, type=pv|pvh, then --); "
                    "not built\n", i, images[i].args);
            continue;
        }
        if (o->pvh && i == 0) {
            log_err("domain 0: type=pvh: the control domain is PV; not built\n");
            continue;
        }
        parsed[i] = true;
        if (i)
            others += o->mem;
    }
    if (nr && parsed[0] && !opts[0].mem && !(opts[0].mem = dom0_default_mem(others)))
        parsed[0] = false;
    for (unsigned i = 0; i < nr; i++) {
        if (!parsed[i])
            continue;
        const struct boot_domain_options *o = &opts[i];
        struct pv_build_request req = {
            .domid = (domid_t)i, .name = o->name, .image = images[i].image,
            .image_len = images[i].len, .cmdline = o->cmdline, .mem_bytes = o->mem,
            .vcpus = (unsigned)o->vcpus, .privileged = i == 0,
            .no_xenstore = o->no_xenstore, .initrd = images[i].initrd, .initrd_len = images[i].initrd_len,
        };
        struct domain *d;
        rc = o->pvh ? hvm_build_domain(&req, &d) : pv_build_domain(&req, &d);
        if (rc < 0) {
            log_err("domain %u not started (error %d); the hypervisor keeps running\n", i, rc);
            continue;
        }
        if ((rc = sched_domain_init(d, (unsigned)o->weight, (unsigned)o->cap)) < 0) {
            log_err("domain %u: no scheduler state (error %d); not started\n", i, rc);
            domain_free(d);
            continue;
        }
        if ((rc = domain_register(d)) < 0) {
            log_err("domain %u not registered (error %d)\n", i, rc);
            for (unsigned j = 0; j < d->max_vcpus; j++)
                pv_vcpu_sched_destroy(d->vcpus[j]);
            domain_free(d);
            continue;
        }
        built[i] = d;
        if (o->weight || o->cap)
            log_info("domain %u: scheduler weight %u, cap %u%%\n", i,
                     o->weight ? (unsigned)o->weight : SCHED_DEFAULT_WEIGHT, (unsigned)o->cap);
    }
    /* Every image is copied into its domain: the modules' memory is free. */
    boot_modules_release();
    for (unsigned i = 0; i < nr; i++) {
        if (!built[i])
            continue;
        pv_domains_running_inc();
        if (i && built[i]->arch->console_ring)     /* PV and PVH domUs alike */
            pv_console_ring_add(built[i]);
        else
            pv_console_input_start(built[i]);
        if ((rc = pv_vcpu_start(built[i]->vcpus[0])) < 0) {
            log_err("domain %u: vCPU 0 not started (error %d)\n", i, rc);
            pv_domains_running_dec();
            continue;
        }
        any = true;
    }
    /* This CPU joins the others: from now on it runs what the scheduler picks. */
    if (any) {
        arch_sched_kick_cpu(this_cpu()->index);
        cpu_idle_loop(NULL);
    }
}
