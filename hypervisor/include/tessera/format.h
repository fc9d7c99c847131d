/*
 * printf-style formatting into a buffer, with snprintf's contract: the
 * result is the length the full output would have had, and the buffer is
 * always NUL-terminated when size > 0.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%; length modifiers hh h l ll z
 * t j; flags - 0 + space #; width and precision, either may be '*'.
 * %s of NULL prints "(null)", %p of NULL prints "(nil)" (as glibc does, so
 * the differential tests can compare byte for byte). An unknown conversion
 * is copied to the output as written. No floating point. Widths and
 * precisions are capped at 100000 (a guard against "%*d" with a huge
 * argument, not a limit any real output reaches).
 */
#ifndef TESSERA_FORMAT_H
#define TESSERA_FORMAT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
int format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Where the formatter takes its arguments from. vformat reads a va_list;
 * the fuzzer supplies values from its input instead, which a va_list
 * cannot do. 'bits' is the argument's width (32 or 64) and the result is
 * zero- or sign-extended according to 'is_signed'.
 */
struct format_args {
    uint64_t (*next_int)(struct format_args *args, unsigned bits, int is_signed);
    const void *(*next_ptr)(struct format_args *args);
};

int format_args(char *buf, size_t size, const char *fmt, struct format_args *args);

#endif
