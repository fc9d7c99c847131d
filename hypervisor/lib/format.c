/*
 * The formatter behind log_printf and friends. One pass over the format:
 * each conversion is parsed into a spec, its digits are produced into a
 * small local buffer, then padded into the output.
 */
#include <stdbool.h>
#include <tessera/compiler.h>
#include <tessera/format.h>
#include <tessera/string.h>

/* Bounded output that keeps counting past the end of the buffer. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_n(struct out *o, char c, size_t n)
{
    while (n--)
        put(o, c);
}

static void put_s(struct out *o, const char *s, size_t n)
{
    while (n--)
        put(o, *s++);
}

/* Widths and precisions are capped here: nothing prints a field this big. */
#define FORMAT_MAX_FIELD 100000

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

struct spec {
    unsigned flags;
    size_t width;
    int precision;           /* -1 when not given */
    unsigned bits;           /* 8, 16, 32 or 64 */
};

/* Pads 'body' (with its prefix: sign, 0x) to the spec's width. */
static void emit(struct out *o, const struct spec *sp, const char *prefix,
                 size_t zeros, const char *body, size_t body_len)
{
    size_t plen = strlen(prefix);
    size_t total = plen + zeros + body_len;
    size_t pad = sp->width > total ? sp->width - total : 0;

    if (!(sp->flags & F_LEFT) && !(sp->flags & F_ZERO))
        put_n(o, ' ', pad);
    put_s(o, prefix, plen);
    if (!(sp->flags & F_LEFT) && (sp->flags & F_ZERO))
        put_n(o, '0', pad);
    put_n(o, '0', zeros);
    put_s(o, body, body_len);
    if (sp->flags & F_LEFT)
        put_n(o, ' ', pad);
}

static uint64_t truncate_bits(uint64_t v, unsigned bits, bool is_signed)
{
    if (bits == 64)
        return v;
    uint64_t mask = (UINT64_C(1) << bits) - 1;
    v &= mask;
    if (is_signed && (v >> (bits - 1)))
        v |= ~mask;
    return v;
}

static void emit_integer(struct out *o, struct spec *sp, char conv, uint64_t raw)
{
    bool is_signed = conv == 'd' || conv == 'i';
    unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
    const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    uint64_t v = truncate_bits(raw, sp->bits, is_signed);
    const char *prefix = "";
    char tmp[24];
    size_t n = 0;

    if (is_signed) {
        if ((int64_t)v < 0) {
            prefix = "-";
            v = -v;          /* well defined on the unsigned type, even for INT64_MIN */
        } else if (sp->flags & F_PLUS) {
            prefix = "+";
        } else if (sp->flags & F_SPACE) {
            prefix = " ";
        }
    }
    while (v) {
        tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
        v /= base;
    }
    if (sp->precision >= 0)
        sp->flags &= ~F_ZERO;      /* precision wins over the 0 flag */

    size_t min_digits = sp->precision >= 0 ? (size_t)sp->precision : 1;
    size_t zeros = min_digits > n ? min_digits - n : 0;
    if (sp->flags & F_ALT) {
        if (base == 8 && zeros == 0 && (n == 0 || tmp[sizeof(tmp) - n] != '0'))
            zeros = 1;
        if ((base == 16) && n > 0)
            prefix = conv == 'X' ? "0X" : "0x";
    }
    emit(o, sp, prefix, zeros, tmp + sizeof(tmp) - n, n);
}

