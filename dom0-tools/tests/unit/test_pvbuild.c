/*
 * The PV builder core on a fake guest memory: a buffer stands for the
 * domain's first frames and a scrambled frame list for what populate_physmap
 * returned. Each test walks the page tables the builder wrote the way the
 * MMU would (machine frame -> pfn through the inverse of the frame list)
 * and checks every mapping, start_info field and byte it placed.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>

#include "elf_builder.h"
#include "kernel_image.h"
#include "pvbuild.h"
#include "unit.h"

#define MFN_BASE 0x80000ull

struct fake_domain {
    uint64_t nr_pages;
    xen_pfn_t *p2m;
    uint8_t *boot;
};

/* A permutation of [0, n) (n a power of two) shifted up: no frame is contiguous with its pfn. */
static void fake_domain_init(struct fake_domain *d, uint64_t nr_pages, uint64_t boot_pages)
{
    d->nr_pages = nr_pages;
    d->p2m = malloc(nr_pages * sizeof(xen_pfn_t));
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++)
        d->p2m[pfn] = MFN_BASE + ((pfn * 40503u) & (nr_pages - 1));
    d->boot = malloc(boot_pages * PVB_PAGE_SIZE);
    memset(d->boot, 0xee, boot_pages * PVB_PAGE_SIZE);   /* stale contents */
}

static void fake_domain_free(struct fake_domain *d)
{
    free(d->p2m);
    free(d->boot);
}

static int64_t mfn_to_pfn(const struct fake_domain *d, uint64_t mfn)
{
    for (uint64_t pfn = 0; pfn < d->nr_pages; pfn++)
        if (d->p2m[pfn] == mfn)
            return (int64_t)pfn;
    return -1;
}

/*
 * Walks va through the tables from the L4 at l4_pfn; returns the L1
 * entry, or 0 if some level is missing or leads outside the page-table
 * frames.
 */
static uint64_t walk(const struct fake_domain *d, const struct pvb_layout *l, uint64_t va)
{
    uint64_t pt_first = pvb_va_to_pfn(l, l->pt_start), pt_last = pvb_va_to_pfn(l, l->pt_end);
    uint64_t table_pfn = pvb_l4_pfn(l);
    for (int shift = 39; shift >= 12; shift -= 9) {
        const uint64_t *t = (const uint64_t *)(d->boot + table_pfn * PVB_PAGE_SIZE);
        uint64_t e = t[(va >> shift) & 511];
        if (!(e & 1))
            return 0;
        if (shift == 12)
            return e;
        if ((e & 0x67) != 0x67)   /* P W U A D on every upper level */
            return 0;
        int64_t next = mfn_to_pfn(d, (e & 0x000ffffffffff000ull) >> 12);
        if (next < (int64_t)pt_first || next >= (int64_t)pt_last)
            return 0;
        table_pfn = (uint64_t)next;
    }
    return 0;
}

struct built {
    struct kernel_image img;
    struct pvb_request req;
    struct pvb_layout l;
    struct pvb_domain dom;
    struct vcpu_guest_context ctx;
    struct fake_domain d;
    uint8_t *elf;
};

static const struct pvb_domain test_dom = {
    .shared_info_mfn = 0x1234, .console_evtchn = 2, .store_evtchn = 1, .si_flags = 0,
};

