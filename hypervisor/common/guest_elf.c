/*
 * Guest kernel ELF loader, shared by the hypervisor's boot-time domain
 * builder and the toolstack. Freestanding: no libc, no allocation; every
 * read goes through the bounds-checked helpers below, and all multi-byte
 * fields are read byte by byte so a misaligned or hostile buffer is safe.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pvabi/elfnote.h>
#include <tessera/guest_elf.h>

/* ELF64 constants and field offsets (System V gABI, x86-64 psABI). */
#define EHDR_SIZE       64
#define PHDR_SIZE       56
#define SHDR_SIZE       64
#define EI_CLASS        4
#define EI_DATA         5
#define EI_VERSION      6
#define ELFCLASS32      1
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define ET_EXEC         2
#define ET_DYN          3
#define EM_386          3
#define EM_X86_64       62
#define EM_AARCH64      183
#define PT_LOAD         1
#define PT_NOTE         4
#define SHT_NOTE        7
#define PAGE_SIZE       4096u

#define E_TYPE      16
#define E_MACHINE   18
#define E_VERSION   20
#define E_ENTRY     24
#define E_PHOFF     32
#define E_SHOFF     40
#define E_EHSIZE    52
#define E_PHENTSIZE 54
#define E_PHNUM     56
#define E_SHENTSIZE 58
#define E_SHNUM     60
#define E_SHSTRNDX  62

#define P_TYPE   0
#define P_FLAGS  4
#define P_OFFSET 8
#define P_PADDR  24
#define P_FILESZ 32
#define P_MEMSZ  40

#define SH_NAME   0
#define SH_TYPE   4
#define SH_OFFSET 24
#define SH_SIZE   32

/* A note's name and value are each padded to 4 bytes. */
#define NOTE_ALIGN(x) (((uint64_t)(x) + 3) & ~(uint64_t)3)

struct image {
    const uint8_t *p;
    uint64_t len;
};

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* True when [off, off + size) lies inside the image, without overflow. */
static bool in_bounds(const struct image *img, uint64_t off, uint64_t size)
{
    return off <= img->len && size <= img->len - off;
}

static int fail(struct guest_elf_info *info, int err, const char *why)
{
    info->reason = why;
    return -err;
}

