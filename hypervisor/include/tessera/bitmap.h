/*
 * Bitmaps of any number of bits, stored in arrays of unsigned long (bit n
 * is bit n % BITS_PER_LONG of word n / BITS_PER_LONG). The plain
 * operations are not atomic; the *_atomic ones may race with each other on
 * other CPUs. Searches return 'nbits' when nothing is found. Bits at or
 * past 'nbits' in the last word are ignored by searches and counts.
 */
#ifndef TESSERA_BITMAP_H
#define TESSERA_BITMAP_H

#include <stdbool.h>
#include <stddef.h>

#define BITS_PER_LONG    (8 * sizeof(unsigned long))
#define BITS_TO_LONGS(n) (((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, nbits) unsigned long name[BITS_TO_LONGS(nbits)]

static inline unsigned long bitmap_mask(size_t bit)
{
    return 1UL << (bit % BITS_PER_LONG);
}

static inline void bitmap_set(unsigned long *map, size_t bit)
{
    map[bit / BITS_PER_LONG] |= bitmap_mask(bit);
}

static inline void bitmap_clear(unsigned long *map, size_t bit)
{
    map[bit / BITS_PER_LONG] &= ~bitmap_mask(bit);
}

static inline bool bitmap_test(const unsigned long *map, size_t bit)
{
    return map[bit / BITS_PER_LONG] & bitmap_mask(bit);
}

/* Sets the bit; returns its previous value. */
static inline bool bitmap_test_and_set(unsigned long *map, size_t bit)
{
    bool old = bitmap_test(map, bit);
    bitmap_set(map, bit);
    return old;
}

static inline bool bitmap_test_and_clear(unsigned long *map, size_t bit)
{
    bool old = bitmap_test(map, bit);
    bitmap_clear(map, bit);
    return old;
}

/* Sequentially consistent: these also order the memory accesses around them. */
static inline void bitmap_set_atomic(unsigned long *map, size_t bit)
{
    __atomic_fetch_or(&map[bit / BITS_PER_LONG], bitmap_mask(bit), __ATOMIC_SEQ_CST);
}

static inline void bitmap_clear_atomic(unsigned long *map, size_t bit)
{
    __atomic_fetch_and(&map[bit / BITS_PER_LONG], ~bitmap_mask(bit), __ATOMIC_SEQ_CST);
}

static inline bool bitmap_test_atomic(const unsigned long *map, size_t bit)
{
    return __atomic_load_n(&map[bit / BITS_PER_LONG], __ATOMIC_ACQUIRE) & bitmap_mask(bit);
}

static inline bool bitmap_test_and_set_atomic(unsigned long *map, size_t bit)
{
    return __atomic_fetch_or(&map[bit / BITS_PER_LONG], bitmap_mask(bit),
                             __ATOMIC_SEQ_CST) & bitmap_mask(bit);
}

static inline bool bitmap_test_and_clear_atomic(unsigned long *map, size_t bit)
{
    return __atomic_fetch_and(&map[bit / BITS_PER_LONG], ~bitmap_mask(bit),
                              __ATOMIC_SEQ_CST) & bitmap_mask(bit);
}

void bitmap_zero(unsigned long *map, size_t nbits);
void bitmap_fill(unsigned long *map, size_t nbits);
size_t bitmap_find_first_set(const unsigned long *map, size_t nbits);
size_t bitmap_find_next_set(const unsigned long *map, size_t nbits, size_t start);
size_t bitmap_find_first_zero(const unsigned long *map, size_t nbits);
size_t bitmap_find_next_zero(const unsigned long *map, size_t nbits, size_t start);
size_t bitmap_weight(const unsigned long *map, size_t nbits);

#endif
