/*
 * The fuzzers' view of their input: bytes taken one at a time from the
 * front, zeros once it runs out (so every input is a whole run).
 */
#ifndef TESSERA_FUZZ_INPUT_H
#define TESSERA_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input {
    const uint8_t *p;
    size_t left;
};

static inline uint8_t next(struct input *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

/* Four bytes, most significant first. */
static inline uint32_t next32(struct input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | next(in);
    return v;
}

#endif
