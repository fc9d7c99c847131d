/*
 * The FIFO event channel ABI, as Xen 4.17 offers it. Each port has an
 * event word in pages the guest adds with EVTCHNOP_expand_array; each vCPU
 * has a control block (EVTCHNOP_init_control) with 16 queues, one per
 * priority, whose heads are in the control block and whose tails only the
 * hypervisor knows. Raising an event sets PENDING in its word and, unless
 * the word is MASKED or already LINKED, appends the port to its queue on
 * the notified vCPU, sets the queue's READY bit and raises the upcall.
 *
 * The guest consumes queues, clears PENDING/LINKED and (un)masks words at
 * the same time as we link them: every change to a shared word is one
 * atomic operation, and the one loop over a word whose value the guest
 * keeps changing (linking a tail) gives up after a fixed number of tries.
 * The hypervisor never follows the guest's LINK fields, so a queue the
 * guest made circular costs it its own events, nothing more.
 *
 * Everything here runs under the domain's delivery lock [D]; switching
 * ABI and adding pages also hold its event-channel lock [L].
 */
#include <stddef.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include "event_channel_priv.h"

#define FIFO_PAGE_SIZE 4096u

BUILD_BUG_ON(EVTCHN_FIFO_EVENT_WORDS_PER_PAGE * sizeof(event_word_t) != FIFO_PAGE_SIZE);
BUILD_BUG_ON(EVTCHN_MAX_PORTS > EVTCHN_FIFO_NR_CHANNELS);
BUILD_BUG_ON(MAX_VCPUS_PER_DOMAIN > 256);   /* struct evtchn.last_vcpu is 8 bits */

/*
 * Tries at linking a new port behind a queue's tail while the guest keeps
 * changing the tail's word (Xen: one, then four with BUSY set).
 */
#define LINK_TRIES 5

struct fifo_vcpu {
    void *page;                                 /* [L+D] the control block's page, or NULL */
    struct evtchn_fifo_control_block *cb;       /* [L+D] in 'page' */
    evtchn_port_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* [D] last port linked per queue, 0 = none */
};

struct evtchn_fifo {
    unsigned int nr_words;                      /* [L+D] ports with an event word */
    event_word_t *array[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];    /* [L+D] */
    struct fifo_vcpu vcpu[MAX_VCPUS_PER_DOMAIN];
};

#define BIT(n) ((event_word_t)1 << (n))

static event_word_t *fifo_word(const struct evtchn_fifo *fifo, evtchn_port_t port)
{
    if (port >= fifo->nr_words)
        return NULL;
    return fifo->array[port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE] +
           port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
}

static bool word_test(const event_word_t *w, unsigned int bit)
{
    return __atomic_load_n(w, __ATOMIC_SEQ_CST) & BIT(bit);
}

static bool word_test_and_set(event_word_t *w, unsigned int bit)
{
    return __atomic_fetch_or(w, BIT(bit), __ATOMIC_SEQ_CST) & BIT(bit);
}

static void word_clear(event_word_t *w, unsigned int bit)
{
    __atomic_fetch_and(w, ~BIT(bit), __ATOMIC_SEQ_CST);
}

/*
 * Points the LINK field of 'tail' (a port we linked last into a queue) at
 * 'port', if the guest has not unlinked the tail meanwhile. false: the
 * tail is no longer LINKED, so the queue is empty and 'port' becomes its
 * head. The guest may only mask, unmask, clear PENDING or unlink a linked
 * word; BUSY asks it not to unmask while we retry. A guest that changes
 * the word every time anyway loses this event (true without a link), as
 * in Xen.
 */
static bool link_after_tail(event_word_t *tail, evtchn_port_t port)
{
    event_word_t old = __atomic_load_n(tail, __ATOMIC_SEQ_CST);
    bool busy = false;

    for (unsigned int attempt = 0; attempt < LINK_TRIES; attempt++) {
        if (!(old & BIT(EVTCHN_FIFO_LINKED))) {
            if (busy)
                word_clear(tail, EVTCHN_FIFO_BUSY);
            return false;
        }
        /* The swap also drops BUSY. */
        event_word_t new = (old & ~(BIT(EVTCHN_FIFO_BUSY) | EVTCHN_FIFO_LINK_MASK)) | port;
        if (__atomic_compare_exchange_n(tail, &old, new, false, __ATOMIC_SEQ_CST,
                                        __ATOMIC_SEQ_CST))
            return true;
        if (!busy) {
            __atomic_fetch_or(tail, BIT(EVTCHN_FIFO_BUSY), __ATOMIC_SEQ_CST);
            busy = true;
            old = __atomic_load_n(tail, __ATOMIC_SEQ_CST);
        }
    }
    word_clear(tail, EVTCHN_FIFO_BUSY);
    return true;
}

