/* Word-at-a-time bitmap searches and counts. */
#include <tessera/bitmap.h>

/*
 * Finds the first bit >= start that is set in (word ^ invert), scanning a
 * word at a time; 'invert' turns the search for zeros into one for ones.
 */
static size_t find_next(const unsigned long *map, size_t nbits, size_t start,
                        unsigned long invert)
{
    if (start >= nbits)
        return nbits;

    size_t i = start / BITS_PER_LONG;
    unsigned long word = (map[i] ^ invert) & (~0UL << (start % BITS_PER_LONG));

    while (!word) {
        if (++i >= BITS_TO_LONGS(nbits))
            return nbits;
        word = map[i] ^ invert;
    }
    size_t bit = i * BITS_PER_LONG + (size_t)__builtin_ctzl(word);
    return bit < nbits ? bit : nbits;
}

size_t bitmap_find_next_set(const unsigned long *map, size_t nbits, size_t start)
{
    return find_next(map, nbits, start, 0);
}

size_t bitmap_find_first_set(const unsigned long *map, size_t nbits)
{
    return find_next(map, nbits, 0, 0);
}

size_t bitmap_find_next_zero(const unsigned long *map, size_t nbits, size_t start)
{
    return find_next(map, nbits, start, ~0UL);
}

size_t bitmap_find_first_zero(const unsigned long *map, size_t nbits)
{
    return find_next(map, nbits, 0, ~0UL);
}

/*
 * Without -mpopcnt, __builtin_popcountl becomes a libgcc call, which the
 * hypervisor does not link: count bits by hand instead.
 */
static size_t popcount_word(unsigned long w)
{
    w = w - ((w >> 1) & 0x5555555555555555UL);
    w = (w & 0x3333333333333333UL) + ((w >> 2) & 0x3333333333333333UL);
    w = (w + (w >> 4)) & 0x0F0F0F0F0F0F0F0FUL;
    return (size_t)((w * 0x0101010101010101UL) >> 56);
}

size_t bitmap_weight(const unsigned long *map, size_t nbits)
{
    size_t full = nbits / BITS_PER_LONG, count = 0;

    for (size_t i = 0; i < full; i++)
        count += popcount_word(map[i]);
    if (nbits % BITS_PER_LONG)
        count += popcount_word(map[full] & (bitmap_mask(nbits) - 1));
    return count;
}

void bitmap_zero(unsigned long *map, size_t nbits)
{
    for (size_t i = 0; i < BITS_TO_LONGS(nbits); i++)
        map[i] = 0;
}

void bitmap_fill(unsigned long *map, size_t nbits)
{
    for (size_t i = 0; i < BITS_TO_LONGS(nbits); i++)
        map[i] = ~0UL;
}