static bool bytes_equal(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

static size_t str_len(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

static bool starts_with(const char *s, const char *prefix)
{
    return bytes_equal(s, prefix, str_len(prefix));
}

static void zero(void *p, size_t n)
{
    uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        b[i] = 0;
}

static const char *const feature_names[] = {
    "writable_page_tables", "writable_descriptor_tables", "auto_translated_physmap",
    "supervisor_mode_kernel", "pae_pgdir_above_4gb", "mmu_pt_update_preserve_ad",
    "highmem_assist", "gnttab_map_avail_bits", "hvm_callback_vector",
    "hvm_safe_pvclock", "hvm_pirqs", "dom0", "grant_map_identity",
    "memory_op_vnode_supported", "ARM_SMCCC_supported", "linux_rsdp_unrestricted",
    "not_direct_mapped", "direct_mapped",
};
#define NR_FEATURE_NAMES (sizeof(feature_names) / sizeof(feature_names[0]))

const char *guest_elf_feature_name(unsigned nr)
{
    return nr < NR_FEATURE_NAMES ? feature_names[nr] : NULL;
}

static const char *const note_names[] = {
    [XEN_ELFNOTE_INFO] = "INFO",
    [XEN_ELFNOTE_ENTRY] = "ENTRY",
    [XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
    [XEN_ELFNOTE_VIRT_BASE] = "VIRT_BASE",
    [XEN_ELFNOTE_PADDR_OFFSET] = "PADDR_OFFSET",
    [XEN_ELFNOTE_XEN_VERSION] = "XEN_VERSION",
    [XEN_ELFNOTE_GUEST_OS] = "GUEST_OS",
    [XEN_ELFNOTE_GUEST_VERSION] = "GUEST_VERSION",
    [XEN_ELFNOTE_LOADER] = "LOADER",
    [XEN_ELFNOTE_PAE_MODE] = "PAE_MODE",
    [XEN_ELFNOTE_FEATURES] = "FEATURES",
    [XEN_ELFNOTE_BSD_SYMTAB] = "BSD_SYMTAB",
    [XEN_ELFNOTE_HV_START_LOW] = "HV_START_LOW",
    [XEN_ELFNOTE_L1_MFN_VALID] = "L1_MFN_VALID",
    [XEN_ELFNOTE_SUSPEND_CANCEL] = "SUSPEND_CANCEL",
    [XEN_ELFNOTE_INIT_P2M] = "INIT_P2M",
    [XEN_ELFNOTE_MOD_START_PFN] = "MOD_START_PFN",
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = "SUPPORTED_FEATURES",
    [XEN_ELFNOTE_PHYS32_ENTRY] = "PHYS32_ENTRY",
};

const char *guest_elf_note_name(uint32_t type)
{
    return type <= XEN_ELFNOTE_MAX ? note_names[type] : NULL;
}

int guest_elf_note_number(const struct guest_elf_note *note, uint64_t *value)
{
    switch (note->desc_size) {
    case 1: *value = note->desc[0]; return 0;
    case 2: *value = rd16(note->desc); return 0;
    case 4: *value = rd32(note->desc); return 0;
    case 8: *value = rd64(note->desc); return 0;
    default: return -GUEST_ELF_EINVAL;
    }
}

/* Header checks shared by parse and for_each_note. */
static int check_header(const struct image *img, struct guest_elf_info *info)
{
    const uint8_t *e = img->p;

    if (img->len < 4 || !bytes_equal(e, "\177ELF", 4))
        return fail(info, GUEST_ELF_ENOEXEC, "not an ELF file (no \\177ELF magic)");
    if (img->len < EHDR_SIZE)
        return fail(info, GUEST_ELF_ENOEXEC, "truncated: file is smaller than an ELF header");
    if (e[EI_CLASS] == ELFCLASS32)
        return fail(info, GUEST_ELF_ENOEXEC, "32-bit ELF: only 64-bit x86-64 guest kernels are supported");
    if (e[EI_CLASS] != ELFCLASS64)
        return fail(info, GUEST_ELF_ENOEXEC, "bad ELF class byte");
    if (e[EI_DATA] != ELFDATA2LSB)
        return fail(info, GUEST_ELF_ENOEXEC, "big-endian ELF: x86-64 guests are little endian");
    if (e[EI_VERSION] != 1 || rd32(e + E_VERSION) != 1)
        return fail(info, GUEST_ELF_ENOEXEC, "unknown ELF version");
    if (rd16(e + E_MACHINE) != EM_X86_64)
        return fail(info, GUEST_ELF_ENOEXEC, rd16(e + E_MACHINE) == EM_AARCH64
                    ? "wrong architecture: ELF is for aarch64, not x86-64"
                    : rd16(e + E_MACHINE) == EM_386
                    ? "wrong architecture: ELF is for i386, not x86-64"
                    : "wrong architecture: ELF machine is not x86-64");
    if (rd16(e + E_TYPE) != ET_EXEC && rd16(e + E_TYPE) != ET_DYN)
        return fail(info, GUEST_ELF_ENOEXEC, "ELF is not an executable (e_type is not EXEC or DYN)");
    if (rd16(e + E_EHSIZE) < EHDR_SIZE)
        return fail(info, GUEST_ELF_EINVAL, "ELF header size field is too small");
    return 0;
}

static int check_phdr_table(const struct image *img, struct guest_elf_info *info)
{
    const uint8_t *e = img->p;
    uint16_t phnum = rd16(e + E_PHNUM);

    if (phnum == 0)
        return fail(info, GUEST_ELF_ENOEXEC, "ELF has no program headers");
    if (rd16(e + E_PHENTSIZE) != PHDR_SIZE)
        return fail(info, GUEST_ELF_EINVAL, "ELF program header size is not 56");
    if (phnum > GUEST_ELF_MAX_PHDRS)
        return fail(info, GUEST_ELF_E2BIG, "absurd number of ELF program headers");
    if (!in_bounds(img, rd64(e + E_PHOFF), (uint64_t)phnum * PHDR_SIZE))
        return fail(info, GUEST_ELF_EINVAL, "truncated: program headers lie beyond the end of the file");
    return 0;
}

static const uint8_t *phdr(const struct image *img, unsigned i)
{
    return img->p + rd64(img->p + E_PHOFF) + (uint64_t)i * PHDR_SIZE;
}

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return alen && blen && a < b + blen && b < a + alen;
}

static int collect_segments(const struct image *img, struct guest_elf_info *info)
{
    uint16_t phnum = rd16(img->p + E_PHNUM);

    info->pstart = UINT64_MAX;
    info->pend = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = phdr(img, i);
        if (rd32(ph + P_TYPE) != PT_LOAD)
            continue;

        uint64_t off = rd64(ph + P_OFFSET), filesz = rd64(ph + P_FILESZ);
        uint64_t memsz = rd64(ph + P_MEMSZ), paddr = rd64(ph + P_PADDR);
        if (memsz == 0)
            continue;   /* occupies nothing; linkers emit these */
        if (!in_bounds(img, off, filesz))
            return fail(info, GUEST_ELF_EINVAL, "truncated: a loadable segment lies beyond the end of the file");
        if (filesz > memsz)
            return fail(info, GUEST_ELF_EINVAL, "a loadable segment has more file bytes than memory bytes");
        if (memsz > GUEST_ELF_MAX_IMAGE_SPAN)
            return fail(info, GUEST_ELF_E2BIG, "a loadable segment is larger than 1 GiB");
        if (paddr + memsz < paddr)
            return fail(info, GUEST_ELF_EINVAL, "a loadable segment wraps around the address space");
        if (info->nr_segments == GUEST_ELF_MAX_SEGMENTS)
            return fail(info, GUEST_ELF_E2BIG, "too many loadable segments");

        for (unsigned j = 0; j < info->nr_segments; j++)
            if (ranges_overlap(paddr, memsz, info->segments[j].paddr, info->segments[j].mem_size))
                return fail(info, GUEST_ELF_EINVAL, "two loadable segments overlap");

        struct guest_elf_segment *s = &info->segments[info->nr_segments++];
        s->file_offset = off;
        s->file_size = filesz;
        s->mem_size = memsz;
        s->paddr = paddr;
        s->flags = rd32(ph + P_FLAGS);
        if (paddr < info->pstart)
            info->pstart = paddr;
        if (paddr + memsz > info->pend)
            info->pend = paddr + memsz;
    }
    if (info->nr_segments == 0)
        return fail(info, GUEST_ELF_ENOEXEC, "ELF has no loadable segments");
    if (info->pend - info->pstart > GUEST_ELF_MAX_IMAGE_SPAN)
        return fail(info, GUEST_ELF_E2BIG, "loadable segments span more than 1 GiB");
    return 0;
}

/* Walks the notes in image bytes [off, off + size). */
static int walk_notes(const struct image *img, uint64_t off, uint64_t size,
                      struct guest_elf_info *info,
                      int (*fn)(const struct guest_elf_note *, void *), void *arg)
{
    if (!in_bounds(img, off, size))
        return fail(info, GUEST_ELF_EINVAL, "truncated: a note segment lies beyond the end of the file");

    uint64_t pos = off, end = off + size;
    while (end - pos >= 12) {
        const uint8_t *n = img->p + pos;
        uint32_t namesz = rd32(n), descsz = rd32(n + 4);
        uint64_t name_off = pos + 12;
        uint64_t desc_off = name_off + NOTE_ALIGN(namesz);
        if (NOTE_ALIGN(namesz) > end - name_off)
            return fail(info, GUEST_ELF_EINVAL, "an ELF note's name runs past its segment");
        if (descsz > end - desc_off)
            return fail(info, GUEST_ELF_EINVAL, "an ELF note's value runs past its segment");

        struct guest_elf_note note = {
            .name = (const char *)img->p + name_off,
            .name_size = namesz,
            .type = rd32(n + 8),
            .desc = img->p + desc_off,
            .desc_size = descsz,
        };
        int rc = fn(&note, arg);
        if (rc)
            return rc;
        uint64_t next = desc_off + NOTE_ALIGN(descsz);
        pos = next < end ? next : end;
    }
    return 0;
}

static const uint8_t *shdr(const struct image *img, unsigned i)
{
    return img->p + rd64(img->p + E_SHOFF) + (uint64_t)i * SHDR_SIZE;
}

/* Validates the section header table; returns the count, 0 if absent/bad. */
static unsigned usable_sections(const struct image *img)
{
    uint16_t shnum = rd16(img->p + E_SHNUM);
    if (shnum == 0 || rd16(img->p + E_SHENTSIZE) != SHDR_SIZE)
        return 0;
    if (!in_bounds(img, rd64(img->p + E_SHOFF), (uint64_t)shnum * SHDR_SIZE))
        return 0;
    return shnum;
}

int guest_elf_for_each_note(const void *buf, size_t len, struct guest_elf_info *info,
                            int (*fn)(const struct guest_elf_note *note, void *arg),
                            void *arg)
{
    struct image img = { buf, len };
    bool found_pt_note = false;
    int rc = check_header(&img, info);
    if (rc)
        return rc;
    rc = check_phdr_table(&img, info);
    if (rc)
        return rc;

    for (unsigned i = 0; i < rd16(img.p + E_PHNUM); i++) {
        const uint8_t *ph = phdr(&img, i);
        if (rd32(ph + P_TYPE) != PT_NOTE)
            continue;
        found_pt_note = true;
        rc = walk_notes(&img, rd64(ph + P_OFFSET), rd64(ph + P_FILESZ), info, fn, arg);
        if (rc)
            return rc;
    }
    if (found_pt_note)
        return 0;

    /* Some linkers leave notes only in sections; look there next. */
    unsigned shnum = usable_sections(&img);
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = shdr(&img, i);
        if (rd32(sh + SH_TYPE) != SHT_NOTE)
            continue;
        info->notes_from_sections = true;
        rc = walk_notes(&img, rd64(sh + SH_OFFSET), rd64(sh + SH_SIZE), info, fn, arg);
        if (rc)
            return rc;
    }
    return 0;
}

