#include "trace.h"

#include <stdio.h>
#include <time.h>

bool tl_trace_enabled;

void tl_trace(const char *what)
{
    static struct timespec start;
    static bool started;
    struct timespec now;

    if (!tl_trace_enabled)
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!started) {
        start = now;
        started = true;
    }
    double s = (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
    fprintf(stderr, "tl: +%.3f s: %s\n", s, what);
}
