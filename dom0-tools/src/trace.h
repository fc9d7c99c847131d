/*
 * Phase timings for `tl -v`: where a create's time goes (reading and
 * decompressing the kernel, each hypercall stage of the build), one line a
 * phase on stderr with the time since the first phase.
 */
#ifndef TL_TRACE_H
#define TL_TRACE_H

#include <stdbool.h>

extern bool tl_trace_enabled;

/* Prints "tl: +S.SSS s: what" when tracing; the first call starts the clock. */
void tl_trace(const char *what);

#endif
