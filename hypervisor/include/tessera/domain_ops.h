/* Life-cycle operations on domains, between common code and the builder. */
#ifndef TESSERA_DOMAIN_OPS_H
#define TESSERA_DOMAIN_OPS_H

#include <tessera/domain.h>

/* Release everything of a domain nobody references any more (arch hook). */
void domain_free(struct domain *d);

/* Call fn on every registered domain, with the list locked (fn must not block). */
void domain_for_each(void (*fn)(struct domain *d, void *ctx), void *ctx);

#endif
