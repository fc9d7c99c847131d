/*
 * Small language helpers shared by all hypervisor code. Only compiler
 * builtins: this header is used both freestanding and in host unit tests.
 */
#ifndef TESSERA_COMPILER_H
#define TESSERA_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The structure of type 'type' whose member 'member' is at 'ptr'. */
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

/* 'a' must be a power of two; the result has the type of 'x'. */
#define ALIGN_UP(x, a)   (((x) + ((__typeof__(x))(a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) ((((x) & ((__typeof__(x))(a) - 1))) == 0)
#define IS_POWER_OF_2(x) ((x) != 0 && (((x) & ((x) - 1)) == 0))

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Fails the build when 'cond' is true (Linux's sense, not assert's). */
#define BUILD_BUG_ON(cond) _Static_assert(!(cond), "BUILD_BUG_ON(" #cond ")")

#define MIN(a, b) ({ __typeof__(a) _min_a = (a); __typeof__(b) _min_b = (b); \
                     _min_a < _min_b ? _min_a : _min_b; })
#define MAX(a, b) ({ __typeof__(a) _max_a = (a); __typeof__(b) _max_b = (b); \
                     _max_a > _max_b ? _max_a : _max_b; })

#define __noreturn   __attribute__((noreturn))
#define __printf(f, a) __attribute__((format(printf, f, a)))
#define __unused     __attribute__((unused))

#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

#endif
