/*
 * "tl console DOM": attaches to a domain's console. Domain consoles need
 * the control domain; "-D PATH" attaches to any terminal device instead,
 * which is how the client is exercised until consoles exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdtable.h"
#include "console_client.h"

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

int cmd_console(const struct tl_command *cmd, int argc, char **argv)
{
    struct console_opts o = { 0 };
    int exit_code, first = tl_parse_options(cmd, argc, argv, console_option, &o, &exit_code);

    if (first < 0)
        return exit_code;
    /* The domain is required unless -D names a device instead. */
    if (!tl_check_operands(cmd, argc - first, o.device ? cmd->min_operands : 1, cmd->max_operands))
        return TL_EXIT_USAGE;
    if (!o.device)
        return tl_refuse_without_hypervisor("attaching to a domain's console");

    int fd = open(o.device, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "%s console: cannot open %s: %s\n", tl_progname, o.device, strerror(errno));
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
