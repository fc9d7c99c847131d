/*
 * libFuzzer target for lib/format.c. Input: one byte of buffer size, a
 * NUL-terminated format, then bytes that feed the integer arguments; %s
 * and %p get a string carved from the input (or NULL). Checks the
 * snprintf contract on every input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/format.h>

struct fuzz_args {
    struct format_args args;
    const uint8_t *data;
    size_t size, pos;
    const char *str;
};

static uint64_t fuzz_int(struct format_args *a, unsigned bits, int is_signed)
{
    struct fuzz_args *f = (struct fuzz_args *)a;
    uint64_t v = 0;

    (void)bits;
    (void)is_signed;
    for (int i = 0; i < 8 && f->size; i++) {
        v = v << 8 | f->data[f->pos % f->size];
        f->pos++;
    }
    return v;
}

static const void *fuzz_ptr(struct format_args *a)
{
    struct fuzz_args *f = (struct fuzz_args *)a;

    return (fuzz_int(a, 8, 0) & 3) == 0 ? NULL : f->str;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t bufsize = data[0] % 200;
    const uint8_t *nul = memchr(data + 1, 0, size - 1);
    size_t fmt_len = nul ? (size_t)(nul - (data + 1)) : size - 1;
    char *fmt = malloc(fmt_len + 1);
    char *out = malloc(bufsize ? bufsize : 1);
    char str[32];

    memcpy(fmt, data + 1, fmt_len);
    fmt[fmt_len] = '\0';
    size_t rest = size - 1 - fmt_len;
    const uint8_t *rest_data = data + 1 + fmt_len;
    size_t slen = rest < sizeof(str) - 1 ? rest : sizeof(str) - 1;
    memcpy(str, rest_data, slen);
    str[slen] = '\0';

    struct fuzz_args f = { { fuzz_int, fuzz_ptr }, rest_data, rest, 0, str };
    int n = format_args(out, bufsize, fmt, &f.args);
    if (n < 0)
        abort();
    if (bufsize) {
        /* Terminated exactly where the (possibly cut) output ends. */
        size_t end = (size_t)n < bufsize ? (size_t)n : bufsize - 1;
        if (out[end] != '\0')
            abort();
    }
    free(fmt);
    free(out);
    return 0;
}