/*
 * Copies a string note into dst. The string ends at its first NUL or at the
 * end of the value: Linux writes FEATURES without a terminating NUL.
 */
static int note_string(const struct guest_elf_note *note, char *dst, size_t dst_size,
                       struct guest_elf_info *info)
{
    uint32_t n = 0;
    while (n < note->desc_size && note->desc[n])
        n++;
    if (n >= dst_size)
        return fail(info, GUEST_ELF_E2BIG, "a Xen string note is absurdly long");
    for (uint32_t i = 0; i < n; i++) {
        if (note->desc[i] < 0x20 || note->desc[i] > 0x7e)
            return fail(info, GUEST_ELF_EINVAL, "a Xen string note holds non-printable bytes");
        dst[i] = (char)note->desc[i];
    }
    dst[n] = '\0';
    return 0;
}

static int feature_bit(const char *name, size_t len)
{
    for (unsigned i = 0; i < NR_FEATURE_NAMES; i++)
        if (str_len(feature_names[i]) == len && bytes_equal(feature_names[i], name, len))
            return (int)i;
    return -1;
}

/*
 * "name|!name|..." -> bitmaps. An unknown optional feature is ignored (a
 * newer kernel may offer more than we know); an unknown required one is an
 * error, since nobody here can provide it.
 */
