/*
 * What every command on a running hypervisor shares: the privcmd handle,
 * the xenstore connection, and finding a domain by name or id.
 */
#ifndef TL_SESSION_H
#define TL_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <xenstore.h>
#include "dominfo.h"
#include "hcall.h"
#include "xenctl.h"
#include "xs_domain.h"

struct tl_session {
    struct hc hc;
    struct xs_handle *xs;   /* NULL when not asked for */
};

/*
 * Opens /dev/xen/privcmd (and xenstore when need_xs). Returns TL_EXIT_OK,
 * or prints why and returns TL_EXIT_NO_HYPERVISOR (no control domain) or
 * TL_EXIT_FAILURE.
 */
int tl_session_open(struct tl_session *s, const char *what, bool need_xs);
void tl_session_close(struct tl_session *s);

/* Its name in xenstore (dom0 without one: "Domain-0"), malloc'd; NULL if it has none. */
char *tl_domain_name(struct tl_session *s, uint32_t domid);
/* A domain id or name; -ESRCH if there is none. */
int tl_lookup_domain(struct tl_session *s, const char *spec, uint32_t *domid);
/* The same, printing "DOMAIN: no such domain" when there is none. */
int tl_find_domain(struct tl_session *s, const char *spec, uint32_t *domid);
/*
 * For commands on one domain: parses the options (each to option(opt,
 * arg, ctx)), checks the operand count, opens a session with xenstore and
 * finds the domain named by the first operand. Returns TL_EXIT_OK with
 * *first_out the first operand's index, or the exit code (session closed).
 */
struct tl_command;
int tl_open_for_domain(const struct tl_command *cmd, int argc, char **argv,
                       int (*option)(int opt, const char *arg, void *ctx), void *ctx,
                       struct tl_session *s, uint32_t *domid, int *first_out);
/* Name, UUID, state, memory, vCPUs and times of a domain for the printers. */
void tl_dominfo_fill(struct tl_session *s, const struct xen_domctl_getdomaininfo *in,
                     struct tl_dominfo *out);
/* Relays the terminal to the domain's console pty (cmd_console.c). */
int tl_console_attach(struct tl_session *s, uint32_t domid);
/* Prints "tl: <hc_error>" for a failed hypercall; returns TL_EXIT_FAILURE. */
int tl_hc_failed(struct tl_session *s);

#endif
