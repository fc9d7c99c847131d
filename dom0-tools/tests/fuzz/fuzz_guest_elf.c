/* libFuzzer target: the shared guest ELF loader on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>

#include <tessera/guest_elf.h>

static int count_note(const struct guest_elf_note *note, void *arg)
{
    uint64_t v;
    (void)guest_elf_note_number(note, &v);
    ++*(unsigned *)arg;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct guest_elf_info info;
    unsigned notes = 0;
    if (guest_elf_parse(data, size, &info))
        return 0;
    if (guest_elf_for_each_note(data, size, &info, count_note, &notes))
        abort();    /* parse accepted the notes; walking them must too */
    uint64_t span = info.virt_kend - info.virt_kstart;
    if (span <= (16u << 20)) {
        uint8_t *mem = malloc(span ? span : 1);
        if (mem && guest_elf_load(data, size, &info, mem, info.virt_kstart, span))
            abort();    /* an accepted image must load into its own range */
        free(mem);
    }
    return 0;
}
