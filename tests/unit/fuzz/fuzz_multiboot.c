/*
 * libFuzzer target for the boot information parsers. Input byte 0 picks
 * the protocol (even: Multiboot 1, odd: Multiboot2); the rest is the
 * content of "physical memory" at 0x100000, where the info block starts.
 * The reader refuses anything outside that memory, as a real one would
 * refuse unmapped ranges; ASan catches any read past what it returned.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/bootinfo.h>
#include <tessera/multiboot.h>

#define PHYS_BASE 0x100000u

struct fake_mem {
    const uint8_t *data;
    size_t size;
};

static const void *fuzz_map(void *ctx, uint64_t pa, uint64_t len)
{
    struct fake_mem *m = ctx;

    if (pa < PHYS_BASE || len > m->size || pa - PHYS_BASE > m->size - len)
        return NULL;
    return m->data + (pa - PHYS_BASE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct boot_info bi;

    if (size < 1)
        return 0;
    /* A private copy of exactly the right size, so ASan sees its bounds. */
    uint8_t *copy = malloc(size - 1 ? size - 1 : 1);
    memcpy(copy, data + 1, size - 1);
    struct fake_mem mem = { copy, size - 1 };
    struct phys_reader reader = { fuzz_map, &mem };
    uint32_t magic = (data[0] & 1) ? MB2_BOOTLOADER_MAGIC : MB1_BOOTLOADER_MAGIC;

    int rc = bootinfo_parse(magic, PHYS_BASE, &reader, &bi);
    if (rc == 0) {
        if (bi.error || bi.nr_mem == 0 || bi.nr_mem > BOOTINFO_MAX_MEM_REGIONS ||
            bi.nr_modules > BOOTINFO_MAX_MODULES || strlen(bi.cmdline) >= BOOTINFO_CMDLINE_MAX ||
            strlen(bi.loader_name) >= BOOTINFO_LOADER_MAX)
            abort();
        for (unsigned i = 0; i < bi.nr_modules; i++)
            if (bi.modules[i].end < bi.modules[i].start ||
                strlen(bi.modules[i].cmdline) >= BOOTINFO_MODULE_CMDLINE_MAX)
                abort();
    } else if (rc >= 0 || !bi.error) {
        abort();
    }
    free(copy);
    return 0;
}