static void test_synthetic(void)
{
    struct eb_spec spec;
    size_t elf_len;
    struct guest_elf_info *info = calloc(1, sizeof(*info));
    eb_default(&spec);
    uint8_t *elf = eb_build(&spec, &elf_len);
    CU_ASSERT_EQUAL_FATAL(guest_elf_parse(elf, elf_len, info), 0);

    uint8_t ramdisk[10000];
    for (size_t i = 0; i < sizeof(ramdisk); i++)
        ramdisk[i] = (uint8_t)(i * 7);
    struct pvb_request req = {
        .elf = elf, .elf_len = elf_len, .info = info, .ramdisk = ramdisk,
        .ramdisk_len = sizeof(ramdisk), .cmdline = "console=hvc0 root=/dev/ram0",
        .nr_pages = 16384,
    };
    struct pvb_layout l;
    const char *why = NULL;
    CU_ASSERT_EQUAL_FATAL(pvb_plan(&req, &l, &why), 0);
    /* Order and alignment of the bootstrap elements, as xen.h lists them. */
    CU_ASSERT_EQUAL(l.v_start, 0xffffffff80000000ull);
    CU_ASSERT_EQUAL(l.kern_start, 0xffffffff81000000ull);
    CU_ASSERT_EQUAL(l.kern_end, 0xffffffff81005000ull);
    CU_ASSERT_EQUAL(l.ramdisk_start, l.kern_end);
    CU_ASSERT_EQUAL(l.ramdisk_end, l.kern_end + 0x3000);
    CU_ASSERT_EQUAL(l.p2m_start, l.ramdisk_end);
    CU_ASSERT_EQUAL(l.p2m_end, l.p2m_start + 16384 * 8);
    CU_ASSERT_EQUAL(l.si_start, l.p2m_end);
    CU_ASSERT_EQUAL(l.store_start, l.si_start + 4096);
    CU_ASSERT_EQUAL(l.console_start, l.store_start + 4096);
    CU_ASSERT_EQUAL(l.pt_start, l.console_start + 4096);
    CU_ASSERT_EQUAL(l.stack_start, l.pt_end);
    CU_ASSERT_EQUAL(l.stack_end, l.stack_start + 4096);
    CU_ASSERT_EQUAL(l.v_end % (4u << 20), 0);
    CU_ASSERT_TRUE(l.v_end - l.stack_end >= (512u << 10));
    /* 1 L4, 1 L3, 1 L2 and one L1 per 2 MiB of the region. */
    CU_ASSERT_TRUE(l.nr_pt_frames >= 3 + (l.v_end - l.v_start) / (2u << 20));
    CU_ASSERT_EQUAL(l.mapped_pages, (l.v_end - l.v_start) / 4096);

    struct fake_domain d;
    fake_domain_init(&d, req.nr_pages, l.used_pages);
    struct vcpu_guest_context *ctx = malloc(sizeof(*ctx));
    CU_ASSERT_EQUAL_FATAL(pvb_write(&req, &l, d.p2m, d.boot, &test_dom, ctx, &why), 0);

    /* Every page of the region maps its own frame; the tables read-only, the rest writable. */
    uint64_t pt_first = pvb_va_to_pfn(&l, l.pt_start), pt_last = pvb_va_to_pfn(&l, l.pt_end);
    unsigned bad = 0;
    for (uint64_t va = l.v_start; va < l.v_end; va += 4096) {
        uint64_t pfn = pvb_va_to_pfn(&l, va), e = walk(&d, &l, va);
        uint64_t want = pfn >= pt_first && pfn < pt_last ? 0x25 : 0x67;
        if ((e & 0xfff) != want || (e >> 12) != d.p2m[pfn])
            bad++;
    }
    CU_ASSERT_EQUAL(bad, 0);
    /* Nothing mapped past v_end, nor below v_start. */
    CU_ASSERT_EQUAL(walk(&d, &l, l.v_end), 0);
    CU_ASSERT_EQUAL(walk(&d, &l, l.v_start - 4096), 0);

    /* The kernel's bytes, its bss zeroed, the ramdisk, the p2m list. */
    uint8_t *k = d.boot + pvb_va_to_pfn(&l, l.kern_start) * 4096;
    CU_ASSERT_EQUAL(k[0], 0xcc);
    CU_ASSERT_EQUAL(k[0x2fff], 0xcc);
    CU_ASSERT_EQUAL(k[0x3000], 0x5a);
    CU_ASSERT_EQUAL(k[0x37ff], 0x5a);
    CU_ASSERT_EQUAL(k[0x3800], 0);
    CU_ASSERT_EQUAL(k[0x4fff], 0);
    CU_ASSERT_EQUAL(d.boot[0], 0);   /* below the kernel, from virt_base */
    CU_ASSERT_EQUAL(memcmp(d.boot + pvb_va_to_pfn(&l, l.ramdisk_start) * 4096, ramdisk,
                           sizeof(ramdisk)), 0);
    CU_ASSERT_EQUAL(memcmp(d.boot + pvb_va_to_pfn(&l, l.p2m_start) * 4096, d.p2m,
                           req.nr_pages * 8), 0);

    const struct start_info *si =
        (const struct start_info *)(d.boot + pvb_va_to_pfn(&l, l.si_start) * 4096);
    CU_ASSERT_STRING_EQUAL(si->magic, "xen-3.0-x86_64");
    CU_ASSERT_EQUAL(si->nr_pages, 16384);
    CU_ASSERT_EQUAL(si->shared_info, 0x1234000);
    CU_ASSERT_EQUAL(si->flags, 0);
    CU_ASSERT_EQUAL(si->store_mfn, d.p2m[pvb_va_to_pfn(&l, l.store_start)]);
    CU_ASSERT_EQUAL(si->store_evtchn, 1);
    CU_ASSERT_EQUAL(si->console.domU.mfn, d.p2m[pvb_va_to_pfn(&l, l.console_start)]);
    CU_ASSERT_EQUAL(si->console.domU.evtchn, 2);
    CU_ASSERT_EQUAL(si->pt_base, l.pt_start);
    CU_ASSERT_EQUAL(si->nr_pt_frames, l.nr_pt_frames);
    CU_ASSERT_EQUAL(si->mfn_list, l.p2m_start);
    CU_ASSERT_EQUAL(si->mod_start, l.ramdisk_start);
    CU_ASSERT_EQUAL(si->mod_len, sizeof(ramdisk));
    CU_ASSERT_STRING_EQUAL((const char *)si->cmd_line, "console=hvc0 root=/dev/ram0");
    /* The rings and the stack start zeroed. */
    const uint8_t *store = d.boot + pvb_va_to_pfn(&l, l.store_start) * 4096;
    const uint8_t *stack = d.boot + pvb_va_to_pfn(&l, l.stack_start) * 4096;
    CU_ASSERT_TRUE(store[0] == 0 && store[8191] == 0 && stack[0] == 0 && stack[4095] == 0);

    CU_ASSERT_EQUAL(ctx->user_regs.rip, 0xffffffff81000100ull);
    CU_ASSERT_EQUAL(ctx->user_regs.rsp, l.stack_end);
    CU_ASSERT_EQUAL(ctx->user_regs.rsi, l.si_start);
    CU_ASSERT_EQUAL(ctx->user_regs.cs, FLAT_KERNEL_CS);
    CU_ASSERT_EQUAL(ctx->user_regs.ss, FLAT_KERNEL_SS);
    CU_ASSERT_EQUAL(ctx->flags, VGCF_in_kernel | VGCF_online);
    CU_ASSERT_EQUAL(ctx->ctrlreg[3], d.p2m[pvb_l4_pfn(&l)] << 12);
    CU_ASSERT_EQUAL(ctx->kernel_sp, l.stack_end);

    fake_domain_free(&d);
    free(ctx);
    free(info);
    free(elf);
}

