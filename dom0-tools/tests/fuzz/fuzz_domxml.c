/*
 * libFuzzer target: the libvirt XML reader. What it accepts must export to
 * XML that reads back and exports identically.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config_load.h"
#include "domxml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct domcfg cfg, again;
    struct diag d;
    domcfg_init(&cfg);
    diag_init(&d, "fuzz.xml", NULL);
    if (domxml_load((const char *)data, size, &cfg, &d)) {
        domcfg_free(&cfg);
        return 0;
    }
    domcfg_apply_defaults(&cfg);
    char why[256];
    if (domcfg_validate(&cfg, why, sizeof(why))) {
        domcfg_free(&cfg);
        return 0;
    }
    char *x1 = domxml_write(&cfg);
    if (!x1)
        abort();
    domcfg_init(&again);
    diag_init(&d, "export.xml", NULL);
    if (config_load_text(x1, strlen(x1), NULL, 0, &again, &d))
        abort();
    char *x2 = domxml_write(&again);
    if (!x2 || strcmp(x1, x2))
        abort();
    free(x1);
    free(x2);
    domcfg_free(&cfg);
    domcfg_free(&again);
    return 0;
}
