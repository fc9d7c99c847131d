/*
 * The daemon's side of a PV console ring (pvabi/io/console.h): the guest
 * writes `out`, we drain it; we write `in`, the guest drains it. The guest
 * owns the page, so every index it writes is read once and checked: a
 * guest that corrupts its indices only loses its own bytes.
 */
#ifndef CONSOLED_CONSOLE_RING_H
#define CONSOLED_CONSOLE_RING_H

#include <stddef.h>

#include <pvabi/io/console.h>

/*
 * Copies at most max bytes the guest produced into buf and marks them
 * consumed. A producer index more than a ring ahead (a guest bug or
 * attack) is taken as "the last ring's worth": older bytes are lost and
 * *lost says how many. Returns the bytes copied.
 */
size_t console_ring_read(struct xencons_interface *intf, char *buf, size_t max, size_t *lost);

/* Bytes of input the guest has room for now (0 if its index is corrupt). */
size_t console_ring_space(struct xencons_interface *intf);

/* Puts up to len bytes of input on the ring; returns how many went. */
size_t console_ring_write(struct xencons_interface *intf, const char *data, size_t len);

#endif
