/*
 * Memory and string functions. Byte loops, kept simple: the hypervisor
 * copies little outside page copies, which get their own routines.
 */
#include <tessera/string.h>

/*
 * GCC recognises these loops as memcpy/memset idioms and would turn the
 * bodies into calls to themselves; stop it for this file only.
 */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_IDIOM
#endif

/* Portable; an architecture may provide faster strong versions (x86: arch/x86/string.S). */
__attribute__((weak)) NO_IDIOM void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    while (n--)
        *d++ = *s++;
    return dst;
}

NO_IDIOM void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;

    /* Compare as integers: the regions may belong to different objects. */
    if ((uintptr_t)d <= (uintptr_t)s || (uintptr_t)d >= (uintptr_t)s + n) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}

__attribute__((weak)) NO_IDIOM void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;

    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

#define CLEAR_BLOCK 4096u

static int all_zero(const unsigned char *p, size_t n)
{
    size_t i = 0;

    /* Whole words where alignment allows, so the common case reads 8 bytes a step. */
    for (; i < n && ((uintptr_t)(p + i) & 7); i++)
        if (p[i])
            return 0;
    for (; i + 8 <= n; i += 8)
        if (*(const uint64_t *)(const void *)(p + i))
            return 0;
    for (; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

void memclear_sparse(void *p, size_t n)
{
    unsigned char *d = p;

    while (n) {
        size_t chunk = CLEAR_BLOCK - ((uintptr_t)d & (CLEAR_BLOCK - 1));
        if (chunk > n)
            chunk = n;
        if (!all_zero(d, chunk))
            memset(d, 0, chunk);
        d += chunk;
        n -= chunk;
    }
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;

    for (; n; n--, x++, y++)
        if (*x != *y)
            return *x < *y ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    while (*x && *x == *y)
        x++, y++;
    return (*x > *y) - (*x < *y);
}

int strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *x = (const unsigned char *)a;
    const unsigned char *y = (const unsigned char *)b;

    for (; n; n--, x++, y++) {
        if (*x != *y)
            return *x < *y ? -1 : 1;
        if (!*x)
            break;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}
