/* Number parsing for command-line values and other text input. */
#include <stdbool.h>
#include <tessera/errno.h>
#include <tessera/string.h>

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

int parse_u64(const char *s, const char **end, uint64_t *out)
{
    const char *p = s;
    unsigned base = 10;
    uint64_t value = 0;
    bool overflow = false;

    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && digit_value(p[2]) < 16) {
        base = 16;
        p += 2;
    }
    if (digit_value(*p) >= (int)base) {
        if (end)
            *end = s;
        return -EINVAL;
    }
    for (int d; (d = digit_value(*p)) < (int)base; p++) {
        if (value > (UINT64_MAX - (uint64_t)d) / base)
            overflow = true;
        value = value * base + (uint64_t)d;
    }
    if (end)
        *end = p;
    if (overflow)
        return -ERANGE;
    *out = value;
    return 0;
}

int parse_size(const char *s, const char **end, uint64_t *out)
{
    const char *p;
    uint64_t value;
    unsigned shift = 0;
    int rc = parse_u64(s, &p, &value);

    if (rc == 0 || rc == -ERANGE) {
        switch (*p) {
        case 'k': case 'K': shift = 10; p++; break;
        case 'm': case 'M': shift = 20; p++; break;
        case 'g': case 'G': shift = 30; p++; break;
        case 't': case 'T': shift = 40; p++; break;
        }
    }
    if (end)
        *end = p;
    if (rc)
        return rc;
    if (shift && value > (UINT64_MAX >> shift))
        return -ERANGE;
    *out = value << shift;
    return 0;
}
