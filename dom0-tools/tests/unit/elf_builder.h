/*
 * Builds small synthetic ELF64 guest kernels in memory for the loader
 * tests: chosen segments, Xen notes (or any other), optional section
 * headers, and knobs to break each field the loader validates.
 */
#ifndef TL_TEST_ELF_BUILDER_H
#define TL_TEST_ELF_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EB_MAX_SEGS 20
#define EB_NOTES_MAX 4096

struct eb_segment {
    uint64_t paddr, vaddr, filesz, memsz;
    uint32_t flags;
    uint8_t fill;           /* file bytes are this value */
};

struct eb_spec {
    uint8_t elf_class;      /* 2 = 64-bit (default when 0) */
    uint8_t data;           /* 1 = little endian (default when 0) */
    uint16_t machine;       /* 62 = x86-64 (default when 0) */
    uint64_t entry;
    unsigned nr_segs;
    struct eb_segment segs[EB_MAX_SEGS];
    uint8_t notes[EB_NOTES_MAX];
    size_t notes_len;
    bool notes_in_sections_only;    /* SHT_NOTE section, no PT_NOTE */
    bool legacy_xen_guest_section;  /* add a "__xen_guest" section */
};

/* A spec for a well-formed Linux-like PV kernel: one text segment at
 * paddr 0x1000000, VIRT_BASE 0xffffffff80000000, entry and hypercall
 * page inside, XEN_VERSION, GUEST_OS, LOADER and FEATURES notes. */
void eb_default(struct eb_spec *s);

/* Appends a note; returns false if it does not fit. */
bool eb_note(struct eb_spec *s, const char *owner, uint32_t type, const void *desc, uint32_t desc_len);
bool eb_note_str(struct eb_spec *s, uint32_t type, const char *value);
bool eb_note_u64(struct eb_spec *s, uint32_t type, uint64_t value);

/* Writes the ELF; returns a malloc'd buffer and its length in *len. */
uint8_t *eb_build(const struct eb_spec *s, size_t *len);

/* Offset of the first note's header within a built image (for corrupting). */
size_t eb_notes_offset(const struct eb_spec *s);

#endif
