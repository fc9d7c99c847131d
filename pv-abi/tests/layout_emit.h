/*
 * The three macros the layout TUs use to print a list (layout_list.h unless
 * the including file names another in LAYOUT_LIST) as a table of
 * "group key value" lines. The including file provides the headers.
 * Keys are the field designators or constant expressions as written, with
 * blanks removed so that each line has exactly three words; a struct's own
 * size uses the key "sizeof", which no field can be called.
 */
#include <stdio.h>

static void emit(const char *group, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#include <stdarg.h>

static void emit(const char *group, const char *key, const char *fmt, ...)
{
    va_list ap;
    printf("%s ", group);
    for (const char *c = key; *c; c++)
        if (*c != ' ')
            putchar(*c);
    putchar(' ');
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

#define L_SIZE(group, type) \
    emit(#group, "sizeof", "%llu", (unsigned long long)sizeof(type));
#define L_OFF(group, type, field) \
    emit(#group, #field, "%llu", (unsigned long long)offsetof(type, field));
/* Constants are printed as signed 64-bit values so negative codes compare. */
#define L_CONST(group, name) \
    emit(#group, #name, "%lld", (long long)(name));

#ifndef LAYOUT_LIST
#define LAYOUT_LIST "layout_list.h"
#endif

static void emit_layout_table(void)
{
#include LAYOUT_LIST
}

int main(void)
{
    emit_layout_table();
    return 0;
}
