/*
 * A domain's xenstore entries as xl writes them for a PV domain, through
 * xenstore-lite's client library: /local/domain/N (name, vm, domid,
 * control/..., memory/..., cpu/N/availability, store/..., console/...),
 * /vm/UUID, dom0's console backend, with xl's ownership: the guest owns what
 * it writes (control/shutdown, data, console/...), dom0 owns the rest and the
 * guest may read it.
 */
#ifndef TL_XS_DOMAIN_H
#define TL_XS_DOMAIN_H

#include <stddef.h>
#include <stdint.h>
#include <xenstore.h>
#include "domain_build.h"
#include "domcfg.h"

/* All entries in one transaction (retried when it conflicts). */
int xs_domain_write(struct xs_handle *xs, const struct domcfg *cfg, const uint8_t uuid[16],
                    const struct built_domain *b, char *why, size_t why_size);
/* Removes every entry xs_domain_write made (and the guest's own below them). */
void xs_domain_remove(struct xs_handle *xs, uint32_t domid);
/* The domain's name from /local/domain/N/name; NULL if none (malloc'd). */
char *xs_domain_name_of(struct xs_handle *xs, uint32_t domid);
/* Sets the name in /local/domain/N/name and /vm/UUID/name. */
int xs_domain_rename(struct xs_handle *xs, uint32_t domid, const char *name);

#endif
