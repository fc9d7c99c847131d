/*
 * Diagnostics for the config readers: one error (the first, which stops
 * parsing) and any number of warnings, each prefixed "file:line:column: "
 * so editors can jump to them.
 */
#ifndef TL_DIAG_H
#define TL_DIAG_H

#include <stdio.h>

struct diag {
    const char *file;       /* shown in every message */
    FILE *warnings;         /* where warnings go; NULL drops them */
    int nr_warnings;
    char error[512];        /* the error, with its location prefix */
};

void diag_init(struct diag *d, const char *file, FILE *warnings);

/* Records the error (keeps the first) and returns -EINVAL. line 0: none. */
int diag_error(struct diag *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void diag_warn(struct diag *d, int line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
