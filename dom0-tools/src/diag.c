#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>

void diag_init(struct diag *d, const char *file, FILE *warnings)
{
    memset(d, 0, sizeof(*d));
    d->file = file;
    d->warnings = warnings;
}

static int prefix(const struct diag *d, char *buf, size_t size, int line, int col)
{
    if (line > 0 && col > 0)
        return snprintf(buf, size, "%s:%d:%d: ", d->file, line, col);
    if (line > 0)
        return snprintf(buf, size, "%s:%d: ", d->file, line);
    return snprintf(buf, size, "%s: ", d->file);
}

int diag_error(struct diag *d, int line, int col, const char *fmt, ...)
{
    if (d->error[0])
        return -EINVAL;
    int n = prefix(d, d->error, sizeof(d->error), line, col);
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(d->error))
        vsnprintf(d->error + n, sizeof(d->error) - (size_t)n, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

void diag_warn(struct diag *d, int line, int col, const char *fmt, ...)
{
    char msg[512];
    int n = prefix(d, msg, sizeof(msg), line, col);
    if (n >= 0 && (size_t)n < sizeof(msg))
        n += snprintf(msg + n, sizeof(msg) - (size_t)n, "warning: ");
    va_list ap;
    va_start(ap, fmt);
    if (n >= 0 && (size_t)n < sizeof(msg))
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
    va_end(ap);
    d->nr_warnings++;
    if (d->warnings)
        fprintf(d->warnings, "%s\n", msg);
}
