/* Address-to-name lookup over the generated, sorted symbol table. */
#include <tessera/format.h>
#include <tessera/symbols.h>

const char *symbol_lookup(uint64_t addr, uint64_t *offset_out)
{
    unsigned lo = 0, hi = symbol_count;

    if (symbol_count == 0 || addr < symbol_table[0].addr || addr >= symbol_text_end)
        return NULL;
    /* Find the last entry with entry.addr <= addr: invariant table[lo].addr <= addr. */
    while (hi - lo > 1) {
        unsigned mid = lo + (hi - lo) / 2;
        if (symbol_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (offset_out)
        *offset_out = addr - symbol_table[lo].addr;
    return symbol_names + symbol_table[lo].name;
}

int symbol_format(char *buf, size_t size, uint64_t addr)
{
    uint64_t off;
    const char *name = symbol_lookup(addr, &off);

    if (!name)
        return format(buf, size, "0x%016llx", (unsigned long long)addr);
    return format(buf, size, "%s+0x%llx", name, (unsigned long long)off);
}
