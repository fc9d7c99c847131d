/*
 * libvirt domain XML (<domain type='xen'>) through libxml2: reading into
 * the domain config model and writing any config back out.
 */
#ifndef TL_DOMXML_H
#define TL_DOMXML_H

#include <stddef.h>

#include "diag.h"
#include "domcfg.h"

/* Fills cfg from the XML text; no defaults or cross-field validation. */
int domxml_load(const char *text, size_t len, struct domcfg *cfg, struct diag *d);

/* The config as libvirt XML; a heap string, NULL if out of memory. */
char *domxml_write(const struct domcfg *cfg);

#endif
