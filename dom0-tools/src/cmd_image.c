/*
 * "tl image-info": what a guest kernel image holds, for someone working
 * out why a guest will not boot. Prints the same facts the domain builder
 * acts on, or the reason the image would be refused.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <pvabi/elfnote.h>

#include "cmdtable.h"
#include "kernel_image.h"

static int list_opt(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'l')
        *(bool *)ctx = true;
    return 0;
}

static void print_features(const char *label, uint32_t bits)
{
    printf("%-20s", label);
    if (!bits)
        printf(" none");
    for (unsigned i = 0; i < 32; i++)
        if (bits >> i & 1) {
            const char *name = guest_elf_feature_name(i);
            if (name)
                printf(" %s", name);
            else
                printf(" bit%u", i);
        }
    printf("\n");
}

static int print_note(const struct guest_elf_note *note, void *arg)
{
    (void)arg;
    char owner[32];
    size_t n = note->name_size < sizeof(owner) ? note->name_size : sizeof(owner) - 1;
    memcpy(owner, note->name, n);
    owner[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (owner[i] && (owner[i] < 0x20 || owner[i] > 0x7e))
            owner[i] = '?';

    bool xen = note->name_size == 4 && !memcmp(note->name, XEN_ELFNOTE_OWNER, 4);
    const char *type = xen ? guest_elf_note_name(note->type) : NULL;
    uint64_t v;
    char label[32];
    if (type)
        snprintf(label, sizeof(label), "%s", type);
    else
        snprintf(label, sizeof(label), "type %#" PRIx32, note->type);
    printf("  %-6s %-20s", owner, label);
    /* Strings end at a NUL or at the end of the value. */
    uint32_t len = 0;
    while (len < note->desc_size && note->desc[len] >= 0x20 && note->desc[len] < 0x7f)
        len++;
    bool text = len > 1 && (len == note->desc_size || (note->desc[len] == 0 && len + 1 == note->desc_size));
    if (xen && text)
        printf(" \"%.*s\"\n", (int)len, (const char *)note->desc);
    else if (guest_elf_note_number(note, &v) == 0)
        printf(" 0x%" PRIx64 " (%" PRIu32 " bytes)\n", v, note->desc_size);
    else
        printf(" %" PRIu32 " bytes\n", note->desc_size);
    return 0;
}

static void print_info(const char *path, const struct kernel_image *img)
{
    const struct guest_elf_info *i = &img->info;
    printf("%-20s %s\n", "image", path);
    if (img->is_bzimage)
        printf("%-20s bzImage, boot protocol %u.%02u, %s payload of %zu bytes at %#zx\n", "container",
               img->bz.protocol >> 8, img->bz.protocol & 0xff, payload_compression_name(img->compression),
               img->bz.payload_length, img->bz.payload_offset);
    else if (img->compression != PAYLOAD_NONE)
        printf("%-20s %s-compressed ELF\n", "container", payload_compression_name(img->compression));
    else
        printf("%-20s ELF\n", "container");
    printf("%-20s ELF64 x86-64, %zu bytes\n", "elf", img->elf_len);
    printf("%-20s %s\n", "guest_os", i->guest_os[0] ? i->guest_os : "(none)");
    printf("%-20s %s\n", "guest_version", i->guest_version[0] ? i->guest_version : "(none)");
    printf("%-20s %s\n", "xen_version", i->xen_version[0] ? i->xen_version : "(none)");
    printf("%-20s %s\n", "loader", i->loader[0] ? i->loader : "(none)");
    printf("%-20s %#" PRIx64 "%s\n", "entry", i->virt_entry,
           GUEST_ELF_HAS(i, XEN_ELFNOTE_ENTRY) ? "" : " (from e_entry)");
    printf("%-20s %#" PRIx64 "\n", "virt_base", i->virt_base);
    printf("%-20s %#" PRIx64 "\n", "paddr_offset", i->paddr_offset);
    printf("%-20s [%#" PRIx64 ", %#" PRIx64 ") %" PRIu64 " KiB\n", "virtual range",
           i->virt_kstart, i->virt_kend, (i->virt_kend - i->virt_kstart) / 1024);
    if (GUEST_ELF_HAS(i, XEN_ELFNOTE_HYPERCALL_PAGE))
        printf("%-20s %#" PRIx64 "\n", "hypercall_page", i->hypercall_page);
    else
        printf("%-20s none (the kernel issues hypercalls directly)\n", "hypercall_page");
    if (GUEST_ELF_HAS(i, XEN_ELFNOTE_PHYS32_ENTRY))
        printf("%-20s %#" PRIx64 " (can boot as PVH)\n", "phys32_entry", i->phys32_entry);
    if (GUEST_ELF_HAS(i, XEN_ELFNOTE_HV_START_LOW))
        printf("%-20s %#" PRIx64 "\n", "hv_start_low", i->hv_start_low);
    if (GUEST_ELF_HAS(i, XEN_ELFNOTE_INIT_P2M))
        printf("%-20s %#" PRIx64 "\n", "init_p2m", i->init_p2m);
    printf("%-20s %s\n", "features note", i->features[0] ? i->features : "(none)");
    print_features("features supported", i->features_supported);
    print_features("features required", i->features_required);
    printf("%-20s %s\n", "pae", (const char *[]){ "(unset)", "no", "yes", "bimodal" }[i->pae]);
    printf("%-20s %u\n", "xen notes", i->nr_xen_notes);
    printf("segments:\n");
    for (unsigned s = 0; s < i->nr_segments; s++) {
        const struct guest_elf_segment *g = &i->segments[s];
        printf("  load %#" PRIx64 " paddr %#" PRIx64 " filesz %#" PRIx64 " memsz %#" PRIx64 " %c%c%c\n",
               g->load_vaddr, g->paddr, g->file_size, g->mem_size, g->flags & 4 ? 'r' : '-',
               g->flags & 2 ? 'w' : '-', g->flags & 1 ? 'x' : '-');
    }
}

int cmd_image_info(const struct tl_command *cmd, int argc, char **argv)
{
    struct kernel_image img;
    bool all_notes = false;
    char why[256];
    int exit_code, first = tl_parse_options(cmd, argc, argv, list_opt, &all_notes, &exit_code);

    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    if (kernel_image_load(argv[first], &img, why, sizeof(why))) {
        fprintf(stderr, "%s: %s: refused: %s\n", tl_progname, argv[first], why);
        return TL_EXIT_FAILURE;
    }
    print_info(argv[first], &img);
    if (all_notes) {
        printf("notes:\n");
        guest_elf_for_each_note(img.elf, img.elf_len, &img.info, print_note, NULL);
    }
    kernel_image_free(&img);
    return TL_EXIT_OK;
}
