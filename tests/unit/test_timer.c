/* common/timer.c: deadline order, re-arming from callbacks, and a model check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/timer.h>
#include "unit.h"

static struct timer_queue q;
static int fired[4096];
static unsigned nfired;

static void record(void *data)
{
    fired[nfired++] = (int)(intptr_t)data;
}

static void reset(void)
{
    timer_queue_init(&q);
    nfired = 0;
}

static void test_empty_queue(void)
{
    reset();
    CU_ASSERT_EQUAL(timer_queue_next(&q), UINT64_MAX);
    CU_ASSERT_EQUAL(timer_queue_run(&q, UINT64_MAX), 0);
    CU_ASSERT_EQUAL(timer_queue_check(&q), 0);
}

static void test_single_timer_fires_at_deadline(void)
{
    struct timer t;

    reset();
    timer_init(&t, record, (void *)7, 0);
    CU_ASSERT_FALSE(timer_active(&t));
    CU_ASSERT_EQUAL(timer_add(&q, &t, 1000), 0);
    CU_ASSERT_TRUE(timer_active(&t));
    CU_ASSERT_EQUAL(timer_queue_next(&q), 1000);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 999), 0);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 1000), 1);
    CU_ASSERT_EQUAL(fired[0], 7);
    CU_ASSERT_FALSE(timer_active(&t));
    CU_ASSERT_EQUAL(timer_queue_next(&q), UINT64_MAX);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 5000), 0);
}

static void test_deadline_order_and_fifo_ties(void)
{
    struct timer t[6];
    static const uint64_t when[6] = { 50, 10, 30, 10, 20, 10 };

    reset();
    for (int i = 0; i < 6; i++) {
        timer_init(&t[i], record, (void *)(intptr_t)i, 0);
        timer_add(&q, &t[i], when[i]);
    }
    CU_ASSERT_EQUAL(timer_queue_next(&q), 10);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 40), 5);
    int expect[5] = { 1, 3, 5, 4, 2 };
    CU_ASSERT_EQUAL(memcmp(fired, expect, sizeof(expect)), 0);
    CU_ASSERT_EQUAL(timer_queue_next(&q), 50);
}

static void test_re_add_moves_timer(void)
{
    struct timer a, b;

    reset();
    timer_init(&a, record, (void *)1, 0);
    timer_init(&b, record, (void *)2, 0);
    timer_add(&q, &a, 100);
    timer_add(&q, &b, 200);
    timer_add(&q, &a, 300);                  /* later */
    CU_ASSERT_EQUAL(timer_queue_next(&q), 200);
    timer_add(&q, &b, 400);
    CU_ASSERT_EQUAL(timer_queue_next(&q), 300);
    timer_add(&q, &b, 5);                    /* sooner */
    CU_ASSERT_EQUAL(timer_queue_next(&q), 5);
    CU_ASSERT_EQUAL(timer_queue_check(&q), 0);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 1000), 2);   /* each once */
    CU_ASSERT_EQUAL(fired[0], 2);
    CU_ASSERT_EQUAL(fired[1], 1);
}

static void test_delete(void)
{
    struct timer a, b, c;

    reset();
    timer_init(&a, record, (void *)1, 0);
    timer_init(&b, record, (void *)2, 0);
    timer_init(&c, record, (void *)3, 0);
    timer_add(&q, &a, 10);
    timer_add(&q, &b, 20);
    timer_add(&q, &c, 30);
    CU_ASSERT_TRUE(timer_del(&q, &a));
    CU_ASSERT_FALSE(timer_del(&q, &a));
    CU_ASSERT_FALSE(timer_active(&a));
    CU_ASSERT_EQUAL(timer_queue_next(&q), 20);
    CU_ASSERT_TRUE(timer_del(&q, &c));
    CU_ASSERT_EQUAL(timer_queue_check(&q), 0);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 100), 1);
    CU_ASSERT_EQUAL(fired[0], 2);
}

/* A periodic timer: re-arms itself, even with a deadline already past. */
struct periodic {
    struct timer t;
    uint64_t period;
    unsigned runs;
};

static void periodic_fn(void *data)
{
    struct periodic *p = data;
    p->runs++;
    timer_add(&q, &p->t, p->t.expires + p->period);
}

static void test_periodic_rearm_not_run_twice_per_call(void)
{
    struct periodic p = { .period = 10 };

    reset();
    timer_init(&p.t, periodic_fn, &p, 0);
    timer_add(&q, &p.t, 10);
    /* Very late: the re-armed deadline (20) is already past, yet one run per call. */
    CU_ASSERT_EQUAL(timer_queue_run(&q, 1000), 1);
    CU_ASSERT_EQUAL(p.runs, 1);
    CU_ASSERT_TRUE(timer_active(&p.t));
    CU_ASSERT_EQUAL(timer_queue_next(&q), 20);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 1000), 1);
    CU_ASSERT_EQUAL(p.runs, 2);
    CU_ASSERT_EQUAL(timer_queue_next(&q), 30);
}

/* Callbacks that change other due timers during the same run. */
static struct timer victim, mover, spawned, killer, resched;

static void kill_victim(void *data)
{
    (void)data;
    fired[nfired++] = 100;
    CU_ASSERT_TRUE(timer_del(&q, &victim));
    timer_add(&q, &mover, 5000);
    timer_add(&q, &spawned, 1);              /* already due: next call */
}

