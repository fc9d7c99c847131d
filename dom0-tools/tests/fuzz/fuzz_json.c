/*
 * libFuzzer target: the JSON config reader. Whatever it accepts must print
 * as JSON that reads back to the very same JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct domcfg cfg, again;
    struct diag d;
    domcfg_init(&cfg);
    diag_init(&d, "fuzz.json", NULL);
    if (domcfg_from_json((const char *)data, size, &cfg, &d)) {
        domcfg_free(&cfg);
        return 0;
    }
    char *j1 = domcfg_to_json(&cfg);
    if (!j1)
        abort();
    domcfg_init(&again);
    diag_init(&d, "export.json", NULL);
    if (domcfg_from_json(j1, strlen(j1), &again, &d))
        abort();
    char *j2 = domcfg_to_json(&again);
    if (!j2 || strcmp(j1, j2))
        abort();
    free(j1);
    free(j2);
    domcfg_free(&cfg);
    domcfg_free(&again);
    return 0;
}
