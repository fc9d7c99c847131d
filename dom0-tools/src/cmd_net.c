/*
 * network-attach, network-detach and network-list: a running domain's
 * vifs (domain_nics.c does the work), with its kept config brought up to
 * date so that a restart builds it with the vifs it has.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdtable.h"
#include "domain_nics.h"
#include "kept_config.h"
#include "session.h"
#include "xlcfg.h"
#include "xs_device.h"

/* How long a guest may take to close its side of a vif that goes. */
#define DETACH_WAIT_MS 20000


static int open_domain(struct tl_session *s, const char *what, const char *spec, uint32_t *domid)
{
    int exit_code = tl_session_open(s, what, true);
    if (exit_code != TL_EXIT_OK)
        return exit_code;
    if (tl_find_domain(s, spec, domid) < 0) {
        tl_session_close(s);
        return TL_EXIT_FAILURE;
    }
    return TL_EXIT_OK;
}

int cmd_network_attach(const struct tl_command *cmd, int argc, char **argv)
{
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    /* xl takes the vif spec as separate key=value words: one spec, comma-joined. */
    size_t len = 1;
    for (int i = first + 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *spec = calloc(1, len);
    if (!spec)
        return TL_EXIT_FAILURE;
    for (int i = first + 1; i < argc; i++) {
        if (i > first + 1)
            strcat(spec, ",");
        strcat(spec, argv[i]);
    }

    struct tl_session s;
    uint32_t domid;
    if ((exit_code = open_domain(&s, "'network-attach'", argv[first], &domid)) != TL_EXIT_OK) {
        free(spec);
        return exit_code;
    }
    struct domcfg cfg;
    bool kept = kept_config_read(s.xs, domid, &cfg) == 0;
    char why[600];
    uint32_t *ids;
    unsigned n = xs_device_ids(s.xs, "vif", domid, &ids);
    long next = -1;
    for (unsigned i = 0; i < n; i++)
        if ((long)ids[i] > next)
            next = (long)ids[i];
    free(ids);
    /* The kept config's vifs (they carry the MACs the guest has) and the new one. */
    for (size_t i = 0; i < cfg.nr_nics; i++)
        if (cfg.nics[i].devid > next)
            next = cfg.nics[i].devid;
    struct domcfg_nic *nic = domcfg_add_nic(&cfg);
    exit_code = TL_EXIT_FAILURE;
    if (!nic)
        goto out;
    nic->devid = (int)(next + 1);
    if (xlcfg_parse_vif(spec, nic, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s: vif '%s': %s\n", tl_progname, spec, why);
        goto out;
    }
    domain_nics_assign_macs(&cfg);
    if (domain_nics_check(&cfg, why, sizeof(why)) < 0 ||
        domain_nic_add(s.xs, domid, nic, why, sizeof(why)) < 0) {
        fprintf(stderr, "%s: %s\n", tl_progname, why);
        goto out;
    }
    if (kept && kept_config_write(s.xs, domid, &cfg) < 0)
        fprintf(stderr, "%s: vif %d attached, but domain %u's kept config was not updated\n",
                tl_progname, nic->devid, domid);
    exit_code = TL_EXIT_OK;
out:
    domcfg_free(&cfg);
    free(spec);
    tl_session_close(&s);
    return exit_code;
}

/* A devid, or the vif with that MAC. -ENOENT when the domain has no such vif. */
static int find_vif(struct tl_session *s, uint32_t domid, const char *which, uint32_t *devid)
{
    uint8_t mac[6];
    bool by_mac = domcfg_mac_parse(which, mac) == 0;
    char *end;
    unsigned long want = strtoul(which, &end, 10);
    bool by_id = !by_mac && *which && !*end;
    uint32_t *ids;
    unsigned n = xs_device_ids(s->xs, "vif", domid, &ids);
    int rc = -ENOENT;
    for (unsigned i = 0; i < n && rc; i++) {
        char be[128];
        snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, ids[i]);
        char *m = by_mac ? xs_device_read(s->xs, be, "mac") : NULL;
        uint8_t have[6];
        if ((by_id && ids[i] == want) ||
            (m && domcfg_mac_parse(m, have) == 0 && !memcmp(have, mac, 6))) {
            *devid = ids[i];
            rc = 0;
        }
        free(m);
    }
    free(ids);
    return rc;
}

int cmd_network_detach(const struct tl_command *cmd, int argc, char **argv)
{
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    struct tl_session s;
    uint32_t domid, devid;
    if ((exit_code = open_domain(&s, "'network-detach'", argv[first], &domid)) != TL_EXIT_OK)
        return exit_code;
    if (find_vif(&s, domid, argv[first + 1], &devid) < 0) {
        fprintf(stderr, "%s: domain %u has no network interface %s\n", tl_progname, domid,
                argv[first + 1]);
        tl_session_close(&s);
        return TL_EXIT_FAILURE;
    }
    int rc = domain_nic_detach(s.xs, domid, devid, DETACH_WAIT_MS);
    if (rc == -ETIMEDOUT)
        fprintf(stderr, "%s: domain %u did not close vif %u within %d s; removed it anyway\n",
                tl_progname, domid, devid, DETACH_WAIT_MS / 1000);
    struct domcfg cfg;
    if (kept_config_read(s.xs, domid, &cfg) == 0) {
        for (size_t i = 0; i < cfg.nr_nics; i++)
            if (cfg.nics[i].devid == (int)devid)
                domcfg_remove_nic(&cfg, i--);
        if (kept_config_write(s.xs, domid, &cfg) < 0)
            fprintf(stderr, "%s: vif %u detached, but domain %u's kept config was not updated\n",
                    tl_progname, devid, domid);
    }
    domcfg_free(&cfg);
    tl_session_close(&s);
    return TL_EXIT_OK;
}

static long read_num(struct tl_session *s, const char *dir, const char *key)
{
    char *v = xs_device_read(s->xs, dir, key);
    long n = v ? strtol(v, NULL, 10) : -1;
    free(v);
    return n;
}

int cmd_network_list(const struct tl_command *cmd, int argc, char **argv)
{
    int exit_code, first = tl_parse_options(cmd, argc, argv, NULL, NULL, &exit_code);
    if (first < 0)
        return exit_code;
    if (!tl_check_operands(cmd, argc - first, cmd->min_operands, cmd->max_operands))
        return TL_EXIT_USAGE;
    struct tl_session s;
    if ((exit_code = tl_session_open(&s, "'network-list'", true)) != TL_EXIT_OK)
        return exit_code;
    printf("%-3s %-2s %-17s %-6s %-5s %-6s %-15s %s\n", "Idx", "BE", "Mac Addr.", "handle",
           "state", "evt-ch", "tx-/rx-ring-ref", "BE-path");
    for (int a = first; a < argc; a++) {
        uint32_t domid;
        if (tl_find_domain(&s, argv[a], &domid) < 0) {
            exit_code = TL_EXIT_FAILURE;
            continue;
        }
        uint32_t *ids;
        unsigned n = xs_device_ids(s.xs, "vif", domid, &ids);
        for (unsigned i = 0; i < n; i++) {
            char be[128], fe[128], rings[32];
            snprintf(be, sizeof(be), "/local/domain/0/backend/vif/%u/%u", domid, ids[i]);
            snprintf(fe, sizeof(fe), "/local/domain/%u/device/vif/%u", domid, ids[i]);
            char *mac = xs_device_read(s.xs, be, "mac");
            snprintf(rings, sizeof(rings), "%ld/%ld", read_num(&s, fe, "tx-ring-ref"),
                     read_num(&s, fe, "rx-ring-ref"));
            printf("%-3u %-2d %-17s %-6u %-5ld %-6ld %-15s %s\n", ids[i], 0, mac ? mac : "-",
                   ids[i], read_num(&s, fe, "state"), read_num(&s, fe, "event-channel"), rings, be);
            free(mac);
        }
        free(ids);
    }
    tl_session_close(&s);
    return exit_code;
}
