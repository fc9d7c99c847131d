/* tessera/spinlock.h with host threads standing in for CPUs. */
#include <pthread.h>
#include <sched.h>
#include <tessera/spinlock.h>
#include "arch_stubs.h"
#include "unit.h"

static void test_lock_unlock_single_thread(void)
{
    spinlock_t l = SPINLOCK_INIT;

    CU_ASSERT_FALSE(spin_is_locked(&l));
    spin_lock(&l);
    CU_ASSERT_TRUE(spin_is_locked(&l));
    spin_unlock(&l);
    CU_ASSERT_FALSE(spin_is_locked(&l));
    spin_lock(&l);
    spin_unlock(&l);
    CU_ASSERT_FALSE(spin_is_locked(&l));
}

static void test_trylock_fails_when_held(void)
{
    spinlock_t l;

    spin_lock_init(&l);
    CU_ASSERT_TRUE(spin_trylock(&l));
    CU_ASSERT_FALSE(spin_trylock(&l));
    spin_unlock(&l);
    CU_ASSERT_TRUE(spin_trylock(&l));
    spin_unlock(&l);
    CU_ASSERT_FALSE(spin_is_locked(&l));
}

static void test_irqsave_disables_and_restores(void)
{
    spinlock_t l = SPINLOCK_INIT;

    stub_irqs_off = false;
    unsigned long flags = spin_lock_irqsave(&l);
    CU_ASSERT_TRUE(stub_irqs_off);
    CU_ASSERT_TRUE(spin_is_locked(&l));
    spin_unlock_irqrestore(&l, flags);
    CU_ASSERT_FALSE(stub_irqs_off);
    CU_ASSERT_FALSE(spin_is_locked(&l));

    /* Nested inside an already-disabled section, restore keeps them off. */
    stub_irqs_off = true;
    flags = spin_lock_irqsave(&l);
    spin_unlock_irqrestore(&l, flags);
    CU_ASSERT_TRUE(stub_irqs_off);
    stub_irqs_off = false;
}

static void test_wraparound_of_tickets(void)
{
    spinlock_t l = { UINT32_MAX - 1, UINT32_MAX - 1 };

    for (int i = 0; i < 4; i++) {
        CU_ASSERT_FALSE(spin_is_locked(&l));
        spin_lock(&l);
        CU_ASSERT_FALSE(spin_trylock(&l));
        spin_unlock(&l);
    }
    CU_ASSERT_EQUAL(l.serving, 2);
}

/* A non-atomic read-modify-write that only a working lock keeps exact. */
#define THREADS 4
#define ROUNDS  20000
static spinlock_t counter_lock = SPINLOCK_INIT;
static volatile unsigned long counter;
static volatile int inside;
static volatile int overlap_seen;

static void *hammer(void *arg)
{
    bool use_try = arg != NULL;

    for (int i = 0; i < ROUNDS; i++) {
        if (use_try) {
            while (!spin_trylock(&counter_lock))
                arch_cpu_relax();
        } else {
            spin_lock(&counter_lock);
        }
        if (inside++)
            overlap_seen = 1;
        unsigned long v = counter;
        counter = v + 1;
        inside--;
        spin_unlock(&counter_lock);
    }
    return NULL;
}

static void test_mutual_exclusion_with_threads(void)
{
    pthread_t t[THREADS];

    counter = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, hammer, (i % 2) ? (void *)1 : NULL);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(counter, (unsigned long)THREADS * ROUNDS);
    CU_ASSERT_FALSE(overlap_seen);
    CU_ASSERT_FALSE(spin_is_locked(&counter_lock));
}

/* Tickets are served in order: a waiter queued first gets the lock first. */
static spinlock_t fifo_lock = SPINLOCK_INIT;
static volatile int order[2], order_n;

static void *fifo_waiter(void *arg)
{
    spin_lock(&fifo_lock);
    order[order_n++] = (int)(intptr_t)arg;
    spin_unlock(&fifo_lock);
    return NULL;
}

static void test_waiters_served_in_ticket_order(void)
{
    pthread_t a, b;

    order_n = 0;
    spin_lock(&fifo_lock);
    pthread_create(&a, NULL, fifo_waiter, (void *)1);
    while (__atomic_load_n(&fifo_lock.next, __ATOMIC_ACQUIRE) != fifo_lock.serving + 2)
        sched_yield();
    pthread_create(&b, NULL, fifo_waiter, (void *)2);
    while (__atomic_load_n(&fifo_lock.next, __ATOMIC_ACQUIRE) != fifo_lock.serving + 3)
        sched_yield();
    spin_unlock(&fifo_lock);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    CU_ASSERT_EQUAL(order_n, 2);
    CU_ASSERT_EQUAL(order[0], 1);
    CU_ASSERT_EQUAL(order[1], 2);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(lock_unlock_single_thread),
        UNIT_CASE(trylock_fails_when_held),
        UNIT_CASE(irqsave_disables_and_restores),
        UNIT_CASE(wraparound_of_tickets),
        UNIT_CASE(mutual_exclusion_with_threads),
        UNIT_CASE(waiters_served_in_ticket_order),
    };

    unit_begin();
    UNIT_SUITE("spinlock", cases);
    return unit_end();
}
