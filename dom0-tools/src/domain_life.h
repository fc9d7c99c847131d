/*
 * Ending domains: destroy (the hypervisor's half and xenstore's), and
 * waiting for a domain to go.
 */
#ifndef TL_DOMAIN_LIFE_H
#define TL_DOMAIN_LIFE_H

#include "session.h"

/*
 * Destroys the domain and removes its xenstore entries (the entries go even
 * when the domain is already gone). Returns 0 or -errno with hc_error set.
 */
int domain_destroy(struct tl_session *s, uint32_t domid);
/* Waits up to timeout_ms for the domain to be gone (0) or returns -ETIMEDOUT. */
int domain_wait_gone(struct tl_session *s, uint32_t domid, int timeout_ms);

#endif
