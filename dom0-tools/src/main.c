/*
 * tl: Tessera's toolstack front end, with xl's command names and options.
 * Installed as "tl" with "xl" as an alias; argv[0] only changes the name
 * used in messages.
 */
#include <stdio.h>
#include <string.h>

#include "cmdtable.h"
#include "trace.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void global_usage(FILE *out)
{
    fprintf(out, "Usage: %s [-vft] [-N] <subcommand> [args]\n"
                 "Run '%s help' for the list of subcommands.\n", tl_progname, tl_progname);
}

int main(int argc, char **argv)
{
    int i = 1;

    if (argc > 0 && argv[0] && !strcmp(base_name(argv[0]), "xl"))
        tl_progname = "xl";

    /* xl's global options come before the subcommand. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-N"))
            tl_global_dry_run = true;
        else if (!strcmp(argv[i], "-v"))
            tl_trace_enabled = true;
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
            return cmd_help(NULL, 1, argv);
        /* -f force, -t timestamps: xl's, accepted for habit (-v alone traces phases). */
        else if (strspn(argv[i] + 1, "vft") != strlen(argv[i] + 1) || !argv[i][1]) {
            fprintf(stderr, "%s: unknown global option '%s'\n", tl_progname, argv[i]);
            global_usage(stderr);
            return TL_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        global_usage(stderr);
        return TL_EXIT_USAGE;
    }

    bool ambiguous;
    const struct tl_command *cmd = tl_find_command(argv[i], &ambiguous);
    if (!cmd) {
        fprintf(stderr, "%s: %s command '%s'\n", tl_progname, ambiguous ? "ambiguous" : "unknown", argv[i]);
        global_usage(stderr);
        return TL_EXIT_USAGE;
    }
    return cmd->run(cmd, argc - i, argv + i);
}