static int parse_features(struct guest_elf_info *info)
{
    const char *s = info->features;
    while (*s) {
        bool required = *s == '!';
        if (required)
            s++;
        size_t n = 0;
        while (s[n] && s[n] != '|')
            n++;
        int bit = feature_bit(s, n);
        if (bit >= 0) {
            info->features_supported |= 1u << bit;
            if (required)
                info->features_required |= 1u << bit;
        } else if (required) {
            return fail(info, GUEST_ELF_ENOEXEC, "the kernel requires a Xen feature Tessera does not know");
        }
        s += n;
        if (*s == '|')
            s++;
    }
    return 0;
}

static int parse_pae(struct guest_elf_info *info, const char *v)
{
    if (starts_with(v, "yes,bimodal") || starts_with(v, "bimodal"))
        info->pae = GUEST_ELF_PAE_BIMODAL;
    else if (starts_with(v, "yes"))
        info->pae = GUEST_ELF_PAE_YES;
    else if (starts_with(v, "no"))
        info->pae = GUEST_ELF_PAE_NO;
    else
        return fail(info, GUEST_ELF_EINVAL, "PAE_MODE note is not yes, no or bimodal");
    return 0;
}

static bool is_string_note(uint32_t type)
{
    switch (type) {
    case XEN_ELFNOTE_INFO: case XEN_ELFNOTE_XEN_VERSION: case XEN_ELFNOTE_GUEST_OS:
    case XEN_ELFNOTE_GUEST_VERSION: case XEN_ELFNOTE_LOADER: case XEN_ELFNOTE_PAE_MODE:
    case XEN_ELFNOTE_FEATURES: case XEN_ELFNOTE_BSD_SYMTAB:
        return true;
    default:
        return false;
    }
}

