/*
 * The table of tl subcommands, xl's names and options, and the helpers that
 * read it. Commands marked cmd_needs_hypervisor parse their options here
 * already (so mistakes are caught now) and then say that they need a
 * running control domain.
 */
#include "cmdtable.h"

#include <getopt.h>
#include <string.h>

const char *tl_progname = "tl";
bool tl_global_dry_run;

static const struct tl_command commands[] = {
    { "help", cmd_help, "", "[COMMAND]", "Print help for tl or for one command", "", 0, 1 },
    { "create", cmd_create, "cpqnFdeVf:", "[options] [ConfigFile] [key=value ...]",
      "Create a domain from an xl.cfg or libvirt XML config",
      "  -f FILE  read the config from FILE (also given as the first operand)\n"
      "  -n       dry run: parse and check the config, print it as JSON, create nothing\n"
      "  -c       attach to the console after creation\n"
      "  -p       leave the domain paused after creation\n"
      "  -q       quiet\n"
      "  -F       run in the foreground until the domain dies\n"
      "  -d       print the parsed config (like -n, then continue)\n"
      "  -e       do not wait in the background for the death of the domain\n"
      "  -V       attach to the VNC viewer (no VNC: refused)\n"
      "  key=value  extra settings applied after the file, as if appended to it\n", 0, -1 },
    { "list", cmd_list, "lvZcn", "[options] [Domain]", "List information about domains",
      "  -l  long output: each domain's configuration as JSON\n"
      "  -v  verbose output (UUID, reason, security label)\n"
      "  -Z  show security labels\n"
      "  -c  show the cpupool\n"
      "  -n  show NUMA node affinity\n", 0, 1 },
    { "destroy", cmd_destroy, "f", "[-f] <Domain>", "Terminate a domain immediately",
      "  -f  allow domain 0 to be destroyed\n", 1, 1 },
    { "shutdown", cmd_shutdown, "awF", "[options] <-a|Domain ...>", "Ask domains to shut down",
      "  -a  shut down every domain\n"
      "  -w  wait for the domains to finish shutting down\n"
      "  -F  fall back to ACPI power button events for HVM guests without PV drivers\n", 0, -1 },
    { "reboot", cmd_reboot, "awF", "[options] <-a|Domain ...>", "Ask domains to reboot",
      "  -a  reboot every domain\n"
      "  -w  wait for the domains to reboot\n"
      "  -F  fall back to ACPI reset events for HVM guests without PV drivers\n", 0, -1 },
    { "pause", cmd_pause, "", "<Domain>", "Pause execution of a domain", "", 1, 1 },
    { "unpause", cmd_unpause, "", "<Domain>", "Unpause a paused domain", "", 1, 1 },
    { "console", cmd_console, "t:n:D:", "[options] <Domain>", "Attach to a domain's console",
      "  -t TYPE  console type, pv or serial\n"
      "  -n NUM   console number\n"
      "  -D PATH  attach to the terminal device PATH instead (a stand-in until\n"
      "           consoles exist; used by the tests)\n"
      "  Ctrl-] detaches.\n", 0, 1 },
    { "info", cmd_info, "n", "[-n]", "Print information about the host",
      "  -n  also print NUMA information\n", 0, 1 },
    { "dmesg", cmd_dmesg, "c", "[-c]", "Read the hypervisor's message buffer",
      "  -c  clear the buffer after reading it\n", 0, 0 },
    { "domid", cmd_domid, "", "<DomainName>", "Convert a domain name to a domain id", "", 1, 1 },
    { "domname", cmd_domname, "", "<DomainId>", "Convert a domain id to a domain name", "", 1, 1 },
    { "rename", cmd_rename, "", "<Domain> <NewDomainName>", "Rename a domain", "", 2, 2 },
    { "uptime", cmd_uptime, "s", "[-s] [Domain ...]", "Print the uptime of domains",
      "  -s  short output, without a header\n", 0, -1 },
    { "mem-set", cmd_mem_set, "", "<Domain> <MemKB|MemMB[mM]|MemGB[gG]>",
      "Set a domain's current memory (balloon target)", "", 2, 2 },
    { "mem-max", cmd_mem_max, "", "<Domain> <MemKB|MemMB[mM]|MemGB[gG]>",
      "Set a domain's maximum memory", "", 2, 2 },
    { "vcpu-list", cmd_vcpu_list, "", "[Domain ...]", "List the vCPUs of domains", "", 0, -1 },
    { "vcpu-pin", cmd_vcpu_pin, "f", "[-f] <Domain> <VCPU|all> <CPUs|all|-> [CPUs-soft|all|-]",
      "Pin vCPUs to physical CPUs", "  -f  ignore the domain's cpupool restrictions\n", 3, 4 },
    { "vcpu-set", cmd_vcpu_set, "", "<Domain> <vCPUs>", "Set the number of online vCPUs", "", 2, 2 },
    { "sched-credit", cmd_sched_credit, "d:w:c:p:s:t:r:", "[options]",
      "Get or set credit scheduler parameters",
      "  -d DOMAIN  domain to change\n"
      "  -w WEIGHT  weight (1-65535)\n"
      "  -c CAP     cap, percent of one CPU (0 = none)\n"
      "  -p POOL    cpupool\n"
      "  -s         scheduler-wide parameters (-t TSLICE, -r RATELIMIT)\n", 0, 0 },
    { "block-attach", cmd_block_attach, "", "<Domain> <DiskSpec>", "Attach a block device",
      "  DiskSpec as in disk= (xl-disk-configuration(5)); the guest sees it at once\n", 2, -1 },
    { "block-detach", cmd_block_detach, "f", "[-f] <Domain> <DevId>", "Detach a block device",
      "  DevId: the vdev (xvdb) or its number\n"
      "  Waits 10 s for the guest's front end to close the device.\n"
      "  -f  force, even if the guest does not respond\n", 2, 2 },
    { "block-list", cmd_block_list, "", "<Domain ...>", "List a domain's block devices", "", 1, -1 },
    { "network-attach", cmd_network_attach, "", "<Domain> [VifSpec ...]", "Attach a network interface", "", 1, -1 },
    { "network-detach", cmd_network_detach, "", "<Domain> <DevId|mac>", "Detach a network interface", "", 2, 2 },
    { "network-list", cmd_network_list, "", "<Domain ...>", "List a domain's network interfaces", "", 1, -1 },
    { "save", cmd_needs_hypervisor, "cpD", "[options] <Domain> <CheckpointFile> [ConfigFile]",
      "Save a domain's state to a file",
      "  -c  leave the domain running after saving\n"
      "  -p  leave the domain paused after saving\n"
      "  -D  save the config in the file with the domain's name\n", 2, 3 },
    { "restore", cmd_needs_hypervisor, "pedV", "[options] [ConfigFile] <CheckpointFile>",
      "Restore a domain from a saved file",
      "  -p  leave the domain paused\n"
      "  -e  do not wait in the background for the death of the domain\n"
      "  -d  enable debug messages\n"
      "  -V  attach to the VNC viewer\n", 1, 2 },
    { "migrate", cmd_needs_hypervisor, "s:eC:dFp", "[options] <Domain> <host>",
      "Migrate a domain to another host",
      "  -s SSHCMD  use SSHCMD instead of ssh\n"
      "  -e         do not wait in the background on the destination\n"
      "  -C CONFIG  send CONFIG instead of the domain's config\n"
      "  -p         leave the domain paused on the destination\n", 2, 2 },
    { "top", cmd_needs_hypervisor, "", "", "Monitor domains' resource usage (xentop)", "", 0, 0 },
    { "image-info", cmd_image_info, "l", "[-l] <KernelImage>",
      "Show what a guest kernel image holds: format, entry, Xen notes, segments",
      "  -l  also list every ELF note, of any owner\n"
      "  Reads ELF64 kernels, bzImages (gzip, xz, zstd, lz4 payloads) and\n"
      "  gzip/xz/zstd compressed ELFs; says why an image would be refused.\n", 1, 1 },
    { "domxml-from-cfg", cmd_domxml_from_cfg, "", "<ConfigFile> [key=value ...]",
      "Convert a config (xl.cfg, XML or JSON) to libvirt domain XML", "", 1, -1 },
    { "domxml-to-cfg", cmd_domxml_to_cfg, "", "<ConfigFile> [key=value ...]",
      "Convert a config (libvirt XML, JSON or xl.cfg) to xl.cfg", "", 1, -1 },
    { "cfg-keys", cmd_cfg_keys, "", "", "List the xl.cfg keys tl supports, refuses or ignores", "", 0, 0 },
};
#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

