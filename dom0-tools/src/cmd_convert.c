/*
 * Config conversions: any config to libvirt XML or to xl.cfg, through the
 * one domain config model; and the table of xl.cfg keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "config_load.h"
#include "domxml.h"
#include "xml_lib.h"
#include "xlcfg.h"

static int convert(const struct tl_command *cmd, int argc, char **argv, char *(*writer)(const struct domcfg *))
{
    struct domcfg cfg;
    struct diag d;
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);

    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    domcfg_init(&cfg);
    diag_init(&d, argv[first], stderr);
    if (config_load_file(argv[first], (const char *const *)argv + first + 1, (size_t)(argc - first - 1), &cfg, &d)) {
        fprintf(stderr, "%s\n", d.error);
        domcfg_free(&cfg);
        return TL_EXIT_FAILURE;
    }
    char *text = writer(&cfg);
    domcfg_free(&cfg);
    if (!text) {
        fprintf(stderr, "%s: out of memory\n", tl_progname);
        return TL_EXIT_FAILURE;
    }
    fputs(text, stdout);
    free(text);
    return TL_EXIT_OK;
}

int cmd_domxml_from_cfg(const struct tl_command *cmd, int argc, char **argv)
{
    const char *why;
    if (xml_lib_load(&why)) {
        fprintf(stderr, "%s: %s\n", tl_progname, why);
        return TL_EXIT_FAILURE;
    }
    return convert(cmd, argc, argv, domxml_write);
}

int cmd_domxml_to_cfg(const struct tl_command *cmd, int argc, char **argv)
{
    return convert(cmd, argc, argv, xlcfg_write);
}

int cmd_cfg_keys(const struct tl_command *cmd, int argc, char **argv)
{
    const struct xlcfg_key_help *keys;
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    size_t n = xlcfg_key_table(&keys);
    for (size_t i = 0; i < n; i++)
        printf("%-22s %-10s %s\n", keys[i].name, keys[i].status, keys[i].help);
    return TL_EXIT_OK;
}
