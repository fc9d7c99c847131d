/*
 * libFuzzer target: the xl.cfg reader. Whatever it accepts must print as
 * JSON and XML, and its xl.cfg export must read back to the same JSON.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domcfg_json.h"
#include "domxml.h"
#include "xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct domcfg cfg, again;
    struct diag d;
    domcfg_init(&cfg);
    diag_init(&d, "fuzz.cfg", NULL);
    if (xlcfg_load((const char *)data, size, NULL, 0, &cfg, &d)) {
        domcfg_free(&cfg);
        return 0;
    }
    char *json = domcfg_to_json(&cfg), *xml = domxml_write(&cfg), *text = xlcfg_write(&cfg);
    if (!json || !xml || !text)
        abort();
    domcfg_init(&again);
    diag_init(&d, "export.cfg", NULL);
    if (xlcfg_load(text, strlen(text), NULL, 0, &again, &d))
        abort();
    char *json2 = domcfg_to_json(&again);
    if (!json2 || strcmp(json, json2))
        abort();
    free(json);
    free(json2);
    free(xml);
    free(text);
    domcfg_free(&cfg);
    domcfg_free(&again);
    return 0;
}
