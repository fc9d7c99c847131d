/* Watches in the library: registering them and handing out their events. */
#include "xs_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
    /* Events may come at any time from now on: let the reader take them. */
    if (xs_start_reader(h))
        return false;
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { (void *)token, strlen(token) + 1 } };
    return xs_bool(xs_talkv(h, XBT_NULL, XS_WATCH, iov, 2, NULL));
}

int xs_fileno(struct xs_handle *h)
{
    if (xs_start_reader(h))
        return -1;
    return h->event_pipe[0];
}

/* Takes the first queued event as {path, token}. [state_lock] */
static char **take_event(struct xs_handle *h, unsigned *num)
{
    struct xs_msg *m = h->events;
    h->events = m->next;
    if (!h->events) {
        h->events_tail = &h->events;
        char buf[64];
        while (read(h->event_pipe[0], buf, sizeof(buf)) > 0)
            ;
    }
    const char *path = m->body;
    size_t plen = strnlen(path, m->hdr.len);
    const char *token = plen < m->hdr.len ? path + plen + 1 : "";
    size_t tlen = strlen(token);
    char **r = malloc(2 * sizeof(char *) + plen + tlen + 2);
    if (r) {
        char *text = (char *)(r + 2);
        memcpy(text, path, plen);
        text[plen] = '\0';
        memcpy(text + plen + 1, token, tlen + 1);
        r[XS_WATCH_PATH] = text;
        r[XS_WATCH_TOKEN] = text + plen + 1;
        if (num)
            *num = 2;
    }
    free(m);
    return r;
}

char **xs_read_watch(struct xs_handle *h, unsigned int *num)
{
    char **r = NULL;
    if (xs_start_reader(h))
        return NULL;
    pthread_mutex_lock(&h->state_lock);
    while (!h->events && !h->broken)
        pthread_cond_wait(&h->watch_cond, &h->state_lock);
    if (h->events)
        r = take_event(h, num);
    else
        errno = EIO;
    pthread_mutex_unlock(&h->state_lock);
    return r;
}

char **xs_check_watch(struct xs_handle *h)
{
    char **r = NULL;
    pthread_mutex_lock(&h->state_lock);
    if (h->events)
        r = take_event(h, NULL);
    else
        errno = h->broken ? EIO : EAGAIN;
    pthread_mutex_unlock(&h->state_lock);
    return r;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { (void *)token, strlen(token) + 1 } };
    if (!xs_bool(xs_talkv(h, XBT_NULL, XS_UNWATCH, iov, 2, NULL)))
        return false;
    if (!(h->flags & XS_UNWATCH_FILTER))
        return true;
    /* Drop events of this watch that are already queued. */
    pthread_mutex_lock(&h->state_lock);
    struct xs_msg **pp = &h->events;
    h->events_tail = &h->events;
    while (*pp) {
        struct xs_msg *m = *pp;
        const char *epath = m->body;
        size_t plen = strnlen(epath, m->hdr.len);
        const char *etoken = plen < m->hdr.len ? epath + plen + 1 : "";
        if (strcmp(etoken, token) == 0 && xs_path_is_subpath(path, epath)) {
            *pp = m->next;
            free(m);
            continue;
        }
        h->events_tail = &m->next;
        pp = &m->next;
    }
    if (!h->events) {
        char buf[64];
        while (read(h->event_pipe[0], buf, sizeof(buf)) > 0)
            ;
    }
    pthread_mutex_unlock(&h->state_lock);
    return true;
}
