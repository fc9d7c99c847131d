/*
 * Commands that need a running control domain. Until the control-domain
 * work connects them, each parses its options (so usage mistakes are still
 * caught) and then refuses with one line and TL_EXIT_NO_HYPERVISOR.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmdtable.h"

/* Where the privileged hypercall interface appears in a control domain. */
#define PRIVCMD_PATH "/dev/xen/privcmd"

int tl_refuse_without_hypervisor(const char *what)
{
    if (access(PRIVCMD_PATH, F_OK) != 0)
        fprintf(stderr, "%s: cannot reach the Tessera hypervisor (no %s): %s needs a running control domain\n",
                tl_progname, PRIVCMD_PATH, what);
    else
        fprintf(stderr, "%s: %s is not connected to the hypervisor in this version of %s\n",
                tl_progname, what, tl_progname);
    return TL_EXIT_NO_HYPERVISOR;
}

static int note_all(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'a')
        *(bool *)ctx = true;
    return 0;
}

int cmd_needs_hypervisor(const struct tl_command *cmd, int argc, char **argv)
{
    bool all = false;
    int exit_code, first = tl_parse_options(cmd, argc, argv, note_all, &all, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    /* shutdown and reboot act on the named domains, or on all with -a. */
    if (strchr(cmd->optstring, 'a') && !all && first == argc) {
        fprintf(stderr, "%s %s: give -a or a domain\n", tl_progname, cmd->name);
        tl_print_usage(cmd, stderr);
        return TL_EXIT_USAGE;
    }
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    return tl_refuse_without_hypervisor(what);
}
