/*
 * "tl block-attach", "block-detach" and "block-list": a running domain's
 * disks (domain_disks.c does the work; docs/disks.md).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "domain_disks.h"
#include "session.h"
#include "vdev.h"
#include "xlcfg.h"
#include "xs_device.h"

/* How long block-detach waits for the guest's front end, as libxl's LIBXL_DESTROY_TIMEOUT. */
#define DETACH_TIMEOUT_MS 10000

static int note_force(int opt, const char *arg, void *ctx)
{
    (void)arg;
    if (opt == 'f')
        *(bool *)ctx = true;
    return 0;
}

int cmd_block_attach(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool unused = false;
    uint32_t domid;
    int first, exit_code = tl_open_for_domain(cmd, argc, argv, note_force, &unused, &s, &domid,
                                              &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    /* Like xl: the spec may come as several arguments, joined with commas. */
    size_t len = 1;
    for (int i = first + 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *spec = calloc(1, len), why[600];
    struct domcfg cfg;
    domcfg_init(&cfg);
    struct domcfg_disk *disk = spec ? domcfg_add_disk(&cfg) : NULL;
    if (!disk) {
        fprintf(stderr, "%s block-attach: out of memory\n", tl_progname);
        exit_code = TL_EXIT_FAILURE;
        goto out;
    }
    for (int i = first + 1; i < argc; i++) {
        if (i > first + 1)
            strcat(spec, ",");
        strcat(spec, argv[i]);
    }
    if (xlcfg_parse_disk(spec, disk, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s block-attach: '%s': %s\n", tl_progname, spec, why);
        exit_code = TL_EXIT_FAILURE;
    } else if (domain_disk_add(s.xs, domid, disk, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s block-attach: %s\n", tl_progname, why);
        exit_code = TL_EXIT_FAILURE;
    }
out:
    domcfg_free(&cfg);
    free(spec);
    tl_session_close(&s);
    return exit_code;
}

int cmd_block_detach(const struct tl_command *cmd, int argc, char **argv)
{
    struct tl_session s;
    bool force = false;
    uint32_t domid;
    int first, exit_code = tl_open_for_domain(cmd, argc, argv, note_force, &force, &s, &domid,
                                              &first);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    char why[600];
    int32_t devid = vdev_number(argv[first + 1]);
    if (devid < 0) {
        fprintf(stderr, "%s block-detach: '%s' is not a vdev or device number\n", tl_progname,
                argv[first + 1]);
        exit_code = TL_EXIT_FAILURE;
    } else if (domain_disk_detach(s.xs, domid, (uint32_t)devid, force, DETACH_TIMEOUT_MS, why,
                                  sizeof(why)) < 0) {
        fprintf(stderr, "%s block-detach: %s: %s\n", tl_progname, argv[first + 1], why);
        exit_code = TL_EXIT_FAILURE;
    }
    tl_session_close(&s);
    return exit_code;
}

/* A number from DIR/KEY, or -1 when it has none. */
static long read_num(struct xs_handle *xs, const char *dir, const char *key)
{
    char *v = xs_device_read(xs, dir, key);
    long n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    return n;
}

/* xl's columns: the frontend's view of each vbd of the domain. */
static void list_domain(struct xs_handle *xs, uint32_t domid)
{
    char dir[96];
    snprintf(dir, sizeof(dir), "/local/domain/%u/device/vbd", domid);
    unsigned n = 0;
    char **devs = xs_directory(xs, XBT_NULL, dir, &n);
    for (unsigned i = 0; devs && i < n; i++) {
        char fe[160];
        snprintf(fe, sizeof(fe), "%s/%s", dir, devs[i]);
        char *be = xs_device_read(xs, fe, "backend");
        printf("%-5s %-3ld %-6u %-5ld %-6ld %-8ld %-30s\n", devs[i], read_num(xs, fe, "backend-id"),
               domid, read_num(xs, fe, "state"), read_num(xs, fe, "event-channel"),
               read_num(xs, fe, "ring-ref"), be ? be : "");
        free(be);
    }
    free(devs);
}

int cmd_block_list(const struct tl_command *cmd, int argc, char **argv)
{
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    struct tl_session s;
    if ((exit_code = tl_session_open(&s, "'block-list'", true)) != TL_EXIT_OK)
        return exit_code;
    printf("%-5s %-3s %-6s %-5s %-6s %-8s %-30s\n", "Vdev", "BE", "handle", "state", "evt-ch",
           "ring-ref", "BE-path");
    for (int i = first; i < argc; i++) {
        uint32_t domid;
        if (tl_find_domain(&s, argv[i], &domid) < 0)
            exit_code = TL_EXIT_FAILURE;
        else
            list_domain(s.xs, domid);
    }
    tl_session_close(&s);
    return exit_code;
}