static void test_callbacks_change_due_timers(void)
{
    reset();
    timer_init(&killer, kill_victim, NULL, 0);
    timer_init(&victim, record, (void *)1, 0);
    timer_init(&mover, record, (void *)2, 0);
    timer_init(&spawned, record, (void *)3, 0);
    timer_add(&q, &killer, 10);
    timer_add(&q, &victim, 20);
    timer_add(&q, &mover, 30);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 100), 1);
    CU_ASSERT_EQUAL(nfired, 1);
    CU_ASSERT_FALSE(timer_active(&victim));
    CU_ASSERT_TRUE(timer_active(&mover));
    CU_ASSERT_EQUAL(timer_queue_check(&q), 0);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 100), 1);   /* spawned */
    CU_ASSERT_EQUAL(fired[1], 3);
    CU_ASSERT_EQUAL(timer_queue_next(&q), 5000);
}

static void resched_self_earlier(void *data)
{
    (void)data;
    fired[nfired++] = 9;
    /* Re-arming the due-but-not-yet-run 'victim' moves it out of this run. */
    timer_add(&q, &victim, 60);
}

static void test_rearm_of_due_timer_defers_it(void)
{
    reset();
    timer_init(&resched, resched_self_earlier, NULL, 0);
    timer_init(&victim, record, (void *)1, 0);
    timer_add(&q, &resched, 10);
    timer_add(&q, &victim, 20);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 50), 1);
    CU_ASSERT_EQUAL(timer_queue_next(&q), 60);
    CU_ASSERT_EQUAL(timer_queue_run(&q, 60), 1);
    CU_ASSERT_EQUAL(fired[1], 1);
}

static void test_capacity(void)
{
    static struct timer t[TIMER_QUEUE_MAX + 1];

    reset();
    for (int i = 0; i < TIMER_QUEUE_MAX; i++) {
        timer_init(&t[i], record, (void *)(intptr_t)i, 0);
        CU_ASSERT_EQUAL_FATAL(timer_add(&q, &t[i], (uint64_t)(TIMER_QUEUE_MAX - i)), 0);
    }
    timer_init(&t[TIMER_QUEUE_MAX], record, NULL, 0);
    CU_ASSERT_EQUAL(timer_add(&q, &t[TIMER_QUEUE_MAX], 1), -ENOSPC);
    CU_ASSERT_FALSE(timer_active(&t[TIMER_QUEUE_MAX]));
    CU_ASSERT_EQUAL(timer_add(&q, &t[0], 0), 0);    /* moving one is fine when full */
    CU_ASSERT_EQUAL(timer_queue_check(&q), 0);
    CU_ASSERT_EQUAL(timer_queue_run(&q, UINT64_MAX), TIMER_QUEUE_MAX);
    CU_ASSERT_EQUAL(fired[0], 0);
    CU_ASSERT_EQUAL(fired[1], TIMER_QUEUE_MAX - 1);
}

/* Random operations against a model: which timers are armed, and when. */
#define NT 300
static struct timer mt[NT];
static uint64_t model_when[NT];
static bool model_armed[NT];
static uint64_t model_seq[NT], seq_counter;
static int run_log[NT], nrun;

static void model_record(void *data)
{
    run_log[nrun++] = (int)(intptr_t)data;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_random_against_model(void)
{
    uint64_t now = 0;
    unsigned failures = 0;

    reset();
    memset(model_armed, 0, sizeof(model_armed));
    for (int i = 0; i < NT; i++)
        timer_init(&mt[i], model_record, (void *)(intptr_t)i, 0);
    for (int op = 0; op < 50000; op++) {
        int i = (int)(rnd() % NT);
        unsigned what = (unsigned)(rnd() % 10);
        if (what < 6) {
            uint64_t when = now + rnd() % 1000;
            timer_add(&q, &mt[i], when);
            model_armed[i] = true;
            model_when[i] = when;
            model_seq[i] = seq_counter++;
        } else if (what < 8) {
            if (timer_del(&q, &mt[i]) != model_armed[i])
                failures++;
            model_armed[i] = false;
        } else {
            now += rnd() % 300;
            /* Expected: the armed ones due by now, by (deadline, arming order). */
            int expect[NT], n = 0;
            for (int k = 0; k < NT; k++)
                if (model_armed[k] && model_when[k] <= now)
                    expect[n++] = k;
            for (int a = 1; a < n; a++)
                for (int b = a; b > 0; b--) {
                    int x = expect[b - 1], y = expect[b];
                    if (model_when[x] > model_when[y] ||
                        (model_when[x] == model_when[y] && model_seq[x] > model_seq[y])) {
                        expect[b - 1] = y;
                        expect[b] = x;
                    }
                }
            nrun = 0;
            if ((int)timer_queue_run(&q, now) != n || nrun != n ||
                memcmp(run_log, expect, (size_t)n * sizeof(int)) != 0)
                failures++;
            for (int k = 0; k < n; k++)
                model_armed[expect[k]] = false;
        }
        uint64_t next = UINT64_MAX;
        for (int k = 0; k < NT; k++)
            if (model_armed[k] && model_when[k] < next)
                next = model_when[k];
        if (timer_queue_next(&q) != next || timer_queue_check(&q) != 0)
            failures++;
        for (int k = 0; k < NT; k += 37)
            if (timer_active(&mt[k]) != model_armed[k])
                failures++;
    }
    CU_ASSERT_EQUAL(failures, 0);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(empty_queue),
        UNIT_CASE(single_timer_fires_at_deadline),
        UNIT_CASE(deadline_order_and_fifo_ties),
        UNIT_CASE(re_add_moves_timer),
        UNIT_CASE(delete),
        UNIT_CASE(periodic_rearm_not_run_twice_per_call),
        UNIT_CASE(callbacks_change_due_timers),
        UNIT_CASE(rearm_of_due_timer_defers_it),
        UNIT_CASE(capacity),
        UNIT_CASE(random_against_model),
    };

    unit_begin();
    UNIT_SUITE("timer", cases);
    return unit_end();
}
