/*
 * Commands that need a running control domain. Until the control-domain
 * work connects them, each parses its options (so usage mistakes are still
 * caught) and then refuses with one line and TL_EXIT_NO_HYPERVISOR.
 */
#include <stdio.h>
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

int cmd_needs_hypervisor(const struct tl_command *cmd, int argc, char **argv)
{
    int exit_code;
    if (tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code) < 0)
        return exit_code;
    char what[64];
    snprintf(what, sizeof(what), "'%s'", cmd->name);
    return tl_refuse_without_hypervisor(what);
}
