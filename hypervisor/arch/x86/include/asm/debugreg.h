/* The x86 debug registers: their bits, and moves to and from them. */
#ifndef ASM_DEBUGREG_H
#define ASM_DEBUGREG_H

#include <stdint.h>

#define DR6_DEFAULT        0xffff0ff0ull   /* what DR6 holds with nothing to report */
#define DR6_RESERVED_ONE   0xffff0ff0ull   /* bits 4-11 and 16-31 read as one */
#define DR6_WRITABLE       0xffffefffull   /* bit 12 and the upper half read as zero */
#define DR6_HITS           0xfull          /* B0-B3: which breakpoint fired */

#define DR7_DEFAULT        0x400ull
#define DR7_RESERVED_ONE   0x400ull        /* bit 10 */
#define DR7_WRITABLE       0xffff27ffull   /* bits 11-12, 14-15 and the upper half are zero */
#define DR7_GENERAL_DETECT 0x2000ull
#define DR7_ENABLES        0xffull         /* L0/G0 .. L3/G3: any set arms DR7 */
#define DR7_RW_SHIFT(n)    (16 + 4 * (n))  /* each breakpoint's R/W field (2 bits) */
#define DR7_RW_EXECUTE     0u
#define DR7_RW_IO          2u

#define DEBUGREG_ACCESSORS(n)                                                  \
    static inline uint64_t read_dr##n(void)                                    \
    {                                                                          \
        uint64_t v;                                                            \
        __asm__ volatile("mov %%db" #n ", %0" : "=r"(v));                      \
        return v;                                                              \
    }                                                                          \
    static inline void write_dr##n(uint64_t v)                                 \
    {                                                                          \
        __asm__ volatile("mov %0, %%db" #n :: "r"(v));                         \
    }
DEBUGREG_ACCESSORS(0)
DEBUGREG_ACCESSORS(1)
DEBUGREG_ACCESSORS(2)
DEBUGREG_ACCESSORS(3)
DEBUGREG_ACCESSORS(6)
DEBUGREG_ACCESSORS(7)
#undef DEBUGREG_ACCESSORS

#endif