size_t tl_commands(const struct tl_command **table)
{
    *table = commands;
    return NR_COMMANDS;
}

const struct tl_command *tl_find_command(const char *name, bool *ambiguous)
{
    const struct tl_command *found = NULL;
    size_t n = strlen(name);
    *ambiguous = false;
    if (!n)
        return NULL;
    for (size_t i = 0; i < NR_COMMANDS; i++) {
        if (!strcmp(commands[i].name, name))
            return &commands[i];
        if (!strncmp(commands[i].name, name, n)) {
            if (found)
                *ambiguous = true;
            found = &commands[i];
        }
    }
    return *ambiguous ? NULL : found;
}

void tl_print_usage(const struct tl_command *cmd, FILE *out)
{
    fprintf(out, "Usage: %s %s %s\n", tl_progname, cmd->name, cmd->usage);
}

int tl_parse_options(const struct tl_command *cmd, int argc, char **argv,
                     int (*fn)(int opt, const char *arg, void *ctx), void *ctx, int *exit_code)
{
    static const struct option long_help[] = { { "help", no_argument, NULL, 'h' }, { 0 } };
    char optstring[64];
    int opt;

    /* '+': stop at the first operand, so "key=value" and names stay put. */
    snprintf(optstring, sizeof(optstring), "+:h%s", cmd->optstring);
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, optstring, long_help, NULL)) != -1) {
        if (opt == 'h') {
            tl_print_usage(cmd, stdout);
            printf("\n%s.\n%s", cmd->summary, cmd->help[0] ? "\nOptions:\n" : "");
            fputs(cmd->help, stdout);
            *exit_code = TL_EXIT_OK;
            return -1;
        }
        if (opt == '?' || opt == ':') {
            fprintf(stderr, "%s %s: %s -%c\n", tl_progname, cmd->name,
                    opt == '?' ? "unknown option" : "missing argument for", optopt);
            tl_print_usage(cmd, stderr);
            *exit_code = TL_EXIT_USAGE;
            return -1;
        }
        int rc = fn ? fn(opt, optarg, ctx) : 0;
        if (rc) {
            *exit_code = rc;
            return -1;
        }
    }
    return optind;
}

bool tl_check_operands(const struct tl_command *cmd, int nr, int min, int max)
{
    if (nr >= min && (max < 0 || nr <= max))
        return true;
    fprintf(stderr, "%s %s: %s\n", tl_progname, cmd->name,
            nr < min ? "missing operand" : "too many operands");
    tl_print_usage(cmd, stderr);
    return false;
}
