/*
 * The shared guest ELF loader (hypervisor/common/guest_elf.c) on synthetic
 * kernels: what it reads from a good image, and how it refuses each kind of
 * bad one (truncated, wrong architecture, no Xen notes, absurd values).
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include <pvabi/elfnote.h>
#include <tessera/guest_elf.h>

#include "elf_builder.h"
#include "unit.h"

/* Builds spec and parses it; returns the loader's result. */
static int parse_spec(const struct eb_spec *s, struct guest_elf_info *info)
{
    size_t len;
    uint8_t *img = eb_build(s, &len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(img);
    int rc = guest_elf_parse(img, len, info);
    free(img);
    return rc;
}

static void test_good_image(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    eb_default(&s);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), 0);
    CU_ASSERT_PTR_NULL(info.reason);
    CU_ASSERT_EQUAL(info.virt_base, 0xffffffff80000000ULL);
    CU_ASSERT_EQUAL(info.virt_entry, 0xffffffff81000100ULL);
    CU_ASSERT_EQUAL(info.hypercall_page, 0xffffffff81001000ULL);
    CU_ASSERT_EQUAL(info.virt_kstart, 0xffffffff81000000ULL);
    CU_ASSERT_EQUAL(info.virt_kend, 0xffffffff81005000ULL);
    CU_ASSERT_EQUAL(info.pstart, 0x1000000);
    CU_ASSERT_STRING_EQUAL(info.guest_os, "linux");
    CU_ASSERT_STRING_EQUAL(info.xen_version, "xen-3.0");
    CU_ASSERT_STRING_EQUAL(info.loader, "generic");
    CU_ASSERT_EQUAL(info.pae, GUEST_ELF_PAE_YES);
    CU_ASSERT_EQUAL(info.features_required, 1u << 0);
    CU_ASSERT_EQUAL(info.features_supported, (1u << 0) | (1u << 4));
    CU_ASSERT_EQUAL(info.nr_segments, 2);
    CU_ASSERT_EQUAL(info.segments[1].load_vaddr, 0xffffffff81003000ULL);
    CU_ASSERT_EQUAL(info.segments[1].file_size, 0x800);
    CU_ASSERT_EQUAL(info.segments[1].mem_size, 0x2000);
    CU_ASSERT_TRUE(GUEST_ELF_HAS(&info, XEN_ELFNOTE_HYPERCALL_PAGE));
    CU_ASSERT_EQUAL(info.nr_xen_notes, 10);
}

static void test_load_copies_and_zeroes(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    size_t len;
    eb_default(&s);
    uint8_t *img = eb_build(&s, &len);
    CU_ASSERT_EQUAL_FATAL(guest_elf_parse(img, len, &info), 0);
    size_t span = info.virt_kend - info.virt_kstart;
    uint8_t *mem = malloc(span);
    memset(mem, 0xee, span);
    CU_ASSERT_EQUAL(guest_elf_load(img, len, &info, mem, info.virt_kstart, span), 0);
    CU_ASSERT_EQUAL(mem[0], 0xcc);
    CU_ASSERT_EQUAL(mem[0x2fff], 0xcc);
    CU_ASSERT_EQUAL(mem[0x3000], 0x5a);
    CU_ASSERT_EQUAL(mem[0x37ff], 0x5a);
    CU_ASSERT_EQUAL(mem[0x3800], 0);    /* bss zeroed */
    CU_ASSERT_EQUAL(mem[span - 1], 0);
    CU_ASSERT_EQUAL(guest_elf_load(img, len, &info, mem, info.virt_kstart, span - 1), -GUEST_ELF_ENOSPC);
    CU_ASSERT_EQUAL(guest_elf_load(img, len, &info, mem, info.virt_kstart + 1, span), -GUEST_ELF_ENOSPC);
    free(mem);
    free(img);
}

static void test_every_truncation_refused(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    size_t len;
    eb_default(&s);
    uint8_t *img = eb_build(&s, &len);
    /* Every prefix that cuts into headers, notes or segments must be refused. */
    size_t needed = 0;
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, img, cut);
        int rc = guest_elf_parse(copy, cut, &info);
        if (rc == 0 && !needed)
            needed = cut;
        if (rc) {
            CU_ASSERT_PTR_NOT_NULL(info.reason);
        }
        free(copy);
    }
    /* Section headers come last and are optional: only they may be cut. */
    size_t data_end = eb_notes_offset(&s) + s.notes_len;
    CU_ASSERT_TRUE(needed == 0 || needed > data_end);
    uint8_t tiny[10] = "\177ELF";
    CU_ASSERT_EQUAL(guest_elf_parse(tiny, sizeof(tiny), &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "truncated: file is smaller than an ELF header");
    free(img);
}

