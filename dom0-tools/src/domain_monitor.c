/*
 * Per-domain monitor (see domain_monitor.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmdtable.h"
#include "domain_life.h"
#include "domain_monitor.h"
#include "kept_config.h"

#define POLL_MS 250

static const char *const reasons[] = { "poweroff", "reboot", "suspend", "crash", "watchdog",
                                       "soft_reset" };

enum domcfg_action domain_monitor_action(const struct domcfg *cfg, unsigned reason)
{
    enum domcfg_action a;
    switch (reason) {
    case TL_SHUTDOWN_POWEROFF: a = cfg->on_poweroff; break;
    case TL_SHUTDOWN_REBOOT: a = cfg->on_reboot; break;
    case TL_SHUTDOWN_CRASH: a = cfg->on_crash; break;
    case TL_SHUTDOWN_WATCHDOG: a = cfg->on_watchdog; break;
    case TL_SHUTDOWN_SOFT_RESET: a = cfg->on_soft_reset; break;
    default: return DOMCFG_ACTION_PRESERVE;   /* suspend: whoever suspended it resumes it */
    }
    if (a != DOMCFG_ACTION_UNSET)
        return a;
    /* libxl's defaults. */
    return reason == TL_SHUTDOWN_REBOOT || reason == TL_SHUTDOWN_SOFT_RESET ? DOMCFG_ACTION_RESTART
                                                                             : DOMCFG_ACTION_DESTROY;
}

static void say(FILE *log, const char *fmt, uint32_t domid, const char *name, const char *what)
{
    if (!log)
        return;
    time_t now = time(NULL);
    char stamp[32];
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", gmtime(&now));
    fprintf(log, "%s domain %u (%s): ", stamp, domid, name);
    fprintf(log, fmt, what);
    fputc('\n', log);
    fflush(log);
}

int domain_monitor_run(struct tl_session *s, const struct domcfg *cfg, uint32_t domid,
                       domain_recreate_fn recreate, void *ctx, FILE *log)
{
    say(log, "%s", domid, cfg->name, "watching");
    for (;;) {
        struct xen_domctl_getdomaininfo info;
        int rc = xenctl_domain_info(&s->hc, domid, &info);
        if (rc == -ESRCH) {
            say(log, "%s", domid, cfg->name, "gone");
            return TL_EXIT_OK;
        }
        if (rc == 0 && (info.flags & XEN_DOMINF_shutdown) && !(info.flags & XEN_DOMINF_dying)) {
            unsigned reason = (info.flags >> XEN_DOMINF_shutdownshift) & XEN_DOMINF_shutdownmask;
            enum domcfg_action a = domain_monitor_action(cfg, reason);
            say(log, "shut down (%s)", domid, cfg->name,
                reason < sizeof(reasons) / sizeof(reasons[0]) ? reasons[reason] : "unknown");
            say(log, "action: %s", domid, cfg->name, domcfg_action_cfg_name(a));
            if (a == DOMCFG_ACTION_PRESERVE)
                return TL_EXIT_OK;
            bool again = a != DOMCFG_ACTION_DESTROY && a != DOMCFG_ACTION_COREDUMP_DESTROY &&
                         recreate;
            /* Read before the destroy removes it: the devices the domain has now. */
            struct domcfg kept;
            bool have_kept = again && kept_config_read(s->xs, domid, &kept) == 0;
            if (domain_destroy(s, domid) < 0) {
                say(log, "destroy failed: %s", domid, cfg->name, hc_error(&s->hc));
                if (have_kept)
                    domcfg_free(&kept);
                return TL_EXIT_FAILURE;
            }
            if (!again)
                return TL_EXIT_OK;
            rc = recreate(s, ctx, have_kept ? &kept : NULL, &domid);
            if (have_kept)
                domcfg_free(&kept);
            if (rc < 0) {
                say(log, "%s", domid, cfg->name, "restart failed");
                return TL_EXIT_FAILURE;
            }
            say(log, "%s", domid, cfg->name, "restarted");
            continue;
        }
        struct timespec ts = { 0, POLL_MS * 1000000L };
        nanosleep(&ts, NULL);
    }
}

int domain_monitor_spawn(const struct domcfg *cfg, uint32_t domid, domain_recreate_fn recreate,
                         void *ctx, int keep_fd)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0)
        return 0;
    /* The child: its own session, away from the terminal, logging to a file. */
    setsid();
    char path[160];
    mkdir("/var/log/tessera", 0755);
    snprintf(path, sizeof(path), "/var/log/tessera/tl-%s.log", cfg->name);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    /* Nothing of the parent's: its xenstore connection and privcmd handle stay its own. */
    for (int other = 3; other < 1024; other++)
        if (other != fd && other != keep_fd)
            close(other);
    int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(fd >= 0 ? fd : null, STDOUT_FILENO);
    dup2(fd >= 0 ? fd : null, STDERR_FILENO);
    FILE *log = fd >= 0 ? fdopen(fd, "a") : NULL;
    struct tl_session s;
    int rc = tl_session_open(&s, "the domain monitor", true);
    if (rc == TL_EXIT_OK) {
        rc = domain_monitor_run(&s, cfg, domid, recreate, ctx, log);
        tl_session_close(&s);
    }
    _exit(rc);
}
