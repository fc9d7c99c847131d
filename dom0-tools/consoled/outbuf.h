/*
 * A bounded byte queue that keeps the newest bytes: what a console has
 * produced and its pty reader has not taken yet. When nobody reads, old
 * output is dropped (and counted) instead of growing memory or making the
 * guest wait: a guest flooding its console costs a fixed amount.
 */
#ifndef CONSOLED_OUTBUF_H
#define CONSOLED_OUTBUF_H

#include <stddef.h>

struct outbuf {
    char *data;
    size_t cap;               /* bytes kept at most */
    size_t head;              /* index of the oldest byte */
    size_t len;
    unsigned long long dropped;
};

int outbuf_init(struct outbuf *b, size_t cap);
void outbuf_free(struct outbuf *b);
/* Appends, dropping the oldest bytes when full. */
void outbuf_append(struct outbuf *b, const char *data, size_t len);
/* The oldest contiguous run of bytes (NULL, 0 when empty). */
const char *outbuf_peek(const struct outbuf *b, size_t *len);
void outbuf_consume(struct outbuf *b, size_t len);

#endif
