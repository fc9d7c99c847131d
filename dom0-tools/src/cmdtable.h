/*
 * The command table: the single source of every tl subcommand's name,
 * options, usage line and help text. main.c dispatches through it, "tl help"
 * prints from it, and option parsing uses its getopt strings.
 */
#ifndef TL_CMDTABLE_H
#define TL_CMDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes. */
#define TL_EXIT_OK            0
#define TL_EXIT_FAILURE       1   /* the operation failed (bad config, bad image) */
#define TL_EXIT_USAGE         2   /* bad command line */
#define TL_EXIT_NO_HYPERVISOR 3   /* needs a running control domain */

struct tl_command {
    const char *name;
    int (*run)(const struct tl_command *cmd, int argc, char **argv);
    const char *optstring;      /* getopt short options, without the leading '+' */
    const char *usage;          /* arguments after the name */
    const char *summary;        /* one line for "tl help" */
    const char *help;           /* option lines for "tl help CMD" */
    int min_operands;           /* operands after the options */
    int max_operands;           /* -1: no limit */
};

/* The program name as invoked ("tl" or "xl"), for messages. */
extern const char *tl_progname;
/* Set by the global -N option: every create is a dry run. */
extern bool tl_global_dry_run;

size_t tl_commands(const struct tl_command **table);

/* Exact name, else the unique command the prefix starts. *ambiguous is
 * set when several match. */
const struct tl_command *tl_find_command(const char *name, bool *ambiguous);

void tl_print_usage(const struct tl_command *cmd, FILE *out);

/*
 * Parses a command's options with its getopt string. For each option, calls
 * fn (may be NULL); "-h"/"--help" prints the help and returns -1 with
 * *exit_code 0; a bad option prints usage and returns -1 with *exit_code 2.
 * On success returns optind (first operand).
 */
int tl_parse_options(const struct tl_command *cmd, int argc, char **argv,
                     int (*fn)(int opt, const char *arg, void *ctx), void *ctx, int *exit_code);

/* Checks operand count; prints usage and returns false if out of range. */
bool tl_check_operands(const struct tl_command *cmd, int nr, int min, int max);

/* The command implementations, one file per topic. */
int cmd_help(const struct tl_command *cmd, int argc, char **argv);
int cmd_create(const struct tl_command *cmd, int argc, char **argv);
int cmd_needs_hypervisor(const struct tl_command *cmd, int argc, char **argv);
int cmd_console(const struct tl_command *cmd, int argc, char **argv);
int cmd_network_attach(const struct tl_command *cmd, int argc, char **argv);
int cmd_network_detach(const struct tl_command *cmd, int argc, char **argv);
int cmd_network_list(const struct tl_command *cmd, int argc, char **argv);
int cmd_image_info(const struct tl_command *cmd, int argc, char **argv);
int cmd_domxml_from_cfg(const struct tl_command *cmd, int argc, char **argv);
int cmd_domxml_to_cfg(const struct tl_command *cmd, int argc, char **argv);
int cmd_cfg_keys(const struct tl_command *cmd, int argc, char **argv);
int cmd_list(const struct tl_command *cmd, int argc, char **argv);
int cmd_destroy(const struct tl_command *cmd, int argc, char **argv);
int cmd_pause(const struct tl_command *cmd, int argc, char **argv);
int cmd_unpause(const struct tl_command *cmd, int argc, char **argv);
int cmd_domid(const struct tl_command *cmd, int argc, char **argv);
int cmd_domname(const struct tl_command *cmd, int argc, char **argv);
int cmd_rename(const struct tl_command *cmd, int argc, char **argv);
int cmd_info(const struct tl_command *cmd, int argc, char **argv);
int cmd_dmesg(const struct tl_command *cmd, int argc, char **argv);
int cmd_uptime(const struct tl_command *cmd, int argc, char **argv);
int cmd_vcpu_list(const struct tl_command *cmd, int argc, char **argv);
int cmd_sched_credit(const struct tl_command *cmd, int argc, char **argv);
int cmd_shutdown(const struct tl_command *cmd, int argc, char **argv);
int cmd_reboot(const struct tl_command *cmd, int argc, char **argv);
int cmd_mem_set(const struct tl_command *cmd, int argc, char **argv);
int cmd_mem_max(const struct tl_command *cmd, int argc, char **argv);
int cmd_vcpu_set(const struct tl_command *cmd, int argc, char **argv);
int cmd_vcpu_pin(const struct tl_command *cmd, int argc, char **argv);
int cmd_block_attach(const struct tl_command *cmd, int argc, char **argv);
int cmd_block_detach(const struct tl_command *cmd, int argc, char **argv);
int cmd_block_list(const struct tl_command *cmd, int argc, char **argv);

/* Prints the one-line "needs a running control domain" refusal; returns
 * TL_EXIT_NO_HYPERVISOR. */
int tl_refuse_without_hypervisor(const char *what);

#endif
