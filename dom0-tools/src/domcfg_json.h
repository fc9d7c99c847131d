/*
 * The domain config as JSON, in the shape of libxl's domain_config (what
 * "xl create -n" and "xl list -l" print): c_info, b_info, disks, nics and
 * the on_* actions, omitting fields left at their defaults as libxl does.
 */
#ifndef TL_DOMCFG_JSON_H
#define TL_DOMCFG_JSON_H

#include <yajl/yajl_gen.h>

#include "diag.h"
#include "domcfg.h"

/* Writes the config as one JSON map into g (for "list -l" arrays). */
void domcfg_json_gen(yajl_gen g, const struct domcfg *cfg);

/* Returns a heap string ending in a newline, or NULL if out of memory. */
char *domcfg_to_json(const struct domcfg *cfg);

/*
 * Reads that JSON back (or a one-entry "list -l" array) into cfg; no
 * defaults or cross-field validation. Unknown fields warn.
 */
int domcfg_from_json(const char *text, size_t len, struct domcfg *cfg, struct diag *d);

#endif
