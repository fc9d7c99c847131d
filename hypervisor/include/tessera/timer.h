/*
 * One-shot timers, kept per CPU in a binary min-heap ordered by deadline
 * (ties: the one added first runs first). O(log n) add, delete and pop.
 *
 * No locking inside: the owner of the queue (the CPU's timer lock, with
 * interrupts off) serialises every call on one queue, including the
 * callbacks' own calls.
 */
#ifndef TESSERA_TIMER_H
#define TESSERA_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_QUEUE_MAX 512              /* active timers per queue */

struct timer {
    uint64_t expires;                    /* deadline, ns on arch_now_ns's clock */
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;                    /* the CPU whose queue holds it */
    /* Internal to timer.c. */
    uint32_t index;                      /* heap slot, or TIMER_IDLE / TIMER_DUE */
    uint64_t seq;                        /* insertion order, breaks ties */
    struct timer *due_next, *due_prev;   /* on the queue's due list while running */
};

#define TIMER_IDLE UINT32_MAX
#define TIMER_DUE  (UINT32_MAX - 1)

struct timer_queue {
    struct timer *heap[TIMER_QUEUE_MAX];
    uint32_t nr;
    uint64_t seq;
    struct timer *due;                   /* expired, waiting in timer_queue_run */
};

void timer_init(struct timer *t, void (*fn)(void *data), void *data, unsigned int cpu);
void timer_queue_init(struct timer_queue *q);

/*
 * Arms t to run at expires_ns; an armed t is moved. May be called from a
 * callback, also for the timer being run (a periodic timer re-arms itself
 * this way). Returns 0 or -ENOSPC when the queue is full.
 */
int timer_add(struct timer_queue *q, struct timer *t, uint64_t expires_ns);

/* Disarms t; returns whether it was armed. */
bool timer_del(struct timer_queue *q, struct timer *t);

bool timer_active(const struct timer *t);

/* The earliest deadline, UINT64_MAX when nothing is armed. */
uint64_t timer_queue_next(const struct timer_queue *q);

/*
 * Runs every timer whose deadline is <= now_ns, in deadline order, each
 * disarmed before its callback. Timers armed by the callbacks are not run
 * by this call even if already due. Returns the number of callbacks run.
 */
unsigned timer_queue_run(struct timer_queue *q, uint64_t now_ns);

/* Checks the heap's invariants (tests): 0 or -EINVAL. */
int timer_queue_check(const struct timer_queue *q);

#endif