/* evtchn_upcall_pending for v, kicking it when newly raised. */
static void raise_upcall(struct vcpu *v)
{
    struct vcpu_info *vi = __atomic_load_n(&v->vcpu_info, __ATOMIC_ACQUIRE);

    if (vi && !__atomic_exchange_n(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST))
        vcpu_kick(v);
}

static bool fifo_set_pending(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    struct evtchn_fifo *fifo = d->evtchn->fifo;
    struct evtchn *chn = evtchn_from_port(d->evtchn, port);
    event_word_t *word = fifo_word(fifo, port);

    if (!word) {
        /* Delivered when expand_array adds the port's page. */
        chn->fifo_pending = true;
        return false;
    }
    chn->fifo_pending = false;

    bool newly = !word_test_and_set(word, EVTCHN_FIFO_PENDING);
    struct fifo_vcpu *fv = v ? &fifo->vcpu[v->vcpu_id] : NULL;

    /* Without a control block the event stays pending, unlinked. */
    if (!fv || !fv->cb)
        return newly;
    if (word_test(word, EVTCHN_FIFO_MASKED) || word_test_and_set(word, EVTCHN_FIFO_LINKED))
        return newly;

    /*
     * Linked again (the guest unlinked it): if it is still the tail of
     * the queue it was last on, that queue is empty now, and must not be
     * appended to through it.
     */
    struct fifo_vcpu *last = &fifo->vcpu[chn->last_vcpu];
    if (last->tail[chn->last_priority] == port)
        last->tail[chn->last_priority] = 0;

    unsigned int prio = __atomic_load_n(&chn->priority, __ATOMIC_RELAXED);
    chn->last_vcpu = (uint8_t)v->vcpu_id;
    chn->last_priority = (uint8_t)prio;

    evtchn_port_t tail = fv->tail[prio];
    bool linked = tail && link_after_tail(fifo_word(fifo, tail), port);
    if (!linked)
        __atomic_store_n(&fv->cb->head[prio], port, __ATOMIC_SEQ_CST);
    fv->tail[prio] = port;

    if (!linked && !(__atomic_fetch_or(&fv->cb->ready, 1u << prio, __ATOMIC_SEQ_CST) &
                     (1u << prio)))
        raise_upcall(v);
    return newly;
}

static void fifo_clear_pending(struct domain *d, evtchn_port_t port)
{
    event_word_t *word = fifo_word(d->evtchn->fifo, port);

    /* The guest drops unlinked words that are not pending: no unlinking here. */
    evtchn_from_port(d->evtchn, port)->fifo_pending = false;
    if (word)
        word_clear(word, EVTCHN_FIFO_PENDING);
}

static void fifo_unmask(struct domain *d, struct vcpu *v, evtchn_port_t port)
{
    event_word_t *word = fifo_word(d->evtchn->fifo, port);

    if (!word)
        return;
    word_clear(word, EVTCHN_FIFO_MASKED);
    if (word_test(word, EVTCHN_FIFO_PENDING))
        fifo_set_pending(d, v, port);
}

static bool fifo_is_pending(const struct domain *d, evtchn_port_t port)
{
    const event_word_t *word = fifo_word(d->evtchn->fifo, port);

    return word && word_test(word, EVTCHN_FIFO_PENDING);
}

static bool fifo_is_busy(const struct domain *d, evtchn_port_t port)
{
    const event_word_t *word = fifo_word(d->evtchn->fifo, port);

    return word && word_test(word, EVTCHN_FIFO_LINKED);
}

static int fifo_set_priority(struct domain *d, evtchn_port_t port, unsigned int priority)
{
    if (priority > EVTCHN_FIFO_PRIORITY_MIN)
        return -EINVAL;
    /* Events already queued stay where they are; the next one moves. */
    __atomic_store_n(&evtchn_from_port(d->evtchn, port)->priority, (uint8_t)priority,
                     __ATOMIC_RELAXED);
    return 0;
}

static void fifo_view(const struct domain *d, const struct vcpu *v, evtchn_port_t port,
                      struct evtchn_port_view *out)
{
    const struct evtchn_fifo *fifo = d->evtchn->fifo;
    const event_word_t *word = fifo_word(fifo, port);
    const struct fifo_vcpu *fv = v ? &fifo->vcpu[v->vcpu_id] : NULL;
    unsigned int prio = evtchn_from_port(d->evtchn, port)->priority;

