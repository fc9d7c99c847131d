/*
 * The hypervisor's own text symbols, for naming addresses in panics and
 * backtraces. The table is generated at build time by tools/gensyms from
 * `nm -n` of a first link and linked into the final image; it holds only
 * offsets into one string blob, so it needs no relocation.
 */
#ifndef TESSERA_SYMBOLS_H
#define TESSERA_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symbol_entry {
    uint64_t addr;
    uint32_t name;          /* offset of the NUL-terminated name in symbol_names */
    uint32_t reserved;
};

/* Generated: sorted by address, one name per address, then a sentinel. */
extern const struct symbol_entry symbol_table[];
extern const unsigned int symbol_count;
extern const char symbol_names[];
extern const uint64_t symbol_text_end;   /* first address past the text */

/*
 * The symbol containing addr: the name of the last symbol at or below it,
 * and addr's offset from it in *offset_out (if not NULL). NULL when addr
 * is below the first symbol or at/after the end of the text.
 */
const char *symbol_lookup(uint64_t addr, uint64_t *offset_out);

/* "name+0x1f" or, outside the text, "0xffff82d040201234". snprintf's result. */
int symbol_format(char *buf, size_t size, uint64_t addr);

#endif
