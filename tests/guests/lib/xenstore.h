/*
 * A minimal xenstore client for PV test kernels: requests over the store
 * ring whose frame and event channel start_info names, one at a time, no
 * transactions. Replies are awaited with SCHEDOP_poll on the store port
 * (events stay masked), so it works before and without an upcall handler.
 */
#ifndef GUEST_XENSTORE_H
#define GUEST_XENSTORE_H

#include <stddef.h>
#include <stdint.h>

/* Maps the store ring; 0 or -XEN_E* (no ring: a domain built without one). */
long xs_init(void);
/* The node's value, NUL-terminated in buf; its length, or -XEN_E* (ENOENT...). */
long xs_read(const char *path, char *buf, size_t size);
/* A decimal node; dflt when it is missing or not a number. */
long xs_read_long(const char *path, long dflt);
long xs_write(const char *path, const char *value);
long xs_write_long(const char *path, long value);
long xs_rm(const char *path);
/* Child names, each NUL-terminated one after another; total bytes or -XEN_E*. */
long xs_directory(const char *path, char *buf, size_t size);
/* Polls until the decimal node equals one of want[0..n-1] or timeout_ns
 * passes; the last value read (or -1 if missing). */
long xs_wait_long(const char *path, const long *want, unsigned int n, uint64_t timeout_ns);
/* Sleeps ns of system time with events masked (SCHEDOP_poll on the store port). */
void xs_poll_sleep_ns(uint64_t ns);

#endif /* GUEST_XENSTORE_H */
