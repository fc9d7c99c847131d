/*
 * Ticket spinlocks: CPUs get the lock in the order they asked for it, so
 * none starves under contention. Not recursive. The _irqsave forms also
 * disable interrupts on this CPU, for locks an interrupt handler takes too.
 */
#ifndef TESSERA_SPINLOCK_H
#define TESSERA_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/arch.h>

typedef struct {
    uint32_t serving;   /* ticket now holding the lock; written by the holder */
    uint32_t next;      /* next ticket to hand out */
} spinlock_t;

#define SPINLOCK_INIT { 0, 0 }

static inline void spin_lock_init(spinlock_t *lock)
{
    __atomic_store_n(&lock->serving, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&lock->next, 0, __ATOMIC_RELAXED);
}

static inline void spin_lock(spinlock_t *lock)
{
    uint32_t ticket = __atomic_fetch_add(&lock->next, 1, __ATOMIC_RELAXED);

    while (__atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE) != ticket)
        arch_cpu_relax();
}

/*
 * Takes the lock only if nobody holds it or waits for it. Taking ticket
 * 'serving' when next == serving is the same as finding the lock free:
 * serving cannot move while the lock is free.
 */
static inline bool spin_trylock(spinlock_t *lock)
{
    uint32_t serving = __atomic_load_n(&lock->serving, __ATOMIC_ACQUIRE);
    uint32_t expected = serving;

    return __atomic_compare_exchange_n(&lock->next, &expected, serving + 1, false,
                                       __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void spin_unlock(spinlock_t *lock)
{
    uint32_t mine = __atomic_load_n(&lock->serving, __ATOMIC_RELAXED);

    __atomic_store_n(&lock->serving, mine + 1, __ATOMIC_RELEASE);
}

static inline bool spin_is_locked(spinlock_t *lock)
{
    return __atomic_load_n(&lock->serving, __ATOMIC_RELAXED) !=
           __atomic_load_n(&lock->next, __ATOMIC_RELAXED);
}

/* Returns the interrupt state to hand back to spin_unlock_irqrestore. */
static inline unsigned long spin_lock_irqsave(spinlock_t *lock)
{
    unsigned long flags = arch_irq_save();

    spin_lock(lock);
    return flags;
}

static inline void spin_unlock_irqrestore(spinlock_t *lock, unsigned long flags)
{
    spin_unlock(lock);
    arch_irq_restore(flags);
}

#endif
