/*
 * Entry point of the tool. Called as "xenstore-lite CMD ARGS" or through a
 * link named "xenstore-CMD" (xenstore-read, xenstore-ls, ...).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xs_tool.h"

static void usage(FILE *out)
{
    fprintf(out, "usage: xenstore-lite COMMAND [ARGS]   (or xenstore-COMMAND [ARGS])\n");
    for (unsigned i = 0; i < tool_ncmds; i++)
        fprintf(out, "  %-8s %-28s %s\n", tool_cmds[i].name, tool_cmds[i].usage, tool_cmds[i].help);
    fprintf(out, "The daemon's socket is $XENSTORED_PATH, else $XENSTORED_RUNDIR/socket.\n");
}

static const struct tool_cmd *find_cmd(const char *name)
{
    const struct tool_cmd *found = NULL;
    size_t len = strlen(name);
    for (unsigned i = 0; i < tool_ncmds; i++) {
        if (strcmp(tool_cmds[i].name, name) == 0)
            return &tool_cmds[i];
        /* An unambiguous prefix is accepted too. */
        if (strncmp(tool_cmds[i].name, name, len) == 0) {
            if (found)
                return NULL;
            found = &tool_cmds[i];
        }
    }
    return found;
}

int main(int argc, char **argv)
{
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    const char *name;

    if (strncmp(prog, "xenstore-", 9) == 0 && strcmp(prog, "xenstore-lite") != 0) {
        name = prog + 9;
    } else {
        if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "-h") == 0) {
            usage(argc < 2 ? stderr : stdout);
            return argc < 2 ? 2 : 0;
        }
        name = argv[1];
        argc--;
        argv++;
    }
    const struct tool_cmd *cmd = find_cmd(name);
    if (!cmd) {
        fprintf(stderr, "xenstore-lite: unknown command '%s'\n", name);
        usage(stderr);
        return 2;
    }
    struct xs_handle *h = xs_open(0);
    if (!h) {
        fprintf(stderr, "xenstore-lite: cannot connect to %s: %s\n",
                xs_daemon_socket(), strerror(errno));
        return 1;
    }
    int rc = cmd->run(h, argc, argv);
    if (rc == 2)
        fprintf(stderr, "usage: xenstore-%s %s\n", cmd->name, cmd->usage);
    xs_close(h);
    return rc;
}
