/* Bounded newest-bytes queue (see outbuf.h). */
#include "outbuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int outbuf_init(struct outbuf *b, size_t cap)
{
    *b = (struct outbuf){ .cap = cap };
    b->data = malloc(cap ? cap : 1);
    return b->data ? 0 : -ENOMEM;
}

void outbuf_free(struct outbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->head = 0;
}

void outbuf_append(struct outbuf *b, const char *data, size_t len)
{
    if (len >= b->cap) {
        /* Only the last cap bytes can survive. */
        b->dropped += b->len + (len - b->cap);
        data += len - b->cap;
        len = b->cap;
        b->len = b->head = 0;
    }
    size_t overflow = b->len + len > b->cap ? b->len + len - b->cap : 0;
    if (overflow) {
        outbuf_consume(b, overflow);
        b->dropped += overflow;
    }
    size_t tail = (b->head + b->len) % (b->cap ? b->cap : 1);
    size_t first = len < b->cap - tail ? len : b->cap - tail;
    memcpy(b->data + tail, data, first);
    memcpy(b->data, data + first, len - first);
    b->len += len;
}

const char *outbuf_peek(const struct outbuf *b, size_t *len)
{
    if (!b->len) {
        *len = 0;
        return NULL;
    }
    size_t run = b->cap - b->head;
    *len = b->len < run ? b->len : run;
    return b->data + b->head;
}

void outbuf_consume(struct outbuf *b, size_t len)
{
    if (len > b->len)
        len = b->len;
    b->head = b->len == len ? 0 : (b->head + len) % b->cap;
    b->len -= len;
}
