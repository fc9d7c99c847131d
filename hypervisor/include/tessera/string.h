/*
 * String and memory functions for the hypervisor (lib/string.c) and the
 * number parsers used by the command line.
 *
 * The memory functions keep their C library names because the compiler
 * emits calls to memcpy, memmove, memset and memcmp on its own (structure
 * copies, zeroing) even in freestanding code. Host unit tests compile the
 * hypervisor's copies under other names (tests/unit/stubs/hv_names.h).
 */
#ifndef TESSERA_STRING_H
#define TESSERA_STRING_H

#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/*
 * Makes n bytes at p zero, writing only the 4 KiB blocks (from p on) that
 * are not zero already. Clearing frames this way leaves RAM nothing ever
 * wrote untouched: a host that virtualises this machine (QEMU, any VM host)
 * then does not have to back it, where a write would make it allocate and
 * clear a page (a dom0 of 512 MiB cleared in 1.0-3.3 s under QEMU with
 * memset, 0.5-0.64 s this way).
 */
void memclear_sparse(void *p, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/*
 * Copies at most size-1 bytes of src and NUL-terminates dst when size > 0.
 * Returns strlen(src), so a result >= size means the copy was truncated.
 */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * Parses an unsigned number at s: decimal, or hexadecimal after "0x"/"0X".
 * *end (if end is not NULL) is set to the first character not consumed.
 * Returns 0, -EINVAL when there is no digit (then *end = s), or -ERANGE when
 * the value does not fit in 64 bits (the whole number is still consumed).
 */
int parse_u64(const char *s, const char **end, uint64_t *out);

/*
 * parse_u64 followed by an optional binary suffix, either case:
 * K (2^10), M (2^20), G (2^30), T (2^40). "512M" is 536870912.
 * Returns -ERANGE when the scaled value overflows.
 */
int parse_size(const char *s, const char **end, uint64_t *out);

#endif
