/*
 * xl.cfg syntax reader: a hand-written scanner and recursive-descent parser
 * over a length-bounded buffer, tracking line and column for every token so
 * that each error can say exactly where and what was expected.
 */
#include "xlcfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUE_LEN   (64 * 1024)
#define MAX_LIST_ITEMS  4096

struct scanner {
    const char *p, *end;
    int line, col;
    struct diag *d;
};

static bool at_end(const struct scanner *s) { return s->p >= s->end; }
static int peek(const struct scanner *s) { return at_end(s) ? -1 : (unsigned char)*s->p; }
static int peek2(const struct scanner *s) { return s->p + 1 < s->end ? (unsigned char)s->p[1] : -1; }

static void advance(struct scanner *s)
{
    if (at_end(s))
        return;
    if (*s->p == '\n') {
        s->line++;
        s->col = 1;
    } else {
        s->col++;
    }
    s->p++;
}

static const char *describe(int c)
{
    static char buf[16];
    if (c < 0)
        return "end of file";
    if (c == '\n')
        return "end of line";
    if (c >= 0x21 && c < 0x7f) {
        buf[0] = '\'';
        buf[1] = (char)c;
        buf[2] = '\'';
        buf[3] = '\0';
        return buf;
    }
    return "a control or non-ASCII byte";
}

/*
 * Skips blanks, comments and backslash-newline continuations. Newlines are
 * skipped too when inside a list (skip_newlines).
 */
static int skip_space(struct scanner *s, bool skip_newlines)
{
    for (;;) {
        int c = peek(s);
        if (c == ' ' || c == '\t' || c == '\r' || (skip_newlines && c == '\n')) {
            advance(s);
        } else if (c == '#') {
            while (!at_end(s) && peek(s) != '\n')
                advance(s);
        } else if (c == '\\') {
            int line = s->line, col = s->col;
            advance(s);
            while (peek(s) == ' ' || peek(s) == '\t' || peek(s) == '\r')
                advance(s);
            if (peek(s) != '\n')
                return diag_error(s->d, line, col, "stray backslash: a line continuation must end its line");
            advance(s);
        } else {
            return 0;
        }
    }
}