static int xen_string_note(const struct guest_elf_note *note, struct guest_elf_info *info)
{
    char tmp[GUEST_ELF_STRING_MAX];
    int rc;

    switch (note->type) {
    case XEN_ELFNOTE_XEN_VERSION:
        return note_string(note, info->xen_version, sizeof(info->xen_version), info);
    case XEN_ELFNOTE_GUEST_OS:
        return note_string(note, info->guest_os, sizeof(info->guest_os), info);
    case XEN_ELFNOTE_GUEST_VERSION:
        return note_string(note, info->guest_version, sizeof(info->guest_version), info);
    case XEN_ELFNOTE_LOADER:
        return note_string(note, info->loader, sizeof(info->loader), info);
    case XEN_ELFNOTE_FEATURES:
        rc = note_string(note, info->features, sizeof(info->features), info);
        return rc ? rc : parse_features(info);
    case XEN_ELFNOTE_PAE_MODE:
        rc = note_string(note, tmp, sizeof(tmp), info);
        return rc ? rc : parse_pae(info, tmp);
    case XEN_ELFNOTE_BSD_SYMTAB:
        rc = note_string(note, tmp, sizeof(tmp), info);
        info->bsd_symtab = !rc && starts_with(tmp, "yes");
        return rc;
    default:   /* INFO: free-form NAME=VALUE, nothing relies on it */
        return 0;
    }
}