static void test_wrong_format(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    eb_default(&s);
    s.elf_class = 1;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.reason, "32-bit"));

    eb_default(&s);
    s.machine = 183;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "wrong architecture: ELF is for aarch64, not x86-64");

    eb_default(&s);
    s.data = 2;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);

    CU_ASSERT_EQUAL(guest_elf_parse("MZ\x90\0 this is not an ELF file at all, it is padding to 64 bytes..", 64, &info),
                    -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "not an ELF file (no \\177ELF magic)");
    CU_ASSERT_EQUAL(guest_elf_parse(NULL, 0, &info), -GUEST_ELF_EINVAL);
}

static void test_no_xen_notes(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    eb_default(&s);
    s.notes_len = 0;
    eb_note(&s, "GNU", 3, "0123456789abcdef0123", 20);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "no Xen ELF notes: this kernel was not built to run on Xen");

    eb_default(&s);
    s.notes_len = 0;
    s.legacy_xen_guest_section = true;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "kernel has only a legacy __xen_guest section, no Xen ELF notes");
}

static void test_notes_from_sections(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    eb_default(&s);
    s.notes_in_sections_only = true;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), 0);
    CU_ASSERT_TRUE(info.notes_from_sections);
    CU_ASSERT_STRING_EQUAL(info.guest_os, "linux");
}

static void test_bad_note_values(void)
{
    struct eb_spec s;
    struct guest_elf_info info;

    /* A numeric note of 3 bytes. */
    eb_default(&s);
    eb_note(&s, "Xen", XEN_ELFNOTE_SUSPEND_CANCEL, "\1\0\0", 3);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_EQUAL(info.failed_note, XEN_ELFNOTE_SUSPEND_CANCEL);

    /* Entry outside the image. */
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_ENTRY, 0xffffffff90000000ULL);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_STRING_EQUAL(info.reason, "entry point lies outside the loaded image");

    /* Hypercall page misaligned, then outside. */
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xffffffff81001008ULL);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xffffffff81005000ULL);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_STRING_EQUAL(info.reason, "hypercall page is not a page-aligned page inside the image");

    /* VIRT_BASE above the image, and a PADDR_OFFSET that wraps it. */
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_VIRT_BASE, 0xffffffff82000000ULL);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_PADDR_OFFSET, 0x8000000000000000ULL);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);

    /* Wrong XEN_VERSION, foreign loader. */
    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_LOADER, "bsd");
    eb_note_str(&s, XEN_ELFNOTE_GUEST_OS, "netbsd");
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);

    /* An absurdly long string, a non-printable one. */
    char longstr[300];
    memset(longstr, 'a', sizeof(longstr) - 1);
    longstr[sizeof(longstr) - 1] = 0;
    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_GUEST_VERSION, longstr);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_E2BIG);
    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_GUEST_OS, "li\x01nux");
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);

    /* PAE mode nonsense; SUPPORTED_FEATURES wider than 32 bits. */
    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_PAE_MODE, "maybe");
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    eb_default(&s);
    eb_note_u64(&s, XEN_ELFNOTE_SUPPORTED_FEATURES, 1ULL << 40);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
}

static void test_features(void)
{
    struct eb_spec s;
    struct guest_elf_info info;

    /* Linux writes FEATURES without a NUL; an unknown optional name is fine. */
    eb_default(&s);
    const char f[] = "writable_descriptor_tables|shiny_future_thing|!dom0";
    eb_note(&s, "Xen", XEN_ELFNOTE_FEATURES, f, sizeof(f) - 1);
    eb_note(&s, "Xen", XEN_ELFNOTE_SUPPORTED_FEATURES, "\x00\x80\x00\x00", 4);
    CU_ASSERT_EQUAL(parse_spec(&s, &info), 0);
    CU_ASSERT_STRING_EQUAL(info.features, f);
    CU_ASSERT_EQUAL(info.features_required, (1u << 0) | (1u << 11));
    /* Both FEATURES notes count: the default's, this one, and bit 15. */
    CU_ASSERT_EQUAL(info.features_supported, (1u << 0) | (1u << 4) | (1u << 1) | (1u << 11) | (1u << 15));

    eb_default(&s);
    eb_note_str(&s, XEN_ELFNOTE_FEATURES, "!time_travel");
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);
    CU_ASSERT_STRING_EQUAL(info.reason, "the kernel requires a Xen feature Tessera does not know");
    CU_ASSERT_STRING_EQUAL(guest_elf_feature_name(0), "writable_page_tables");
    CU_ASSERT_PTR_NULL(guest_elf_feature_name(99));
    CU_ASSERT_STRING_EQUAL(guest_elf_note_name(XEN_ELFNOTE_HYPERCALL_PAGE), "HYPERCALL_PAGE");
}

