/* libFuzzer target: the xl disk and vif specification strings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *spec = malloc(size + 1);
    char why[256];
    if (!spec)
        return 0;
    memcpy(spec, data, size);
    spec[size] = '\0';

    struct domcfg cfg;
    domcfg_init(&cfg);
    struct domcfg_disk *disk = domcfg_add_disk(&cfg);
    struct domcfg_nic *nic = domcfg_add_nic(&cfg);
    if (disk && xlcfg_parse_disk(spec, disk, why, sizeof(why)) == 0 && !disk->vdev)
        abort();    /* an accepted disk always has a vdev */
    if (nic)
        (void)xlcfg_parse_vif(spec, nic, why, sizeof(why));
    domcfg_free(&cfg);
    free(spec);
    return 0;
}
