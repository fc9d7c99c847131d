/*
 * "tl console DOM": attaches to a domain's console, the pty that the
 * console daemon (tessera-consoled, or xenconsoled on Xen) names in
 * /local/domain/N/console/tty. "-D PATH" attaches to any terminal device
 * instead (the tests drive the client that way on pseudo-terminals).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdtable.h"
#include "console_client.h"
#include "session.h"

struct console_opts {
    const char *device;
};

static int console_option(int opt, const char *arg, void *ctx)
{
    struct console_opts *o = ctx;
    if (opt == 'D')
        o->device = arg;
    else if (opt == 't' && strcmp(arg, "pv") && strcmp(arg, "serial")) {
        fprintf(stderr, "%s console: -t must be pv or serial\n", tl_progname);
        return TL_EXIT_USAGE;
    }
    return 0;
}

static int relay(const char *device)
{
    int fd = open(device, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s console: cannot open %s: %s\n", tl_progname, device, strerror(errno));
        return TL_EXIT_FAILURE;
    }
    int rc = console_client_run(STDIN_FILENO, STDOUT_FILENO, fd);
    close(fd);
    if (rc < 0) {
        fprintf(stderr, "%s console: %s\n", tl_progname, strerror(-rc));
        return TL_EXIT_FAILURE;
    }
    return rc == CONSOLE_END_SIGNAL ? TL_EXIT_FAILURE : TL_EXIT_OK;
}

/* The console daemon writes the pty's name once it has taken the ring: wait up to 10 s for it. */
int tl_console_attach(struct tl_session *s, uint32_t domid)
{
    char path[64];
    snprintf(path, sizeof(path), "/local/domain/%u/console/tty", domid);
    for (int waited = 0; waited < 10000; waited += 100) {
        char *tty = xs_read(s->xs, XBT_NULL, path, NULL);
        if (tty && tty[0] == '/') {
            int rc = relay(tty);
            free(tty);
            return rc;
        }
        free(tty);
        usleep(100 * 1000);
    }
    fprintf(stderr, "%s console: domain %u has no console pty after 10 s (%s empty: is the "
            "console daemon running?)\n", tl_progname, domid, path);
    return TL_EXIT_FAILURE;
}

int cmd_console(const struct tl_command *cmd, int argc, char **argv)
{
    struct console_opts o = { 0 };
    int exit_code, first = tl_parse_options(cmd, argc, argv, console_option, &o, &exit_code);

    if (first < 0)
        return exit_code;
    /* The domain is required unless -D names a device instead. */
    if (!tl_check_operands(cmd, argc - first, o.device ? cmd->min_operands : 1, cmd->max_operands))
        return TL_EXIT_USAGE;
    if (o.device)
        return relay(o.device);

    struct tl_session s;
    uint32_t domid;
    if ((exit_code = tl_session_open(&s, "attaching to a domain's console", true)) != TL_EXIT_OK)
        return exit_code;
    exit_code = tl_find_domain(&s, argv[first], &domid) < 0 ? TL_EXIT_FAILURE
                                                            : tl_console_attach(&s, domid);
    tl_session_close(&s);
    return exit_code;
}
