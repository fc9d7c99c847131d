/*
 * The config tl keeps for a domain (see kept_config.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "domcfg_json.h"
#include "kept_config.h"

static void path_of(uint32_t domid, char *buf, size_t size)
{
    snprintf(buf, size, "/libxl/%u/tl-config", domid);
}

int kept_config_read(struct xs_handle *xs, uint32_t domid, struct domcfg *cfg)
{
    char path[64];
    path_of(domid, path, sizeof(path));
    domcfg_init(cfg);
    unsigned len = 0;
    char *json = xs ? xs_read(xs, XBT_NULL, path, &len) : NULL;
    if (!json)
        return -ENOENT;
    struct diag d;
    diag_init(&d, path, NULL);
    int rc = domcfg_from_json(json, len, cfg, &d) == 0 ? 0 : -EINVAL;
    free(json);
    if (rc) {
        domcfg_free(cfg);
        domcfg_init(cfg);
    }
    return rc;
}

int kept_config_write(struct xs_handle *xs, uint32_t domid, const struct domcfg *cfg)
{
    char path[64];
    path_of(domid, path, sizeof(path));
    char *json = domcfg_to_json(cfg);
    if (!json)
        return -ENOMEM;
    int rc = xs_write(xs, XBT_NULL, path, json, (unsigned)strlen(json)) ? 0 : -errno;
    free(json);
    return rc;
}
