/*
 * The real-hypervisor side of the PV builder (see domain_build.h). The
 * order follows libxc and libxl, whose answers from real Xen 4.17 are the
 * reference (docs/tl.md, "Testing against Xen").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <pvabi/elfnote.h>
#include <pvabi/grant_table.h>
#include "domain_build.h"
#include "pvbuild.h"
#include "trace.h"
#include "xenctl.h"

static int fail_why(int rc, char *why, size_t why_size, const char *what)
{
    snprintf(why, why_size, "%s", what);
    return rc;
}

/* Console (0) and xenstore (1) rings granted to dom0, as Xen's builder seeds them. */
static int seed_grant_table(struct hc *h, const struct built_domain *b)
{
    xen_pfn_t frame;
    int rc = xenctl_gnttab_frame(h, b->domid, &frame);
    if (rc < 0)
        return rc;
    struct grant_entry_v1 *gt = hc_map_foreign(h, (domid_t)b->domid, PROT_READ | PROT_WRITE,
                                               &frame, 1);
    if (!gt)
        return -EIO;
    gt[GNTTAB_RESERVED_CONSOLE].domid = 0;
    gt[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)b->console_mfn;
    gt[GNTTAB_RESERVED_XENSTORE].domid = 0;
    gt[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)b->store_mfn;
    /* The flags last: an entry is live once GTF_permit_access is seen. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    gt[GNTTAB_RESERVED_CONSOLE].flags = GTF_permit_access;
    gt[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access;
    hc_unmap_foreign(gt, 1);
    return 0;
}

/*
 * Every vCPU starts with events masked, as Xen's builder leaves shared_info:
 * the kernel unmasks them once it can take an upcall (a console or xenstore
 * notification arriving earlier would find no interrupt stack yet).
 */
static int init_shared_info(struct hc *h, uint32_t domid, xen_pfn_t frame)
{
    struct shared_info *si = hc_map_foreign(h, (domid_t)domid, PROT_READ | PROT_WRITE, &frame, 1);
    if (!si)
        return -EIO;
    memset(si, 0, sizeof(*si));
    for (unsigned i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        si->vcpu_info[i].evtchn_upcall_mask = 1;
    hc_unmap_foreign(si, 1);
    return 0;
}

static int load_image_segments(const void *img, void *dst, uint64_t dst_vaddr, uint64_t dst_len)
{
    return kernel_image_load_segments(img, dst, dst_vaddr, dst_len);
}

int domain_build_pv(struct hc *h, const struct domcfg *cfg, const struct kernel_image *img,
                    const uint8_t *ramdisk, size_t ramdisk_len, const uint8_t uuid[16],
                    struct built_domain *out, char *why, size_t why_size)
{
    struct xen_domctl_createdomain c = {
        .max_vcpus = cfg->max_vcpus,
        .max_evtchn_port = TL_MAX_EVTCHN_PORT,
        .max_grant_frames = TL_MAX_GRANT_FRAMES,
        .max_maptrack_frames = TL_MAX_MAPTRACK_FRAMES,
        .grant_opts = XEN_DOMCTL_GRANT_version(1),
    };
    struct pvb_request req = {
        .elf = img->elf, .elf_len = img->elf_len, .info = &img->info,
        .load_segments = load_image_segments, .load_ctx = img,
        .ramdisk = ramdisk, .ramdisk_len = ramdisk_len, .cmdline = cfg->cmdline,
        .nr_pages = cfg->target_memkb / 4,
    };
    struct pvb_layout l;
    const char *reason = NULL;
    xen_pfn_t *p2m = NULL;
    uint8_t *boot = NULL;
    struct vcpu_guest_context *ctx = NULL;
    int rc;

    memset(out, 0, sizeof(*out));
    memcpy(c.handle, uuid, 16);
    if ((rc = pvb_plan(&req, &l, &reason)) < 0)
        return fail_why(rc, why, why_size, reason);

    tl_trace("build: planned");
    if ((rc = xenctl_create(h, &c, &out->domid)) < 0)
        goto hc_failed;
    out->created = true;
    out->nr_pages = req.nr_pages;
    if ((rc = xenctl_set_address_size(h, out->domid, 64)) < 0 ||
        (rc = xenctl_max_vcpus(h, out->domid, cfg->max_vcpus)) < 0 ||
        (rc = xenctl_max_mem(h, out->domid, cfg->max_memkb + TL_MAXMEM_SLACK_KB)) < 0 ||
        (rc = xenctl_alloc_unbound(h, out->domid, 0, &out->console_port)) < 0 ||
        (rc = xenctl_alloc_unbound(h, out->domid, 0, &out->store_port)) < 0)
        goto hc_failed;

    p2m = malloc(req.nr_pages * sizeof(*p2m));
    ctx = calloc(1, sizeof(*ctx));
    if (!p2m || !ctx) {
        rc = fail_why(-ENOMEM, why, why_size, "out of memory for the frame list");
        goto out;
    }
    for (uint64_t pfn = 0; pfn < req.nr_pages; pfn++)
        p2m[pfn] = pfn;
    tl_trace("build: domain created");
    if ((rc = xenctl_populate_physmap(h, out->domid, p2m, req.nr_pages)) < 0)
        goto hc_failed;
    tl_trace("build: memory populated");
    struct xen_domctl_getdomaininfo info;
    if ((rc = xenctl_domain_info(h, out->domid, &info)) < 0 ||
        (rc = init_shared_info(h, out->domid, info.shared_info_frame)) < 0)
        goto hc_failed;

    boot = hc_map_foreign(h, (domid_t)out->domid, PROT_READ | PROT_WRITE, p2m, l.used_pages);
    if (!boot) {
        rc = -EIO;
        goto hc_failed;
    }
    tl_trace("build: boot region mapped");
    struct pvb_domain dom = {
        .shared_info_mfn = info.shared_info_frame,
        .console_evtchn = out->console_port, .store_evtchn = out->store_port,
    };
    rc = pvb_write(&req, &l, p2m, boot, &dom, ctx, &reason);
    tl_trace("build: kernel, ramdisk, tables written");
    hc_unmap_foreign(boot, l.used_pages);
    tl_trace("build: boot region unmapped");
    if (rc < 0) {
        fail_why(rc, why, why_size, reason);
        goto out;
    }
    out->store_mfn = p2m[pvb_va_to_pfn(&l, l.store_start)];
    out->console_mfn = p2m[pvb_va_to_pfn(&l, l.console_start)];

    if ((rc = xenctl_machphys_update(h, out->domid, p2m, req.nr_pages)) < 0)
        goto hc_failed;
    if (GUEST_ELF_HAS(&img->info, XEN_ELFNOTE_HYPERCALL_PAGE) &&
        (rc = xenctl_hypercall_init(h, out->domid,
                                    p2m[pvb_va_to_pfn(&l, img->info.hypercall_page)])) < 0)
        goto hc_failed;
    tl_trace("build: m2p updated");
    if ((rc = xenctl_pin_l4(h, out->domid, p2m[pvb_l4_pfn(&l)])) < 0 ||
        (rc = seed_grant_table(h, out)) < 0 ||
        (rc = xenctl_setvcpucontext(h, out->domid, 0, ctx)) < 0)
        goto hc_failed;
    tl_trace("build: tables pinned, vCPU context set");
    rc = 0;
    goto out;

hc_failed:
    fail_why(rc, why, why_size, hc_error(h));
out:
    free(p2m);
    free(ctx);
    return rc;
}