static int xen_number_note(const struct guest_elf_note *note, struct guest_elf_info *info)
{
    uint64_t v;

    if (note->type == XEN_ELFNOTE_L1_MFN_VALID)
        return 0;   /* mask/value pairs; only used by 32-bit PV */
    if (guest_elf_note_number(note, &v))
        return fail(info, GUEST_ELF_EINVAL, "a numeric Xen note is not 1, 2, 4 or 8 bytes long");

    switch (note->type) {
    case XEN_ELFNOTE_ENTRY: info->virt_entry = v; break;
    case XEN_ELFNOTE_HYPERCALL_PAGE: info->hypercall_page = v; break;
    case XEN_ELFNOTE_VIRT_BASE: info->virt_base = v; break;
    case XEN_ELFNOTE_PADDR_OFFSET: info->paddr_offset = v; break;
    case XEN_ELFNOTE_HV_START_LOW: info->hv_start_low = v; break;
    case XEN_ELFNOTE_SUSPEND_CANCEL: info->suspend_cancel = v; break;
    case XEN_ELFNOTE_INIT_P2M: info->init_p2m = v; break;
    case XEN_ELFNOTE_MOD_START_PFN: info->mod_start_pfn = v; break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (v > UINT32_MAX)
            return fail(info, GUEST_ELF_EINVAL, "SUPPORTED_FEATURES note is wider than 32 bits");
        info->features_supported |= (uint32_t)v;
        break;
    case XEN_ELFNOTE_PHYS32_ENTRY:
        if (v > UINT32_MAX)
            return fail(info, GUEST_ELF_EINVAL, "PHYS32_ENTRY note is above 4 GiB");
        info->phys32_entry = v;
        break;
    default: break;
    }
    return 0;
}

static int xen_note(const struct guest_elf_note *note, void *arg)
{
    struct guest_elf_info *info = arg;
    int rc;

    if (note->name_size != 4 || !bytes_equal(note->name, XEN_ELFNOTE_OWNER, 4))
        return 0;   /* another owner's note (GNU build id, Linux, ...) */
    if (note->type > XEN_ELFNOTE_MAX)
        return 0;   /* newer than this loader: ignore, as Xen does */

    info->failed_note = (int)note->type;
    rc = is_string_note(note->type) ? xen_string_note(note, info) : xen_number_note(note, info);
    if (rc)
        return rc;
    info->failed_note = -1;
    info->notes_present |= 1u << note->type;
    info->nr_xen_notes++;
    return 0;
}

/* True when a section named __xen_guest exists (pre-ELF-note kernels). */
static bool has_legacy_guest_section(const struct image *img)
{
    static const char legacy[] = "__xen_guest";
    unsigned shnum = usable_sections(img);
    uint16_t strndx = rd16(img->p + E_SHSTRNDX);
    if (strndx >= shnum)
        return false;
    const uint8_t *strtab = shdr(img, strndx);
    uint64_t str_off = rd64(strtab + SH_OFFSET), str_size = rd64(strtab + SH_SIZE);
    if (!in_bounds(img, str_off, str_size))
        return false;
    for (unsigned i = 0; i < shnum; i++) {
        uint64_t name = rd32(shdr(img, i) + SH_NAME);
        if (name < str_size && str_size - name >= sizeof(legacy) &&
            bytes_equal(img->p + str_off + name, legacy, sizeof(legacy)))
            return true;
    }
    return false;
}