static void test_refusals(void)
{
    struct eb_spec spec;
    size_t elf_len;
    struct guest_elf_info *info = calloc(1, sizeof(*info));
    eb_default(&spec);
    uint8_t *elf = eb_build(&spec, &elf_len);
    CU_ASSERT_EQUAL_FATAL(guest_elf_parse(elf, elf_len, info), 0);
    struct pvb_request req = { .elf = elf, .elf_len = elf_len, .info = info, .nr_pages = 1024 };
    struct pvb_layout l;
    const char *why = NULL;

    /* 4 MiB cannot hold a region that ends past 16 MiB + the kernel. */
    CU_ASSERT_EQUAL(pvb_plan(&req, &l, &why), -ENOMEM);
    CU_ASSERT_PTR_NOT_NULL(why);
    req.nr_pages = 0;
    CU_ASSERT_EQUAL(pvb_plan(&req, &l, &why), -EINVAL);

    req.nr_pages = 8192;
    CU_ASSERT_EQUAL_FATAL(pvb_plan(&req, &l, &why), 0);
    struct fake_domain d;
    fake_domain_init(&d, req.nr_pages, l.used_pages);
    struct vcpu_guest_context *ctx = malloc(sizeof(*ctx));
    char *longline = malloc(2000);
    memset(longline, 'x', 1999);
    longline[1999] = 0;
    req.cmdline = longline;
    CU_ASSERT_EQUAL(pvb_write(&req, &l, d.p2m, d.boot, &test_dom, ctx, &why), -E2BIG);
    req.cmdline = NULL;
    d.p2m[100] = 0;
    CU_ASSERT_EQUAL(pvb_write(&req, &l, d.p2m, d.boot, &test_dom, ctx, &why), -EINVAL);
    CU_ASSERT_STRING_EQUAL(why, "the frame list holds an invalid frame");
    fake_domain_free(&d);
    free(longline);
    free(ctx);
    free(info);
    free(elf);
}

/* Debian's kernel (xz bzImage) in 128 MiB, as the example domU has it. */
static void test_debian_kernel(void)
{
    glob_t g;
    struct kernel_image img;
    char why_img[256];
    const char *why = NULL;

    CU_ASSERT_EQUAL_FATAL(glob("/boot/vmlinuz-*-amd64", 0, NULL, &g), 0);
    CU_ASSERT_EQUAL_FATAL(kernel_image_load(g.gl_pathv[0], &img, why_img, sizeof(why_img)), 0);
    struct pvb_request req = { .elf = img.elf, .elf_len = img.elf_len, .info = &img.info,
                               .cmdline = "console=hvc0", .nr_pages = 32768 };
    struct pvb_layout l;
    CU_ASSERT_EQUAL_FATAL(pvb_plan(&req, &l, &why), 0);
    CU_ASSERT_EQUAL(l.kern_start, 0xffffffff81000000ull);
    CU_ASSERT_TRUE(l.mapped_pages < 32768);
    struct fake_domain d;
    fake_domain_init(&d, req.nr_pages, l.used_pages);
    struct vcpu_guest_context *ctx = malloc(sizeof(*ctx));
    CU_ASSERT_EQUAL_FATAL(pvb_write(&req, &l, d.p2m, d.boot, &test_dom, ctx, &why), 0);
    CU_ASSERT_EQUAL(ctx->user_regs.rip, img.info.virt_entry);
    /* The entry point's page is mapped to the frame holding it. */
    uint64_t e = walk(&d, &l, img.info.virt_entry & ~4095ull);
    CU_ASSERT_EQUAL(e >> 12, d.p2m[pvb_va_to_pfn(&l, img.info.virt_entry)]);
    fake_domain_free(&d);
    free(ctx);
    kernel_image_free(&img);
    globfree(&g);
}

void register_pvbuild_tests(void)
{
    CU_pSuite s = CU_add_suite("pvbuild", NULL, NULL);
    CU_add_test(s, "synthetic_kernel", test_synthetic);
    CU_add_test(s, "refusals", test_refusals);
    CU_add_test(s, "debian_kernel", test_debian_kernel);
}
