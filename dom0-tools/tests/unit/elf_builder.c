#include "elf_builder.h"

#include <stdlib.h>
#include <string.h>

#include <pvabi/elfnote.h>

static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, (uint16_t)v); w16(p + 2, (uint16_t)(v >> 16)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

bool eb_note(struct eb_spec *s, const char *owner, uint32_t type, const void *desc, uint32_t desc_len)
{
    uint32_t namesz = (uint32_t)strlen(owner) + 1;
    size_t need = 12 + ((namesz + 3) & ~3u) + ((desc_len + 3) & ~3u);
    if (s->notes_len + need > EB_NOTES_MAX)
        return false;
    uint8_t *p = s->notes + s->notes_len;
    memset(p, 0, need);
    w32(p, namesz);
    w32(p + 4, desc_len);
    w32(p + 8, type);
    memcpy(p + 12, owner, namesz);
    memcpy(p + 12 + ((namesz + 3) & ~3u), desc, desc_len);
    s->notes_len += need;
    return true;
}

bool eb_note_str(struct eb_spec *s, uint32_t type, const char *value)
{
    return eb_note(s, "Xen", type, value, (uint32_t)strlen(value) + 1);
}

bool eb_note_u64(struct eb_spec *s, uint32_t type, uint64_t value)
{
    uint8_t v[8];
    w64(v, value);
    return eb_note(s, "Xen", type, v, 8);
}

void eb_default(struct eb_spec *s)
{
    memset(s, 0, sizeof(*s));
    s->entry = 0xffffffff81000100ULL;
    s->nr_segs = 2;
    s->segs[0] = (struct eb_segment){ 0x1000000, 0xffffffff81000000ULL, 0x3000, 0x3000, 5, 0xcc };
    s->segs[1] = (struct eb_segment){ 0x1003000, 0xffffffff81003000ULL, 0x800, 0x2000, 6, 0x5a };
    eb_note_str(s, XEN_ELFNOTE_GUEST_OS, "linux");
    eb_note_str(s, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    eb_note_str(s, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    eb_note_u64(s, XEN_ELFNOTE_VIRT_BASE, 0xffffffff80000000ULL);
    eb_note_u64(s, XEN_ELFNOTE_PADDR_OFFSET, 0);
    eb_note_u64(s, XEN_ELFNOTE_ENTRY, 0xffffffff81000100ULL);
    eb_note_u64(s, XEN_ELFNOTE_HYPERCALL_PAGE, 0xffffffff81001000ULL);
    eb_note_str(s, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    eb_note_str(s, XEN_ELFNOTE_PAE_MODE, "yes");
    eb_note_str(s, XEN_ELFNOTE_LOADER, "generic");
}

#define EHDR 64
#define PHDR 56
#define SHDR 64

size_t eb_notes_offset(const struct eb_spec *s)
{
    return EHDR + (size_t)(s->nr_segs + 1) * PHDR;
}

uint8_t *eb_build(const struct eb_spec *s, size_t *len)
{
    static const char shstr[] = "\0.notes\0.shstrtab\0__xen_guest\0";
    unsigned nph = s->nr_segs + (s->notes_in_sections_only ? 0 : 1);
    size_t notes_off = eb_notes_offset(s);
    size_t pos = notes_off + s->notes_len, seg_off[EB_MAX_SEGS];
    for (unsigned i = 0; i < s->nr_segs; i++) {
        pos = (pos + 15) & ~(size_t)15;
        seg_off[i] = pos;
        pos += s->segs[i].filesz;
    }
    size_t shstr_off = pos, legacy_off = shstr_off + sizeof(shstr);
    pos = (legacy_off + 16 + 7) & ~(size_t)7;
    size_t sh_off = pos;
    unsigned nsh = 3 + (s->legacy_xen_guest_section ? 1 : 0);
    size_t total = sh_off + nsh * SHDR;

    uint8_t *b = calloc(1, total);
    if (!b)
        return NULL;
    memcpy(b, "\177ELF", 4);
    b[4] = s->elf_class ? s->elf_class : 2;
    b[5] = s->data ? s->data : 1;
    b[6] = 1;
    w16(b + 16, 2);
    w16(b + 18, s->machine ? s->machine : 62);
    w32(b + 20, 1);
    w64(b + 24, s->entry);
    w64(b + 32, EHDR);
    w64(b + 40, sh_off);
    w16(b + 52, EHDR);
    w16(b + 54, PHDR);
    w16(b + 56, (uint16_t)nph);
    w16(b + 58, SHDR);
    w16(b + 60, (uint16_t)nsh);
    w16(b + 62, 2);

    for (unsigned i = 0; i < s->nr_segs; i++) {
        uint8_t *ph = b + EHDR + i * PHDR;
        const struct eb_segment *g = &s->segs[i];
        w32(ph, 1);
        w32(ph + 4, g->flags);
        w64(ph + 8, seg_off[i]);
        w64(ph + 16, g->vaddr);
        w64(ph + 24, g->paddr);
        w64(ph + 32, g->filesz);
        w64(ph + 40, g->memsz);
        w64(ph + 48, 16);
        memset(b + seg_off[i], g->fill, g->filesz);
    }
    if (!s->notes_in_sections_only) {
        uint8_t *ph = b + EHDR + s->nr_segs * PHDR;
        w32(ph, 4);
        w32(ph + 4, 4);
        w64(ph + 8, notes_off);
        w64(ph + 32, s->notes_len);
        w64(ph + 40, s->notes_len);
        w64(ph + 48, 4);
    }
    memcpy(b + notes_off, s->notes, s->notes_len);
    memcpy(b + shstr_off, shstr, sizeof(shstr));
    memcpy(b + legacy_off, "GUEST_OS=linux", 15);

    uint8_t *sh = b + sh_off + SHDR;         /* [0] stays the null section */
    w32(sh, 1);                              /* .notes */
    w32(sh + 4, 7);
    w64(sh + 24, notes_off);
    w64(sh + 32, s->notes_len);
    sh += SHDR;
    w32(sh, 8);                              /* .shstrtab */
    w32(sh + 4, 3);
    w64(sh + 24, shstr_off);
    w64(sh + 32, sizeof(shstr));
    if (s->legacy_xen_guest_section) {
        sh += SHDR;
        w32(sh, 18);                         /* __xen_guest */
        w32(sh + 4, 1);
        w64(sh + 24, legacy_off);
        w64(sh + 32, 15);
    }
    *len = total;
    return b;
}
