/* "tl help" and "tl help CMD": printed from the command table. */
#include <stdio.h>
#include <string.h>

#include "cmdtable.h"

int cmd_help(const struct tl_command *self, int argc, char **argv)
{
    const struct tl_command *table;
    size_t n = tl_commands(&table);

    if (self && argc > 1) {
        bool ambiguous;
        const struct tl_command *cmd = tl_find_command(argv[1], &ambiguous);
        if (!cmd) {
            fprintf(stderr, "%s: %s command '%s'\n", tl_progname, ambiguous ? "ambiguous" : "unknown", argv[1]);
            return TL_EXIT_USAGE;
        }
        tl_print_usage(cmd, stdout);
        printf("\n%s.\n%s", cmd->summary, cmd->help[0] ? "\nOptions:\n" : "");
        fputs(cmd->help, stdout);
        return TL_EXIT_OK;
    }
    printf("Usage: %s [-vft] [-N] <subcommand> [args]\n\n"
           "Tessera's toolstack; the subcommands and options are xl's.\n"
           "Global options: -N dry run (create only parses); -v, -f, -t accepted as in xl.\n\n"
           "Subcommands:\n", tl_progname);
    for (size_t i = 0; i < n; i++)
        printf(" %-17s %s\n", table[i].name, table[i].summary);
    printf("\nAny unambiguous prefix of a subcommand works. '%s help CMD' or '%s CMD --help'\n"
           "shows a subcommand's options.\n", tl_progname, tl_progname);
    return TL_EXIT_OK;
}
