/*
 * The hypervisor's command line: "key=value key no-key key=\"a b\"",
 * parsed against a table of options that is also the single source of
 * their names and help text.
 *
 * Words are separated by spaces or tabs. Double quotes group text with
 * spaces, anywhere in a word (key="a b" or "key=a b"); there are no escape
 * sequences. A bare word sets a boolean true; "no-" before a boolean's
 * name sets it false. A later setting overrides an earlier one. Problems
 * (unknown option, bad value) are reported through a callback and the
 * word is skipped: parsing always goes on to the end.
 */
#ifndef TESSERA_CMDLINE_H
#define TESSERA_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cmdline_type {
    OPT_BOOL,       /* target: bool*;     "", 1/0, yes/no, on/off, true/false, enable/disable */
    OPT_UINT,       /* target: uint64_t*; decimal or 0x hex */
    OPT_SIZE,       /* target: uint64_t*; a number with an optional K/M/G/T suffix */
    OPT_STRING,     /* target: char[size] */
    OPT_CUSTOM,     /* custom(value) returns 0 or a negative errno */
};

struct cmdline_option {
    const char *name;
    enum cmdline_type type;
    void *target;
    int (*custom)(const char *value);  /* value is NULL for a bare word */
    const char *help;
    size_t size;                       /* OPT_STRING: bytes at target, NUL included */
    const char *expects;               /* OPT_CUSTOM: accepted values, for messages */
};

/*
 * Table entries, so no field is forgotten (a string's buffer size above all):
 *   CMDLINE_STRING("on_ready", opt_on_ready, "what to do once booted")
 */
#define CMDLINE_BOOL(n, var, h)   { .name = (n), .type = OPT_BOOL, .target = &(var), .help = (h) }
#define CMDLINE_UINT(n, var, h)   { .name = (n), .type = OPT_UINT, .target = &(var), .help = (h) }
#define CMDLINE_SIZE(n, var, h)   { .name = (n), .type = OPT_SIZE, .target = &(var), .help = (h) }
#define CMDLINE_STRING(n, buf, h) { .name = (n), .type = OPT_STRING, .target = (buf), \
                                    .help = (h), .size = sizeof(buf) }
#define CMDLINE_CUSTOM(n, fn, accepted, h) { .name = (n), .type = OPT_CUSTOM, .custom = (fn), \
                                             .help = (h), .expects = (accepted) }

/* Longest word the parser handles; longer ones are reported and skipped. */
#define CMDLINE_WORD_MAX 512

typedef void (*cmdline_report_fn)(void *ctx, const char *message);

/*
 * Parses 'line' against opts[0..nr). Each problem is reported as one
 * message without a trailing newline, e.g. "unknown option 'foo' ignored"
 * or "loglvl: expected err|warn|info|debug|all, got 'x'". Returns the
 * number of problems (0 when everything applied).
 */
int cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nr,
                  cmdline_report_fn report, void *ctx);

/* Emits one "  name=<kind>  help" line per option, for a help listing. */
void cmdline_help(const struct cmdline_option *opts, size_t nr,
                  cmdline_report_fn emit, void *ctx);

#endif
