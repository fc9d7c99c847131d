/*
 * The per-domain monitor, as xl keeps one: a process that waits for its
 * domain to shut down and then carries out the config's on_poweroff,
 * on_reboot, on_crash or on_watchdog action (destroy, restart, preserve).
 * "tl create" starts it in the background (logging to
 * /var/log/tessera/tl-NAME.log), or in the foreground with -F; -e leaves
 * the domain unwatched.
 */
#ifndef TL_DOMAIN_MONITOR_H
#define TL_DOMAIN_MONITOR_H

#include <stdio.h>
#include "domcfg.h"
#include "session.h"

/*
 * Builds the domain again after a restart action; sets *domid. kept is the
 * config tl kept for the old domain, read before it was destroyed (NULL if
 * there was none): it has the devices attached since the create. Returns
 * 0 or -1.
 */
typedef int (*domain_recreate_fn)(struct tl_session *s, void *ctx, const struct domcfg *kept,
                                  uint32_t *domid);

/* What the config says to do when a domain shuts down for reason (Xen's SHUTDOWN_*). */
enum domcfg_action domain_monitor_action(const struct domcfg *cfg, unsigned reason);

/* Watches domid until it is gone or preserved; returns an exit code. */
int domain_monitor_run(struct tl_session *s, const struct domcfg *cfg, uint32_t domid,
                       domain_recreate_fn recreate, void *ctx, FILE *log);

/*
 * Forks the monitor into the background; the child opens its own session
 * and never returns. It closes every inherited descriptor but keep_fd (-1:
 * none), which recreate may need. Returns 0 in the parent, -errno if it
 * could not fork.
 */
int domain_monitor_spawn(const struct domcfg *cfg, uint32_t domid, domain_recreate_fn recreate,
                         void *ctx, int keep_fd);

#endif