static int format_core(char *buf, size_t size, const char *fmt, struct format_args *args)
{
    struct out o = { .buf = buf, .size = size, .len = 0 };

    while (*fmt) {
        if (*fmt != '%') {
            put(&o, *fmt++);
            continue;
        }
        const char *start = fmt++;
        struct spec sp = { .precision = -1, .bits = 32 };

        for (;; fmt++) {
            if (*fmt == '-') sp.flags |= F_LEFT;
            else if (*fmt == '0') sp.flags |= F_ZERO;
            else if (*fmt == '+') sp.flags |= F_PLUS;
            else if (*fmt == ' ') sp.flags |= F_SPACE;
            else if (*fmt == '#') sp.flags |= F_ALT;
            else break;
        }
        if (*fmt == '*') {
            int w = (int)args->next_int(args, 32, 1);
            fmt++;
            if (w < 0) {
                sp.flags |= F_LEFT;
                sp.width = (size_t)-(int64_t)w;    /* no overflow for INT_MIN */
            } else {
                sp.width = (size_t)w;
            }
            if (sp.width > FORMAT_MAX_FIELD)
                sp.width = FORMAT_MAX_FIELD;
        } else {
            while (*fmt >= '0' && *fmt <= '9') {
                if (sp.width < FORMAT_MAX_FIELD)   /* absurd widths saturate */
                    sp.width = sp.width * 10 + (size_t)(*fmt - '0');
                fmt++;
            }
        }
        if (*fmt == '.') {
            fmt++;
            if (*fmt == '*') {
                int p = (int)args->next_int(args, 32, 1);
                fmt++;
                sp.precision = p < 0 ? -1 : p > FORMAT_MAX_FIELD ? FORMAT_MAX_FIELD : p;
            } else {
                sp.precision = 0;
                while (*fmt >= '0' && *fmt <= '9') {
                    if (sp.precision < FORMAT_MAX_FIELD)
                        sp.precision = sp.precision * 10 + (*fmt - '0');
                    fmt++;
                }
            }
        }
        if (sp.flags & F_LEFT)
            sp.flags &= ~F_ZERO;
        if (sp.flags & F_PLUS)
            sp.flags &= ~F_SPACE;

        /* Length modifier: the width the argument was passed with. */
        unsigned arg_bits = 32, conv_bits = 32;
        if (fmt[0] == 'h' && fmt[1] == 'h') { conv_bits = 8; fmt += 2; }
        else if (fmt[0] == 'h') { conv_bits = 16; fmt++; }
        else if (fmt[0] == 'l' && fmt[1] == 'l') { conv_bits = arg_bits = 64; fmt += 2; }
        else if (*fmt == 'l' || *fmt == 'z' || *fmt == 't' || *fmt == 'j') {
            conv_bits = arg_bits = 64;
            fmt++;
        }
        sp.bits = conv_bits;

        char conv = *fmt;
        switch (conv) {
        case 'd': case 'i':
            emit_integer(&o, &sp, conv, args->next_int(args, arg_bits, 1));
            break;
        case 'u': case 'x': case 'X': case 'o':
            emit_integer(&o, &sp, conv, args->next_int(args, arg_bits, 0));
            break;
        case 'p': {
            const void *p = args->next_ptr(args);
            if (!p) {
                sp.flags &= ~F_ZERO;
                sp.precision = -1;
                emit(&o, &sp, "", 0, "(nil)", 5);
            } else {
                sp.bits = 64;
                sp.flags |= F_ALT;
                emit_integer(&o, &sp, 'p', (uint64_t)(uintptr_t)p);
            }
            break;
        }
        case 's': {
            const char *s = args->next_ptr(args);
            if (!s)
                s = "(null)";
            size_t n = sp.precision >= 0 ? strnlen(s, (size_t)sp.precision) : strlen(s);
            sp.flags &= ~F_ZERO;
            emit(&o, &sp, "", 0, s, n);
            break;
        }
        case 'c': {
            char c = (char)args->next_int(args, 32, 0);
            sp.flags &= ~F_ZERO;
            emit(&o, &sp, "", 0, &c, 1);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default:
            /* Unknown or truncated: copy the text as written, take no argument. */
            if (!conv) {
                put_s(&o, start, (size_t)(fmt - start));
                continue;
            }
            put_s(&o, start, (size_t)(fmt + 1 - start));
            break;
        }
        fmt++;
    }
    if (size)
        buf[o.len < size ? o.len : size - 1] = '\0';
    /* The int result mirrors snprintf; outputs past INT_MAX do not occur here. */
    return (int)o.len;
}

struct va_source {
    struct format_args args;
    va_list ap;
};

static uint64_t va_next_int(struct format_args *args, unsigned bits, int is_signed)
{
    struct va_source *src = container_of(args, struct va_source, args);

    if (bits == 64)
        return va_arg(src->ap, uint64_t);
    if (is_signed)
        return (uint64_t)(int64_t)va_arg(src->ap, int);
    return va_arg(src->ap, unsigned int);
}

static const void *va_next_ptr(struct format_args *args)
{
    struct va_source *src = container_of(args, struct va_source, args);

    return va_arg(src->ap, const void *);
}

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct va_source src = { .args = { va_next_int, va_next_ptr } };
    int n;

    va_copy(src.ap, ap);
    n = format_core(buf, size, fmt, &src.args);
    va_end(src.ap);
    return n;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vformat(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

int format_args(char *buf, size_t size, const char *fmt, struct format_args *args)
{
    return format_core(buf, size, fmt, args);
}