/* Which builder this kernel is for, and the addresses the builder trusts. */
static int check_notes_and_addresses(const struct image *img, struct guest_elf_info *info)
{
    if (info->nr_xen_notes == 0)
        return fail(info, GUEST_ELF_ENOEXEC, has_legacy_guest_section(img)
                    ? "kernel has only a legacy __xen_guest section, no Xen ELF notes"
                    : "no Xen ELF notes: this kernel was not built to run on Xen");

    bool pvh = GUEST_ELF_HAS(info, XEN_ELFNOTE_PHYS32_ENTRY);
    if (!pvh && !starts_with(info->xen_version, "xen-3.0"))
        return fail(info, GUEST_ELF_ENOEXEC, "XEN_VERSION note is missing or not xen-3.0");
    if (!pvh && !starts_with(info->loader, "generic") && !starts_with(info->guest_os, "linux"))
        return fail(info, GUEST_ELF_ENOEXEC,
                    "kernel is neither for the generic loader nor Linux, and has no PHYS32_ENTRY");

    info->virt_offset = info->virt_base - info->paddr_offset;
    info->virt_kstart = info->pstart + info->virt_offset;
    info->virt_kend = info->pend + info->virt_offset;
    if (info->virt_kend < info->virt_kstart)
        return fail(info, GUEST_ELF_EINVAL, "VIRT_BASE/PADDR_OFFSET put the image across the top of the address space");
    if (!GUEST_ELF_HAS(info, XEN_ELFNOTE_ENTRY))
        info->virt_entry = info->elf_entry;
    if (info->virt_base > info->virt_kstart)
        return fail(info, GUEST_ELF_EINVAL, "VIRT_BASE lies above the start of the image");
    if (info->virt_entry < info->virt_kstart || info->virt_entry >= info->virt_kend)
        return fail(info, GUEST_ELF_EINVAL, "entry point lies outside the loaded image");
    if (GUEST_ELF_HAS(info, XEN_ELFNOTE_HYPERCALL_PAGE) &&
        (info->hypercall_page < info->virt_kstart ||
         info->virt_kend - info->virt_kstart < PAGE_SIZE ||
         info->hypercall_page > info->virt_kend - PAGE_SIZE ||
         info->hypercall_page % PAGE_SIZE))
        return fail(info, GUEST_ELF_EINVAL, "hypercall page is not a page-aligned page inside the image");
    if (pvh && info->phys32_entry == 0)
        return fail(info, GUEST_ELF_EINVAL, "PHYS32_ENTRY note is zero");

    for (unsigned i = 0; i < info->nr_segments; i++)
        info->segments[i].load_vaddr = info->segments[i].paddr + info->virt_offset;
    return 0;
}

int guest_elf_parse(const void *buf, size_t len, struct guest_elf_info *info)
{
    struct image img = { buf, len };
    int rc;

    zero(info, sizeof(*info));
    info->failed_note = -1;
    if (!buf)
        return fail(info, GUEST_ELF_EINVAL, "no image");

    rc = check_header(&img, info);
    if (!rc)
        rc = check_phdr_table(&img, info);
    if (!rc)
        rc = collect_segments(&img, info);
    if (rc)
        return rc;
    info->elf_entry = rd64(img.p + E_ENTRY);

    rc = guest_elf_for_each_note(buf, len, info, xen_note, info);
    if (rc)
        return rc;
    return check_notes_and_addresses(&img, info);
}

int guest_elf_check_load(size_t len, const struct guest_elf_info *info, uint64_t dst_vaddr,
                         uint64_t dst_len)
{
    for (unsigned i = 0; i < info->nr_segments; i++) {
        const struct guest_elf_segment *s = &info->segments[i];
        if (s->load_vaddr < dst_vaddr || s->load_vaddr - dst_vaddr > dst_len ||
            s->mem_size > dst_len - (s->load_vaddr - dst_vaddr))
            return -GUEST_ELF_ENOSPC;
        if (s->file_offset > len || s->file_size > len - s->file_offset ||
            s->file_size > s->mem_size)
            return -GUEST_ELF_EINVAL;
    }
    return 0;
}

int guest_elf_load(const void *buf, size_t len, const struct guest_elf_info *info,
                   void *dst, uint64_t dst_vaddr, uint64_t dst_len)
{
    const uint8_t *src = buf;
    uint8_t *out = dst;
    int rc = guest_elf_check_load(len, info, dst_vaddr, dst_len);

    if (rc)
        return rc;
    for (unsigned i = 0; i < info->nr_segments; i++) {
        const struct guest_elf_segment *s = &info->segments[i];
        uint8_t *to = out + (s->load_vaddr - dst_vaddr);
        __builtin_memcpy(to, src + s->file_offset, s->file_size);
        zero(to + s->file_size, s->mem_size - s->file_size);
    }
    return 0;
}
