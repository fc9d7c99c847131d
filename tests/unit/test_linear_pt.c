/*
 * Linear page-table counts (hypervisor/arch/x86/pv/linear_pt.c): Xen's rule
 * that a table either holds linear entries or is named by them, never
 * both, and the open-addressing table behind it, checked against a plain
 * array model through long random sequences of gets and puts (growth and
 * the backward-shift removal included).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <asm/linear_pt.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include "unit.h"

static long live_allocs;

void *xmalloc_array(size_t n, size_t size)
{
    void *p = n && size > SIZE_MAX / n ? NULL : malloc(n * size);
    if (p)
        live_allocs++;
    return p;
}

void xfree(void *p)
{
    if (p)
        live_allocs--;
    free(p);
}

static void test_rule(void)
{
    struct pv_linear_table t = { 0 };
    CU_ASSERT_EQUAL(linear_pt_count(&t, 5), 0);
    CU_ASSERT_EQUAL(linear_pt_get(&t, 1, 2), 0);        /* 1 names 2 */
    CU_ASSERT_EQUAL(linear_pt_count(&t, 1), 1);
    CU_ASSERT_EQUAL(linear_pt_count(&t, 2), -1);
    CU_ASSERT_EQUAL(linear_pt_get(&t, 2, 3), -EINVAL);  /* 2 is named: no entries of its own */
    CU_ASSERT_EQUAL(linear_pt_get(&t, 3, 1), -EINVAL);  /* 1 has entries: cannot be named */
    CU_ASSERT_EQUAL(linear_pt_get(&t, 2, 1), -EINVAL);  /* the cycle */
    CU_ASSERT_EQUAL(linear_pt_get(&t, 1, 3), 0);        /* more entries in 1 */
    CU_ASSERT_EQUAL(linear_pt_get(&t, 4, 2), 0);        /* 2 named twice */
    CU_ASSERT_EQUAL(linear_pt_count(&t, 2), -2);
    linear_pt_put(&t, 1, 2);
    linear_pt_put(&t, 4, 2);
    CU_ASSERT_EQUAL(linear_pt_count(&t, 2), 0);
    CU_ASSERT_EQUAL(linear_pt_get(&t, 2, 5), 0);        /* no longer named: may name others */
    linear_pt_put(&t, 2, 5);
    linear_pt_put(&t, 1, 3);
    CU_ASSERT_EQUAL(t.used, 0);
    linear_pt_free(&t);
    CU_ASSERT_EQUAL(live_allocs, 0);
}

/* Frames 0..N-1 with clustered numbers (many collide in the hash). */
#define N 300
static int32_t model[N];

static uint64_t frame(unsigned i)
{
    return 0x100000ull + (uint64_t)i * 4096;   /* a stride that stresses the hash */
}

struct pair { unsigned a, b; };

static void test_random_against_model(void)
{
    struct pv_linear_table t = { 0 };
    static struct pair live[20000];
    unsigned nlive = 0;
    uint64_t seed = 12345;

    memset(model, 0, sizeof(model));
    for (unsigned step = 0; step < 200000; step++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        unsigned r = (unsigned)(seed >> 33);
        if ((r & 3) != 0 && nlive < 20000) {
            unsigned a = (r >> 2) % N, b = (r >> 12) % N;
            if (a == b)
                continue;
            bool allowed = model[a] >= 0 && model[b] <= 0;
            int rc = linear_pt_get(&t, frame(a), frame(b));
            CU_ASSERT_EQUAL_FATAL(rc, allowed ? 0 : -EINVAL);
            if (!rc) {
                model[a]++;
                model[b]--;
                live[nlive++] = (struct pair){ a, b };
            }
        } else if (nlive) {
            unsigned k = (r >> 2) % nlive;
            linear_pt_put(&t, frame(live[k].a), frame(live[k].b));
            model[live[k].a]--;
            model[live[k].b]++;
            live[k] = live[--nlive];
        }
        if (step % 997 == 0) {
            unsigned nonzero = 0;
            for (unsigned i = 0; i < N; i++) {
                CU_ASSERT_EQUAL_FATAL(linear_pt_count(&t, frame(i)), model[i]);
                nonzero += model[i] != 0;
            }
            CU_ASSERT_EQUAL_FATAL(t.used, nonzero);
        }
    }
    while (nlive) {
        nlive--;
        linear_pt_put(&t, frame(live[nlive].a), frame(live[nlive].b));
    }
    CU_ASSERT_EQUAL(t.used, 0);
    for (unsigned i = 0; i < N; i++)
        CU_ASSERT_EQUAL(linear_pt_count(&t, frame(i)), 0);
    linear_pt_free(&t);
    CU_ASSERT_EQUAL(live_allocs, 0);
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(rule),
        UNIT_CASE(random_against_model),
    };
    unit_begin();
    UNIT_SUITE("linear_pt", cases);
    return unit_end();
}
