#ifndef ASM_M2P_H
#define ASM_M2P_H

#include <stdbool.h>
#include <stdint.h>

#define M2P_INVALID (~0ull)   /* the entry of a frame no guest owns */

/* Allocate and map the table for machine frames 0 .. nr_frames-1. */
int m2p_init(uint64_t nr_frames);
void m2p_set(uint64_t mfn, uint64_t pfn);
uint64_t m2p_get(uint64_t mfn);
uint64_t m2p_nr_entries(void);
/* The machine frames holding the table (contiguous). */
void m2p_frames(uint64_t *first_mfn, uint64_t *nr_frames);
/* Whether mfn is one of the table's own frames. */
bool m2p_frame(uint64_t mfn);

#endif
