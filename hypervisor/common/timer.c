/*
 * Timer queues: an array-backed binary heap of timer pointers, each timer
 * remembering its slot so it can be removed from the middle.
 *
 * timer_queue_run first moves every due timer onto a 'due' list (in
 * deadline order) and only then runs them: that is what keeps a timer
 * re-armed by its own callback from running twice in one call, however
 * late the call is.
 */
#include <stddef.h>
#include <tessera/errno.h>
#include <tessera/timer.h>

static bool earlier(const struct timer *a, const struct timer *b)
{
    return a->expires != b->expires ? a->expires < b->expires : a->seq < b->seq;
}

static void place(struct timer_queue *q, uint32_t i, struct timer *t)
{
    q->heap[i] = t;
    t->index = i;
}

static void sift_up(struct timer_queue *q, uint32_t i)
{
    struct timer *t = q->heap[i];

    while (i > 0) {
        uint32_t parent = (i - 1) / 2;
        if (!earlier(t, q->heap[parent]))
            break;
        place(q, i, q->heap[parent]);
        i = parent;
    }
    place(q, i, t);
}

static void sift_down(struct timer_queue *q, uint32_t i)
{
    struct timer *t = q->heap[i];

    for (;;) {
        uint32_t child = 2 * i + 1;
        if (child >= q->nr)
            break;
        if (child + 1 < q->nr && earlier(q->heap[child + 1], q->heap[child]))
            child++;
        if (!earlier(q->heap[child], t))
            break;
        place(q, i, q->heap[child]);
        i = child;
    }
    place(q, i, t);
}

static void heap_remove(struct timer_queue *q, struct timer *t)
{
    uint32_t i = t->index;
    struct timer *last = q->heap[--q->nr];

    t->index = TIMER_IDLE;
    if (last == t)
        return;
    place(q, i, last);
    /* The moved timer may belong above or below its new slot. */
    if (i > 0 && earlier(last, q->heap[(i - 1) / 2]))
        sift_up(q, i);
    else
        sift_down(q, i);
}

static void due_remove(struct timer_queue *q, struct timer *t)
{
    if (t->due_prev)
        t->due_prev->due_next = t->due_next;
    else
        q->due = t->due_next;
    if (t->due_next)
        t->due_next->due_prev = t->due_prev;
    t->due_next = t->due_prev = NULL;
    t->index = TIMER_IDLE;
}

void timer_init(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu)
{
    t->expires = 0;
    t->fn = fn;
    t->data = data;
    t->cpu = cpu;
    t->index = TIMER_IDLE;
    t->seq = 0;
    t->due_next = t->due_prev = NULL;
}

void timer_queue_init(struct timer_queue *q)
{
    q->nr = 0;
    q->seq = 0;
    q->due = NULL;
}

bool timer_active(const struct timer *t)
{
    return t->index != TIMER_IDLE;
}

bool timer_del(struct timer_queue *q, struct timer *t)
{
    if (t->index == TIMER_IDLE)
        return false;
    if (t->index == TIMER_DUE)
        due_remove(q, t);
    else
        heap_remove(q, t);
    return true;
}

int timer_add(struct timer_queue *q, struct timer *t, uint64_t expires_ns)
{
    if (t->index == TIMER_DUE)
        due_remove(q, t);
    if (t->index == TIMER_IDLE) {
        if (q->nr == TIMER_QUEUE_MAX)
            return -ENOSPC;
        t->expires = expires_ns;
        t->seq = q->seq++;
        q->heap[q->nr] = t;
        t->index = q->nr++;
        sift_up(q, t->index);
        return 0;
    }
    /* Already armed: move it in place. */
    bool sooner = expires_ns < t->expires;
    t->expires = expires_ns;
    t->seq = q->seq++;
    if (sooner)
        sift_up(q, t->index);
    else
        sift_down(q, t->index);
    return 0;
}

uint64_t timer_queue_next(const struct timer_queue *q)
{
    return q->nr ? q->heap[0]->expires : UINT64_MAX;
}

unsigned timer_queue_run(struct timer_queue *q, uint64_t now_ns)
{
    struct timer *tail = NULL;
    unsigned ran = 0;

    /* Collect first (appending keeps deadline order), then run. */
    while (q->nr && q->heap[0]->expires <= now_ns) {
        struct timer *t = q->heap[0];
        heap_remove(q, t);
        t->index = TIMER_DUE;
        t->due_next = NULL;
        t->due_prev = tail;
        if (tail)
            tail->due_next = t;
        else
            q->due = t;
        tail = t;
    }
    while (q->due) {
        struct timer *t = q->due;
        due_remove(q, t);
        ran++;
        t->fn(t->data);
    }
    return ran;
}

int timer_queue_check(const struct timer_queue *q)
{
    if (q->nr > TIMER_QUEUE_MAX)
        return -EINVAL;
    for (uint32_t i = 0; i < q->nr; i++) {
        if (q->heap[i]->index != i)
            return -EINVAL;
        if (i > 0 && earlier(q->heap[i], q->heap[(i - 1) / 2]))
            return -EINVAL;
    }
    return q->due ? -EINVAL : 0;
}
