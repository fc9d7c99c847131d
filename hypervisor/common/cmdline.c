/*
 * Command-line parsing: split into words (honouring quotes), split each
 * word at its first '=', look the key up in the option table, convert and
 * store the value. Nothing is stored for a word with a bad value.
 */
#include <tessera/cmdline.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/string.h>

struct parser {
    const struct cmdline_option *opts;
    size_t nr;
    cmdline_report_fn report;
    void *ctx;
    int problems;
};

static void problem(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct parser *p, const char *fmt, ...)
{
    char msg[160];
    va_list ap;

    va_start(ap, fmt);
    vformat(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p->problems++;
    if (p->report)
        p->report(p->ctx, msg);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Copies the next word of *line into word[CMDLINE_WORD_MAX], quotes
 * removed, and advances *line past it. Returns the word's length, or -1
 * at the end of the line, or -E2BIG when the word did not fit (it is
 * consumed anyway). *unbalanced is set when a quote was left open.
 */
static int next_word(const char **line, char *word, bool *unbalanced)
{
    const char *s = *line;
    size_t n = 0;
    bool quoted = false, too_long = false;

    while (is_space(*s))
        s++;
    if (!*s) {
        *line = s;
        return -1;
    }
    for (; *s && (quoted || !is_space(*s)); s++) {
        if (*s == '"') {
            quoted = !quoted;
            continue;
        }
        if (n + 1 < CMDLINE_WORD_MAX)
            word[n++] = *s;
        else
            too_long = true;
    }
    word[n] = '\0';
    *line = s;
    *unbalanced = quoted;
    return too_long ? -E2BIG : (int)n;
}

static const struct cmdline_option *find(const struct parser *p, const char *key)
{
    for (size_t i = 0; i < p->nr; i++)
        if (strcmp(p->opts[i].name, key) == 0)
            return &p->opts[i];
    return NULL;
}

/* -1 when the text is no boolean word. */
static int parse_bool(const char *v)
{
    static const char *const yes[] = { "1", "yes", "on", "true", "enable" };
    static const char *const no[] = { "0", "no", "off", "false", "disable" };

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcmp(v, yes[i]) == 0)
            return 1;
        if (strcmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static const char *expects(const struct cmdline_option *o)
{
    switch (o->type) {
    case OPT_BOOL:   return "yes|no|on|off|true|false|1|0";
    case OPT_UINT:   return "a number";
    case OPT_SIZE:   return "a size such as 512M";
    case OPT_STRING: return "a string";
    default:         return o->expects ? o->expects : "a valid value";
    }
}

static void apply(struct parser *p, const struct cmdline_option *o, const char *key,
                  const char *value)
{
    uint64_t n;
    const char *end;
    int rc;

    switch (o->type) {
    case OPT_BOOL:
        rc = value ? parse_bool(value) : 1;
        if (rc < 0)
            break;
        *(bool *)o->target = rc;
        return;
    case OPT_UINT:
    case OPT_SIZE:
        if (!value) {
            problem(p, "%s: needs a value (%s=...)", key, key);
            return;
        }
        rc = o->type == OPT_UINT ? parse_u64(value, &end, &n) : parse_size(value, &end, &n);
        if (rc == -ERANGE) {
            problem(p, "%s: value '%.40s' is too large", key, value);
            return;
        }
        if (rc || *end)
            break;
        *(uint64_t *)o->target = n;
        return;
    case OPT_STRING:
        if (!value) {
            problem(p, "%s: needs a value (%s=...)", key, key);
            return;
        }
        if (o->size == 0) {
            problem(p, "%s: the option table gives this string no buffer size", key);
            return;
        }
        if (strlen(value) >= o->size) {
            problem(p, "%s: value is too long (at most %zu characters)", key, o->size - 1);
            return;
        }
        strlcpy(o->target, value, o->size);
        return;
    case OPT_CUSTOM:
        if (o->custom && o->custom(value) == 0)
            return;
        if (!value) {
            problem(p, "%s: expected %s", key, expects(o));
            return;
        }
        break;
    }
    problem(p, "%s: expected %s, got '%.40s'", key, expects(o), value);
}

static void handle_word(struct parser *p, char *word)
{
    char *eq = strchr(word, '=');
    const char *value = NULL;

    if (eq) {
        *eq = '\0';
        value = eq + 1;
    }
    if (!*word) {
        problem(p, "option with no name ('=%.40s') ignored", value);
        return;
    }
    const struct cmdline_option *o = find(p, word);
    if (!o && !value && strncmp(word, "no-", 3) == 0) {
        const struct cmdline_option *neg = find(p, word + 3);
        if (neg && neg->type == OPT_BOOL) {
            *(bool *)neg->target = false;
            return;
        }
    }
    if (!o) {
        problem(p, "unknown option '%.60s' ignored", word);
        return;
    }
    apply(p, o, word, value);
}

int cmdline_parse(const char *line, const struct cmdline_option *opts, size_t nr,
                  cmdline_report_fn report, void *ctx)
{
    struct parser p = { opts, nr, report, ctx, 0 };
    char word[CMDLINE_WORD_MAX];
    bool unbalanced = false;
    int len;

    if (!line)
        return 0;
    while ((len = next_word(&line, word, &unbalanced)) != -1) {
        if (len == -E2BIG) {
            problem(&p, "option '%.20s...' longer than %u characters ignored", word,
                    CMDLINE_WORD_MAX - 1);
            continue;
        }
        if (unbalanced)
            problem(&p, "missing closing quote in '%.40s'", word);
        handle_word(&p, word);
    }
    return p.problems;
}

void cmdline_help(const struct cmdline_option *opts, size_t nr,
                  cmdline_report_fn emit, void *ctx)
{
    static const char *const kinds[] = {
        [OPT_BOOL] = "", [OPT_UINT] = "=<number>", [OPT_SIZE] = "=<size>",
        [OPT_STRING] = "=<text>", [OPT_CUSTOM] = "=<value>",
    };
    char line[200];

    for (size_t i = 0; i < nr; i++) {
        const char *kind = (unsigned)opts[i].type < sizeof(kinds) / sizeof(kinds[0])
                               ? kinds[opts[i].type] : "";
        char left[64];
        if (opts[i].type == OPT_CUSTOM && opts[i].expects)
            format(left, sizeof(left), "%s=%s", opts[i].name, opts[i].expects);
        else
            format(left, sizeof(left), "%s%s", opts[i].name, kind);
        format(line, sizeof(line), "  %-28s %s", left, opts[i].help ? opts[i].help : "");
        emit(ctx, line);
    }
}
