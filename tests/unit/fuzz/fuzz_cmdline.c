/*
 * libFuzzer target for common/cmdline.c: any bytes as a command line
 * against a table with every option type. Checks that string targets stay
 * terminated within their size and that every reported message is a
 * terminated string.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/cmdline.h>

static bool b;
static uint64_t u, sz;
static char str[8];
static unsigned custom_calls;

static int custom(const char *value)
{
    custom_calls++;
    return value && strcmp(value, "ok") == 0 ? 0 : -22;
}

static const struct cmdline_option table[] = {
    { "b", OPT_BOOL, &b, NULL, "bool", 0, NULL },
    { "u", OPT_UINT, &u, NULL, "uint", 0, NULL },
    { "sz", OPT_SIZE, &sz, NULL, "size", 0, NULL },
    { "s", OPT_STRING, str, NULL, "string", sizeof(str), NULL },
    { "c", OPT_CUSTOM, NULL, custom, "custom", 0, "ok" },
};

static void report(void *ctx, const char *msg)
{
    (void)ctx;
    if (strlen(msg) >= 160)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size + 1);

    memcpy(line, data, size);
    line[size] = '\0';
    int problems = cmdline_parse(line, table, sizeof(table) / sizeof(table[0]), report, NULL);
    if (problems < 0 || memchr(str, 0, sizeof(str)) == NULL)
        abort();
    free(line);
    return 0;
}
