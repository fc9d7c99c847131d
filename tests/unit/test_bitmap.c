/* lib/bitmap.c and tessera/bitmap.h, checked against a bool-array model. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <tessera/bitmap.h>
#include "unit.h"

#define NBITS 300

static void test_set_clear_test_across_words(void)
{
    DECLARE_BITMAP(map, NBITS);

    bitmap_zero(map, NBITS);
    size_t bits[] = { 0, 1, 63, 64, 65, 127, 128, 255, 299 };
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        CU_ASSERT_FALSE(bitmap_test(map, bits[i]));
        bitmap_set(map, bits[i]);
        CU_ASSERT_TRUE(bitmap_test(map, bits[i]));
    }
    CU_ASSERT_EQUAL(bitmap_weight(map, NBITS), 9);
    CU_ASSERT_EQUAL(map[1], (1UL << 0) | (1UL << 1) | (1UL << 63));
    bitmap_clear(map, 64);
    CU_ASSERT_FALSE(bitmap_test(map, 64));
    CU_ASSERT_TRUE(bitmap_test(map, 65));
    CU_ASSERT_EQUAL(bitmap_weight(map, NBITS), 8);
}

static void test_test_and_set_returns_old_value(void)
{
    DECLARE_BITMAP(map, 70);

    bitmap_zero(map, 70);
    CU_ASSERT_FALSE(bitmap_test_and_set(map, 69));
    CU_ASSERT_TRUE(bitmap_test_and_set(map, 69));
    CU_ASSERT_TRUE(bitmap_test_and_clear(map, 69));
    CU_ASSERT_FALSE(bitmap_test_and_clear(map, 69));
    CU_ASSERT_FALSE(bitmap_test_and_set_atomic(map, 3));
    CU_ASSERT_TRUE(bitmap_test_and_set_atomic(map, 3));
    CU_ASSERT_TRUE(bitmap_test_atomic(map, 3));
    CU_ASSERT_TRUE(bitmap_test_and_clear_atomic(map, 3));
    CU_ASSERT_FALSE(bitmap_test_and_clear_atomic(map, 3));
    bitmap_set_atomic(map, 40);
    CU_ASSERT_TRUE(bitmap_test(map, 40));
    bitmap_clear_atomic(map, 40);
    CU_ASSERT_FALSE(bitmap_test(map, 40));
}

static void test_find_on_empty_and_full(void)
{
    DECLARE_BITMAP(map, NBITS);

    bitmap_zero(map, NBITS);
    CU_ASSERT_EQUAL(bitmap_find_first_set(map, NBITS), NBITS);
    CU_ASSERT_EQUAL(bitmap_find_first_zero(map, NBITS), 0);
    CU_ASSERT_EQUAL(bitmap_find_next_zero(map, NBITS, 299), 299);
    bitmap_fill(map, NBITS);
    CU_ASSERT_EQUAL(bitmap_find_first_zero(map, NBITS), NBITS);
    CU_ASSERT_EQUAL(bitmap_find_next_set(map, NBITS, 299), 299);
    CU_ASSERT_EQUAL(bitmap_weight(map, NBITS), NBITS);
}

static void test_bits_past_the_end_are_ignored(void)
{
    DECLARE_BITMAP(map, 70);

    /* bitmap_fill sets the whole last word, including bits 70..127. */
    bitmap_zero(map, 70);
    map[1] = ~0UL << 6;        /* only bits >= 70 */
    CU_ASSERT_EQUAL(bitmap_find_first_set(map, 70), 70);
    CU_ASSERT_EQUAL(bitmap_weight(map, 70), 0);
    bitmap_fill(map, 70);
    CU_ASSERT_EQUAL(bitmap_weight(map, 70), 70);
    CU_ASSERT_EQUAL(bitmap_find_next_zero(map, 70, 0), 70);
}

static void test_start_past_end(void)
{
    DECLARE_BITMAP(map, 64);

    bitmap_fill(map, 64);
    CU_ASSERT_EQUAL(bitmap_find_next_set(map, 64, 64), 64);
    CU_ASSERT_EQUAL(bitmap_find_next_set(map, 64, 1000), 64);
    CU_ASSERT_EQUAL(bitmap_find_next_zero(map, 64, 64), 64);
    CU_ASSERT_EQUAL(bitmap_find_first_set(map, 0), 0);
}

static unsigned long long rng = 12345;
static unsigned rnd(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng >> 33);
}

static void test_random_against_model(void)
{
    for (size_t nbits = 1; nbits < 200; nbits += 7) {
        unsigned long map[BITS_TO_LONGS(200)];
        bool model[200];

        bitmap_zero(map, nbits);
        memset(model, 0, sizeof(model));
        for (int op = 0; op < 400; op++) {
            size_t bit = rnd() % nbits;
            if (rnd() % 2) {
                bitmap_set(map, bit);
                model[bit] = true;
            } else {
                bitmap_clear(map, bit);
                model[bit] = false;
            }
            size_t start = rnd() % (nbits + 2);
            size_t want_set = nbits, want_zero = nbits, weight = 0;
            for (size_t i = start; i < nbits; i++)
                if (model[i]) { want_set = i; break; }
            for (size_t i = start; i < nbits; i++)
                if (!model[i]) { want_zero = i; break; }
            for (size_t i = 0; i < nbits; i++)
                weight += model[i];
            CU_ASSERT_EQUAL(bitmap_find_next_set(map, nbits, start), want_set);
            CU_ASSERT_EQUAL(bitmap_find_next_zero(map, nbits, start), want_zero);
            CU_ASSERT_EQUAL(bitmap_weight(map, nbits), weight);
            CU_ASSERT_EQUAL(bitmap_test(map, bit), model[bit]);
        }
    }
}

/* Threads race to claim the same bits: each bit must be claimed exactly once. */
#define CLAIM_BITS 4096
static unsigned long claim_map[BITS_TO_LONGS(CLAIM_BITS)];
static unsigned claims_won[4];

static void *claimer(void *arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;

    for (size_t bit = 0; bit < CLAIM_BITS; bit++)
        if (!bitmap_test_and_set_atomic(claim_map, bit))
            claims_won[id]++;
    return NULL;
}

static void test_atomic_test_and_set_races(void)
{
    pthread_t t[4];

    bitmap_zero(claim_map, CLAIM_BITS);
    for (unsigned i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, claimer, (void *)(uintptr_t)i);
    for (unsigned i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    CU_ASSERT_EQUAL(claims_won[0] + claims_won[1] + claims_won[2] + claims_won[3], CLAIM_BITS);
    CU_ASSERT_EQUAL(bitmap_weight(claim_map, CLAIM_BITS), CLAIM_BITS);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(set_clear_test_across_words),
        UNIT_CASE(test_and_set_returns_old_value),
        UNIT_CASE(find_on_empty_and_full),
        UNIT_CASE(bits_past_the_end_are_ignored),
        UNIT_CASE(start_past_end),
        UNIT_CASE(random_against_model),
        UNIT_CASE(atomic_test_and_set_races),
    };

    unit_begin();
    UNIT_SUITE("bitmap", cases);
    return unit_end();
}
