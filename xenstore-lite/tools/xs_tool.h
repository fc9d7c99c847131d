/* The xenstore-lite command-line tool: one binary, one entry per command. */
#ifndef XS_TOOL_H
#define XS_TOOL_H

#include <xenstore.h>

struct tool_cmd {
    const char *name;
    const char *usage;
    const char *help;
    int (*run)(struct xs_handle *h, int argc, char **argv);
};

extern const struct tool_cmd tool_cmds[];
extern const unsigned tool_ncmds;

#endif