static void test_bad_segments(void)
{
    struct eb_spec s;
    struct guest_elf_info info;

    eb_default(&s);
    s.segs[1].paddr = 0x1002000;   /* overlaps the first */
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_STRING_EQUAL(info.reason, "two loadable segments overlap");

    eb_default(&s);
    s.segs[1].memsz = 0x100;       /* filesz > memsz */
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);

    eb_default(&s);
    s.segs[1].memsz = 2ULL << 30;  /* 2 GiB of bss */
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_E2BIG);

    eb_default(&s);
    s.segs[1].paddr = 0x50000000;  /* segments far apart: image span > 1 GiB */
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_E2BIG);

    eb_default(&s);
    s.segs[1].paddr = UINT64_MAX - 0x100;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_EINVAL);

    eb_default(&s);
    s.nr_segs = 0;
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_ENOEXEC);

    eb_default(&s);
    s.nr_segs = EB_MAX_SEGS;
    for (unsigned i = 0; i < EB_MAX_SEGS; i++)
        s.segs[i] = (struct eb_segment){ 0x1000000 + i * 0x1000ULL, 0, 0x10, 0x1000, 4, 1 };
    CU_ASSERT_EQUAL(parse_spec(&s, &info), -GUEST_ELF_E2BIG);
    CU_ASSERT_STRING_EQUAL(info.reason, "too many loadable segments");
}

static void test_corrupt_headers(void)
{
    struct eb_spec s;
    struct guest_elf_info info;
    size_t len;
    eb_default(&s);
    uint8_t *img = eb_build(&s, &len);

    img[56] = 0xff;                 /* e_phnum = 0x..ff */
    img[57] = 0xff;
    CU_ASSERT_EQUAL(guest_elf_parse(img, len, &info), -GUEST_ELF_E2BIG);
    img[56] = 3;
    img[57] = 0;
    img[32] = 0xf0;                 /* e_phoff far away */
    img[38] = 0x10;
    CU_ASSERT_EQUAL(guest_elf_parse(img, len, &info), -GUEST_ELF_EINVAL);
    img[32] = 64;
    img[38] = 0;
    CU_ASSERT_EQUAL(guest_elf_parse(img, len, &info), 0);

    /* A note whose value size runs past the note segment. */
    size_t n = eb_notes_offset(&s);
    img[n + 4] = 0xff;
    img[n + 5] = 0xff;
    CU_ASSERT_EQUAL(guest_elf_parse(img, len, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_STRING_EQUAL(info.reason, "an ELF note's value runs past its segment");
    img[n + 4] = 6;
    img[n + 5] = 0;
    img[n + 3] = 0x10;              /* namesz huge */
    CU_ASSERT_EQUAL(guest_elf_parse(img, len, &info), -GUEST_ELF_EINVAL);
    CU_ASSERT_STRING_EQUAL(info.reason, "an ELF note's name runs past its segment");
    free(img);
}

void register_guest_elf_tests(void)
{
    CU_pSuite s = CU_add_suite("guest_elf", NULL, NULL);
    CU_add_test(s, "good_image", test_good_image);
    CU_add_test(s, "load_copies_and_zeroes", test_load_copies_and_zeroes);
    CU_add_test(s, "every_truncation_refused", test_every_truncation_refused);
    CU_add_test(s, "wrong_format", test_wrong_format);
    CU_add_test(s, "no_xen_notes", test_no_xen_notes);
    CU_add_test(s, "notes_from_sections", test_notes_from_sections);
    CU_add_test(s, "bad_note_values", test_bad_note_values);
    CU_add_test(s, "features", test_features);
    CU_add_test(s, "bad_segments", test_bad_segments);
    CU_add_test(s, "corrupt_headers", test_corrupt_headers);
}