static bool is_key_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_key_char(int c)
{
    return is_key_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

static char *dup_range(const char *p, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        memcpy(r, p, n);
        r[n] = '\0';
    }
    return r;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Reads the escape after a backslash inside a string; returns the byte. */
static int read_escape(struct scanner *s, int line, int col)
{
    int c = peek(s);
    advance(s);
    switch (c) {
    case 'n': return '\n';
    case 't': return '\t';
    case 'r': return '\r';
    case 'a': return '\a';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'v': return '\v';
    case '\\': case '\'': case '"': return c;
    case 'x': {
        int hi = hexval(peek(s)), lo;
        if (hi < 0)
            break;
        advance(s);
        lo = hexval(peek(s));
        if (lo < 0)
            return hi ? hi : diag_error(s->d, line, col, "\\x escape gives a NUL byte");
        advance(s);
        return (hi << 4 | lo) ? (hi << 4 | lo) : diag_error(s->d, line, col, "\\x escape gives a NUL byte");
    }
    default:
        if (c >= '0' && c <= '7') {
            int v = c - '0';
            for (int i = 0; i < 2 && peek(s) >= '0' && peek(s) <= '7'; i++) {
                v = v * 8 + (peek(s) - '0');
                advance(s);
            }
            if (v == 0 || v > 255)
                return diag_error(s->d, line, col, "octal escape must give a byte from 1 to 255");
            return v;
        }
    }
    return diag_error(s->d, line, col, "unknown escape sequence in string");
}

static int scan_string(struct scanner *s, struct xlcfg_atom *atom)
{
    int quote = peek(s), line = s->line, col = s->col;
    size_t cap = 64, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -ENOMEM;
    advance(s);
    for (;;) {
        int c = peek(s);
        if (c < 0 || c == '\n') {
            free(buf);
            return diag_error(s->d, line, col, "unterminated string: expected a closing %c before %s",
                              quote, describe(c));
        }
        if (c == quote) {
            advance(s);
            break;
        }
        if (c == '\\' && peek2(s) == '\n') {
            /* A backslash-newline inside a string continues it. */
            advance(s);
            advance(s);
            continue;
        }
        if (c == '\\') {
            int el = s->line, ec = s->col;
            advance(s);
            c = read_escape(s, el, ec);
            if (c < 0) {
                free(buf);
                return c;
            }
        } else {
            advance(s);
        }
        if (n + 1 >= cap) {
            if (cap >= MAX_VALUE_LEN) {
                free(buf);
                return diag_error(s->d, line, col, "string longer than 64 KiB");
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                return -ENOMEM;
            }
            buf = bigger;
            cap *= 2;
        }
        buf[n++] = (char)c;
    }
    buf[n] = '\0';
    *atom = (struct xlcfg_atom){ XLCFG_STRING, buf, line, col };
    return 0;
}

static int scan_number(struct scanner *s, struct xlcfg_atom *atom)
{
    const char *start = s->p;
    int line = s->line, col = s->col;
    if (peek(s) == '0' && (peek2(s) == 'x' || peek2(s) == 'X')) {
        advance(s);
        advance(s);
        if (hexval(peek(s)) < 0)
            return diag_error(s->d, line, col, "expected hex digits after 0x");
        while (hexval(peek(s)) >= 0)
            advance(s);
    } else {
        while (peek(s) >= '0' && peek(s) <= '9')
            advance(s);
    }
    if (is_key_char(peek(s)))
        return diag_error(s->d, s->line, s->col, "expected a digit, found %s in a number", describe(peek(s)));
    if (s->p - start > 32)
        return diag_error(s->d, line, col, "number is too long");
    atom->text = dup_range(start, (size_t)(s->p - start));
    if (!atom->text)
        return -ENOMEM;
    atom->kind = XLCFG_NUMBER;
    atom->line = line;
    atom->col = col;
    return 0;
}

static int scan_atom(struct scanner *s, struct xlcfg_atom *atom)
{
    int c = peek(s);
    if (c == '"' || c == '\'')
        return scan_string(s, atom);
    if (c >= '0' && c <= '9')
        return scan_number(s, atom);
    if (is_key_start(c))
        return diag_error(s->d, s->line, s->col,
                          "expected a quoted string, a number or a [list], found a bare word "
                          "(put it in quotes)");
    return diag_error(s->d, s->line, s->col,
                      "expected a quoted string, a number or a [list], found %s", describe(c));
}

static void setting_free(struct xlcfg_setting *st)
{
    free(st->key);
    free(st->scalar.text);
    for (size_t i = 0; i < st->nr_items; i++)
        free(st->items[i].text);
    free(st->items);
}

static int scan_list(struct scanner *s, struct xlcfg_setting *st)
{
    int line = s->line, col = s->col, rc;
    advance(s);   /* '[' */
    for (;;) {
        if ((rc = skip_space(s, true)))
            return rc;
        if (peek(s) == ']') {
            advance(s);
            return 0;
        }
        if (peek(s) == '[')
            return diag_error(s->d, s->line, s->col, "lists cannot be nested");
        if (st->nr_items == MAX_LIST_ITEMS)
            return diag_error(s->d, line, col, "list has more than %d items", MAX_LIST_ITEMS);
        struct xlcfg_atom *items = realloc(st->items, (st->nr_items + 1) * sizeof(*items));
        if (!items)
            return -ENOMEM;
        st->items = items;
        if ((rc = scan_atom(s, &items[st->nr_items])))
            return rc;
        st->nr_items++;
        if ((rc = skip_space(s, true)))
            return rc;
        if (peek(s) == ',') {
            advance(s);
        } else if (peek(s) != ']') {
            return at_end(s)
                ? diag_error(s->d, line, col, "unterminated list: expected ']' to close this '['")
                : diag_error(s->d, s->line, s->col, "expected ',' or ']' in list, found %s",
                             describe(peek(s)));
        }
    }
}

static int scan_setting(struct scanner *s, struct xlcfg_setting *st)
{
    const char *start = s->p;
    int rc;

    st->line = s->line;
    st->col = s->col;
    while (is_key_char(peek(s)))
        advance(s);
    if (s->p - start > 128)
        return diag_error(s->d, st->line, st->col, "key name is too long");
    if (!(st->key = dup_range(start, (size_t)(s->p - start))))
        return -ENOMEM;
    if ((rc = skip_space(s, false)))
        return rc;
    if (peek(s) == '+' && peek2(s) == '=') {
        st->append = true;
        advance(s);
    } else if (peek(s) != '=') {
        return diag_error(s->d, s->line, s->col, "expected '=' after '%s', found %s", st->key,
                          describe(peek(s)));
    }
    advance(s);
    if ((rc = skip_space(s, false)))
        return rc;
    if (peek(s) == '[') {
        st->kind = XLCFG_LIST;
        rc = scan_list(s, st);
    } else {
        rc = scan_atom(s, &st->scalar);
        st->kind = st->scalar.kind;
    }
    if (rc)
        return rc;
    if ((rc = skip_space(s, false)))
        return rc;
    int c = peek(s);
    if (c == ';' || c == '\n')
        advance(s);
    else if (c >= 0)
        return diag_error(s->d, s->line, s->col, "expected end of line or ';' after the value of '%s', found %s",
                          st->key, describe(c));
    return 0;
}

int xlcfg_parse(const char *text, size_t len, struct xlcfg_file *out, struct diag *d)
{
    struct scanner s = { text, text + len, 1, 1, d };
    int rc;

    for (;;) {
        if ((rc = skip_space(&s, true)))
            return rc;
        if (at_end(&s))
            return 0;
        int c = peek(&s);
        if (c == ';') {
            advance(&s);
            continue;
        }
        if (!is_key_start(c))
            return diag_error(d, s.line, s.col, "expected a setting name, found %s", describe(c));
        struct xlcfg_setting st = { 0 };
        rc = scan_setting(&s, &st);
        if (!rc) {
            struct xlcfg_setting *grown = realloc(out->settings, (out->nr_settings + 1) * sizeof(*grown));
            if (grown) {
                out->settings = grown;
                grown[out->nr_settings++] = st;
                continue;
            }
            rc = -ENOMEM;
        }
        setting_free(&st);
        return rc;
    }
}

void xlcfg_file_free(struct xlcfg_file *f)
{
    for (size_t i = 0; i < f->nr_settings; i++)
        setting_free(&f->settings[i]);
    free(f->settings);
    f->settings = NULL;
    f->nr_settings = 0;
}
