/* The tool's commands. Each returns 0, 1 on failure, 2 on bad usage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xs_tool.h"

static int fail(const char *what, const char *path)
{
    fprintf(stderr, "xenstore-lite: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

static int cmd_read(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (int i = 1; i < argc; i++) {
        unsigned len;
        char *v = xs_read(h, XBT_NULL, argv[i], &len);
        if (!v)
            return fail("could not read", argv[i]);
        fwrite(v, 1, len, stdout);
        putchar('\n');
        free(v);
    }
    return 0;
}

static int cmd_write(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 3 || argc % 2 == 0)
        return 2;
    for (int i = 1; i + 1 < argc; i += 2)
        if (!xs_write(h, XBT_NULL, argv[i], argv[i + 1], (unsigned)strlen(argv[i + 1])))
            return fail("could not write", argv[i]);
    return 0;
}

static void print_perms(struct xs_handle *h, const char *path)
{
    unsigned n;
    struct xs_permissions *p = xs_get_permissions(h, XBT_NULL, path, &n);
    if (!p)
        return;
    printf("  (");
    for (unsigned i = 0; i < n; i++) {
        static const char letters[] = "nrwb";
        printf("%s%c%u", i ? ", " : "", letters[p[i].perms & 3], p[i].id);
    }
    printf(")");
    free(p);
}

/* Prints the tree below path: "name = "value"" indented, or full paths. */
static void list_tree(struct xs_handle *h, const char *path, int depth, bool full, bool perms)
{
    unsigned num;
    char **children = xs_directory(h, XBT_NULL, path, &num);
    if (!children)
        return;
    for (unsigned i = 0; i < num; i++) {
        char child[4096];
        snprintf(child, sizeof(child), "%s%s%s", path,
                 strcmp(path, "/") ? "/" : "", children[i]);
        unsigned len;
        char *v = xs_read(h, XBT_NULL, child, &len);
        if (full)
            printf("%s = \"", child);
        else
            printf("%*s%s = \"", depth, "", children[i]);
        for (unsigned j = 0; v && j < len; j++) {
            unsigned char c = (unsigned char)v[j];
            if (c == '"' || c == '\\')
                printf("\\%c", c);
            else if (c < 32 || c > 126)
                printf("\\x%02x", c);
            else
                putchar(c);
        }
        printf("\"");
        if (perms)
            print_perms(h, child);
        putchar('\n');
        free(v);
        list_tree(h, child, depth + 1, full, perms);
    }
    free(children);
}

static int cmd_ls(struct xs_handle *h, int argc, char **argv)
{
    bool full = false, perms = false;
    int opt;
    optind = 1;
    while ((opt = getopt(argc, argv, "fp")) != -1) {
        if (opt == 'f')
            full = true;
        else if (opt == 'p')
            perms = true;
        else
            return 2;
    }
    const char *path = optind < argc ? argv[optind] : "/";
    unsigned len;
    char *v = xs_read(h, XBT_NULL, path, &len);
    if (!v)
        return fail("could not access", path);
    free(v);
    list_tree(h, path, 0, full, perms);
    return 0;
}

static int cmd_list(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (int i = 1; i < argc; i++) {
        unsigned num;
        char **children = xs_directory(h, XBT_NULL, argv[i], &num);
        if (!children)
            return fail("could not list", argv[i]);
        for (unsigned j = 0; j < num; j++)
            puts(children[j]);
        free(children);
    }
    return 0;
}

static int cmd_rm(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (int i = 1; i < argc; i++)
        if (!xs_rm(h, XBT_NULL, argv[i]))
            return fail("could not remove", argv[i]);
    return 0;
}

static int cmd_exists(struct xs_handle *h, int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (int i = 1; i < argc; i++) {
        unsigned len;
        char *v = xs_read(h, XBT_NULL, argv[i], &len);
        if (!v)
            return 1;
        free(v);
    }
    return 0;
}

static int cmd_chmod(struct xs_handle *h, int argc, char **argv)
{
    struct xs_permissions perms[64];
    if (argc < 3 || argc - 2 > 64)
        return 2;
    for (int i = 2; i < argc; i++) {
        const char *s = argv[i];
        /* xs_strings_to_perms wants one string here: it reads one entry. */
        if (!xs_strings_to_perms(&perms[i - 2], 1, s)) {
            fprintf(stderr, "xenstore-lite: bad permission '%s' (want [nrwb]<domid>)\n", s);
            return 2;
        }
    }
    if (!xs_set_permissions(h, XBT_NULL, argv[1], perms, (unsigned)(argc - 2)))
        return fail("could not set permissions of", argv[1]);
    return 0;
}

static int cmd_watch(struct xs_handle *h, int argc, char **argv)
{
    long count = -1;
    int opt;
    optind = 1;
    while ((opt = getopt(argc, argv, "n:")) != -1) {
        if (opt != 'n')
            return 2;
        count = strtol(optarg, NULL, 10);
    }
    if (optind >= argc)
        return 2;
    for (int i = optind; i < argc; i++)
        if (!xs_watch(h, argv[i], argv[i]))
            return fail("could not watch", argv[i]);
    while (count < 0 || count-- > 0) {
        unsigned num;
        char **ev = xs_read_watch(h, &num);
        if (!ev)
            return fail("could not read watch on", argv[optind]);
        printf("%s %s\n", ev[XS_WATCH_PATH], ev[XS_WATCH_TOKEN]);
        fflush(stdout);
        free(ev);
    }
    return 0;
}

static int cmd_control(struct xs_handle *h, int argc, char **argv)
{
    char data[XENSTORE_PAYLOAD_MAX];
    size_t used = 0;
    if (argc < 2)
        return 2;
    for (int i = 2; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        if (used + n > sizeof(data))
            return 2;
        memcpy(data + used, argv[i], n);
        used += n;
    }
    char *r = xs_control_command(h, argv[1], data, (unsigned)used);
    if (!r)
        return fail("control command failed:", argv[1]);
    if (strcmp(r, "OK"))
        fputs(r, stdout);
    free(r);
    return 0;
}

const struct tool_cmd tool_cmds[] = {
    { "read", "PATH...", "print the value of each path", cmd_read },
    { "write", "PATH VALUE [PATH VALUE]...", "set values, creating nodes", cmd_write },
    { "ls", "[-f] [-p] [PATH]", "show the tree below PATH (-f full paths, -p perms)", cmd_ls },
    { "list", "PATH...", "print the children of each path", cmd_list },
    { "rm", "PATH...", "remove nodes and everything below them", cmd_rm },
    { "exists", "PATH...", "exit 0 if every path exists", cmd_exists },
    { "chmod", "PATH PERM...", "set permissions (PERM: n|r|w|b followed by domid)", cmd_chmod },
    { "watch", "[-n COUNT] PATH...", "print watch events (path token)", cmd_watch },
    { "control", "CMD [ARG]...", "send a daemon control command (quota, check, log...)", cmd_control },
};
const unsigned tool_ncmds = sizeof(tool_cmds) / sizeof(tool_cmds[0]);