    if (word) {
        out->word = __atomic_load_n(word, __ATOMIC_SEQ_CST);
        out->pending = out->word & BIT(EVTCHN_FIFO_PENDING);
        out->masked = out->word & BIT(EVTCHN_FIFO_MASKED);
    }
    if (fv && fv->cb) {
        out->ready = __atomic_load_n(&fv->cb->ready, __ATOMIC_SEQ_CST);
        out->head = __atomic_load_n(&fv->cb->head[prio], __ATOMIC_SEQ_CST);
    }
    out->notified = (out->word & BIT(EVTCHN_FIFO_LINKED)) && (out->ready & (1u << prio));
}

const struct evtchn_port_ops evtchn_port_ops_fifo = {
    .name = "FIFO",
    .max_ports = EVTCHN_FIFO_NR_CHANNELS,
    .set_pending = fifo_set_pending,
    .clear_pending = fifo_clear_pending,
    .unmask = fifo_unmask,
    .is_pending = fifo_is_pending,
    .is_busy = fifo_is_busy,
    .set_priority = fifo_set_priority,
    .view = fifo_view,
};

/*
 * From 2-level to FIFO. [L][D] Every port gets the default priority; a
 * port pending in the 2-level bitmap is remembered as pending and raised
 * once its event word exists (there are none yet).
 */
static void switch_to_fifo(struct domain *d, struct evtchn_fifo *fifo)
{
    struct evtchn_domain *ed = d->evtchn;

    for (evtchn_port_t port = 1; port < ed->valid_ports; port++) {
        struct evtchn *chn = evtchn_from_port(ed, port);
        chn->fifo_pending = evtchn_port_ops_2l.is_pending(d, port);
        chn->priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
        chn->last_vcpu = 0;
        chn->last_priority = 0;
    }
    ed->fifo = fifo;
    ed->ops = &evtchn_port_ops_fifo;
}

int evtchn_fifo_init_control(struct domain *d, uint32_t vcpu_id, uint64_t gfn, uint32_t offset)
{
    struct evtchn_domain *ed = d->evtchn;

    if (!evtchn_vcpu(d, vcpu_id))
        return -ENOENT;
    if (offset > FIFO_PAGE_SIZE - sizeof(struct evtchn_fifo_control_block))
        return -EINVAL;
    if (offset & 7)
        return -EINVAL;

    /* Xen refuses a second control block before it looks at the frame. */
    unsigned long flags = evtchn_lock(d);
    bool registered = ed->fifo && ed->fifo->vcpu[vcpu_id].cb;
    evtchn_unlock(d, flags);
    if (registered)
        return -EINVAL;

    /* Outside our locks: holding a frame takes the arch's memory locks. */
    void *page;
    int rc = arch_guest_frame_hold(d, gfn, &page);
    if (rc < 0)
        return rc;
    struct evtchn_fifo *fresh = NULL;
    if (!__atomic_load_n(&ed->fifo, __ATOMIC_RELAXED))
        fresh = xzalloc(sizeof(*fresh));

    flags = evtchn_lock(d);
    unsigned long dflags = evtchn_deliver_lock(d);
    if (ed->dying) {
        rc = -EINVAL;
    } else if (!ed->fifo && !fresh) {
        rc = -ENOMEM;
    } else {
        if (!ed->fifo) {
            switch_to_fifo(d, fresh);
            fresh = NULL;
        }
        struct fifo_vcpu *fv = &ed->fifo->vcpu[vcpu_id];
        if (fv->cb) {
            rc = -EINVAL;       /* another vCPU registered it meanwhile */
        } else {
            fv->page = page;
            fv->cb = (struct evtchn_fifo_control_block *)((char *)page + offset);
            for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++)
                fv->tail[q] = 0;
            page = NULL;
        }
    }
    evtchn_deliver_unlock(d, dflags);
    evtchn_unlock(d, flags);

    if (page)
        arch_guest_frame_release(d, page);
    xfree(fresh);
    return rc;
}

/* Raises the events saved for ports [from, to) now that they have words. [L][D] */
static void raise_saved(struct domain *d, evtchn_port_t from, evtchn_port_t to)
{
    struct evtchn_domain *ed = d->evtchn;

    for (evtchn_port_t port = from; port < to && port < ed->valid_ports; port++) {
        struct evtchn *chn = evtchn_from_port(ed, port);
        if (!chn->fifo_pending)
            continue;
        uint32_t vcpu_id = __atomic_load_n(&chn->notify_vcpu, __ATOMIC_RELAXED);
        if (fifo_set_pending(d, evtchn_vcpu(d, vcpu_id), port))
            evtchn_wake_pollers(d, port);
    }
}

