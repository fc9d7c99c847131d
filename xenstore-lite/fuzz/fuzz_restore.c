/*
 * libFuzzer target: restoring daemon state from a dump file. Whatever the
 * bytes, restore must fail cleanly or produce a consistent store; ASan and
 * UBSan catch the rest.
 */
#include <stdint.h>
#include <stdio.h>

#include "dump.h"
#include "xsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xsd xsd;
    if (size == 0 || xsd_init(&xsd))
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (f) {
        xsd_restore(&xsd, f);
        fclose(f);
    }
    /* Whatever was restored must dump again without trouble. */
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        xsd_dump(&xsd, out);
        fclose(out);
    }
    xsd_destroy(&xsd);
    return 0;
}
