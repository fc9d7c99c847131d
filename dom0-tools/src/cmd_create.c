/*
 * "tl create": reads and checks the config (xl.cfg or libvirt XML) and the
 * guest kernel it names; "-n" prints the parsed config as JSON and stops.
 * Building the domain needs the control domain, so without -n it stops
 * after every check that can run here, having created nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "config_load.h"
#include "domcfg_json.h"
#include "kernel_image.h"

struct create_opts {
    const char *file;
    bool dry_run, print_config, quiet, vnc;
};

static int create_option(int opt, const char *arg, void *ctx)
{
    struct create_opts *o = ctx;
    switch (opt) {
    case 'f': o->file = arg; break;
    case 'n': o->dry_run = true; break;
    case 'd': o->print_config = true; break;
    case 'q': o->quiet = true; break;
    case 'V': o->vnc = true; break;
    default: break;     /* -c -p -F -e: meaningful once domains exist */
    }
    return 0;
}

static int print_json(const struct domcfg *cfg)
{
    char *json = domcfg_to_json(cfg);
    if (!json) {
        fprintf(stderr, "%s: out of memory\n", tl_progname);
        return TL_EXIT_FAILURE;
    }
    fputs(json, stdout);
    free(json);
    return TL_EXIT_OK;
}

/* The kernel must be loadable before anything would be created. */
static int check_kernel(const struct domcfg *cfg)
{
    struct kernel_image img;
    char why[256];

    if (cfg->type == DOMCFG_TYPE_HVM)
        return 0;
    if (kernel_image_load(cfg->kernel, &img, why, sizeof(why))) {
        fprintf(stderr, "%s: kernel %s: %s\n", tl_progname, cfg->kernel, why);
        return TL_EXIT_FAILURE;
    }
    kernel_image_free(&img);
    if (cfg->ramdisk) {
        FILE *f = fopen(cfg->ramdisk, "rb");
        if (!f) {
            fprintf(stderr, "%s: ramdisk %s: cannot open it\n", tl_progname, cfg->ramdisk);
            return TL_EXIT_FAILURE;
        }
        fclose(f);
    }
    return 0;
}

int cmd_create(const struct tl_command *cmd, int argc, char **argv)
{
    struct create_opts o = { 0 };
    struct domcfg cfg;
    struct diag d;
    int exit_code, first = tl_parse_options(cmd, argc, argv, create_option, &o, &exit_code);

    if (first < 0)
        return exit_code;
    if (!o.file && first < argc && !strchr(argv[first], '='))
        o.file = argv[first++];
    if (!o.file) {
        fprintf(stderr, "%s create: no config file given\n", tl_progname);
        tl_print_usage(cmd, stderr);
        return TL_EXIT_USAGE;
    }
    for (int i = first; i < argc; i++)
        if (!strchr(argv[i], '=')) {
            fprintf(stderr, "%s create: '%s' is not a key=value setting\n", tl_progname, argv[i]);
            return TL_EXIT_USAGE;
        }
    if (o.vnc) {
        fprintf(stderr, "%s create: -V: Tessera guests have no VNC display\n", tl_progname);
        return TL_EXIT_USAGE;
    }

    domcfg_init(&cfg);
    diag_init(&d, o.file, o.quiet ? NULL : stderr);
    if (config_load_file(o.file, (const char *const *)argv + first, (size_t)(argc - first), &cfg, &d)) {
        fprintf(stderr, "%s\n", d.error);
        domcfg_free(&cfg);
        return TL_EXIT_FAILURE;
    }
    if (o.dry_run || tl_global_dry_run) {
        exit_code = print_json(&cfg);
    } else {
        exit_code = o.print_config ? print_json(&cfg) : TL_EXIT_OK;
        if (exit_code == TL_EXIT_OK)
            exit_code = check_kernel(&cfg);
        if (exit_code == TL_EXIT_OK)
            exit_code = tl_refuse_without_hypervisor("creating a domain");
    }
    domcfg_free(&cfg);
    return exit_code;
}