/* -EOPNOTSUPP without FIFO, -ENOSPC when every page is there, else 0. [L] */
static int array_room(const struct evtchn_domain *ed)
{
    if (!ed->fifo)
        return -EOPNOTSUPP;
    if (ed->fifo->nr_words / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE >= EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES)
        return -ENOSPC;
    return 0;
}

int evtchn_fifo_expand_array(struct domain *d, uint64_t gfn)
{
    struct evtchn_domain *ed = d->evtchn;

    unsigned long flags = evtchn_lock(d);
    int rc = array_room(ed);
    evtchn_unlock(d, flags);
    if (rc)
        return rc;

    void *page;
    rc = arch_guest_frame_hold(d, gfn, &page);
    if (rc < 0)
        return rc;

    flags = evtchn_lock(d);
    rc = array_room(ed);    /* again: the lock was dropped */
    if (rc == 0) {
        unsigned long dflags = evtchn_deliver_lock(d);
        struct evtchn_fifo *fifo = ed->fifo;
        unsigned int first = fifo->nr_words;
        fifo->array[first / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE] = page;
        fifo->nr_words = first + EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
        page = NULL;
        raise_saved(d, first, fifo->nr_words);
        evtchn_deliver_unlock(d, dflags);
    }
    evtchn_unlock(d, flags);

    if (page)
        arch_guest_frame_release(d, page);
    return rc;
}

void evtchn_fifo_teardown(struct domain *d)
{
    struct evtchn_domain *ed = d->evtchn;

    unsigned long dflags = evtchn_deliver_lock(d);
    struct evtchn_fifo *fifo = ed->fifo;
    ed->fifo = NULL;
    ed->ops = &evtchn_port_ops_2l;
    evtchn_deliver_unlock(d, dflags);

    if (!fifo)
        return;
    for (unsigned int i = 0; i < MAX_VCPUS_PER_DOMAIN; i++) {
        if (fifo->vcpu[i].page)
            arch_guest_frame_release(d, fifo->vcpu[i].page);
    }
    for (unsigned int p = 0; p < fifo->nr_words / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE; p++)
        arch_guest_frame_release(d, fifo->array[p]);
    xfree(fifo);
}

int evtchn_fifo_check(struct domain *d, const char **why)
{
    struct evtchn_domain *ed = d->evtchn;
    unsigned long dflags = evtchn_deliver_lock(d);
    struct evtchn_fifo *fifo = ed->fifo;
    int rc = -EINVAL;

#define FAIL(msg) do { *why = msg; goto out; } while (0)
    if ((fifo != NULL) != (ed->ops == &evtchn_port_ops_fifo))
        FAIL("FIFO state and port ABI disagree");
    if (!fifo) {
        rc = 0;
        goto out;
    }
    unsigned int pages = fifo->nr_words / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;
    if (fifo->nr_words % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE || pages > EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES)
        FAIL("event array is not whole pages within the limit");
    for (unsigned int p = 0; p < EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES; p++) {
        if ((p < pages) != (fifo->array[p] != NULL))
            FAIL("event array pages disagree with the word count");
    }
    for (unsigned int i = 0; i < MAX_VCPUS_PER_DOMAIN; i++) {
        const struct fifo_vcpu *fv = &fifo->vcpu[i];
        uintptr_t off = (uintptr_t)fv->cb - (uintptr_t)fv->page;
        if ((fv->cb == NULL) != (fv->page == NULL))
            FAIL("control block without its page");
        if (fv->cb && (!evtchn_vcpu(d, i) || off % 8 ||
                       off > FIFO_PAGE_SIZE - sizeof(struct evtchn_fifo_control_block)))
            FAIL("control block misplaced or for a vCPU that does not exist");
        for (unsigned int q = 0; q < EVTCHN_FIFO_MAX_QUEUES; q++) {
            if (fv->tail[q] && (fv->tail[q] >= fifo->nr_words || !fv->cb))
                FAIL("queue tail without an event word or a control block");
        }
    }
    for (evtchn_port_t port = 0; port < ed->valid_ports; port++) {
        const struct evtchn *chn = evtchn_from_port(ed, port);
        if (chn->last_vcpu >= MAX_VCPUS_PER_DOMAIN || chn->last_priority > EVTCHN_FIFO_PRIORITY_MIN)
            FAIL("port last queued on a queue that does not exist");
    }
    rc = 0;
#undef FAIL
out:
    evtchn_deliver_unlock(d, dflags);
    return rc;
}
