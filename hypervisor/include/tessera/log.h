/*
 * The hypervisor's log: every line goes to the consoles (arch_console_write)
 * with a timestamp prefix "[   1.234567] " and into a 16 KiB ring buffer
 * that log_read serves to a later dmesg. Lines above the threshold level
 * are dropped entirely. Safe from any CPU and from exception handlers.
 */
#ifndef TESSERA_LOG_H
#define TESSERA_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <tessera/compiler.h>

#define LOG_ERR   0
#define LOG_WARN  1
#define LOG_INFO  2
#define LOG_DEBUG 3

#define LOG_RING_SIZE 16384u
/* A longer message (all its lines together, without prefixes) is cut here. */
#define LOG_MSG_MAX   512u

/*
 * Logs the message as one or more lines (embedded newlines start a new
 * prefixed line; a final newline is added if missing). Lines of one call
 * are never interleaved with another CPU's.
 */
void log_printf(int level, const char *fmt, ...) __printf(2, 3);
void log_vprintf(int level, const char *fmt, va_list ap) __printf(2, 0);

/*
 * As log_printf, to the consoles only: not kept in the ring (readconsole,
 * `tl dmesg`), as Xen keeps its hardware domain's console output out of its
 * ring; a control domain's own log read back to it is only noise.
 */
void log_console_printf(int level, const char *fmt, ...) __printf(2, 3);

/*
 * Writes bytes as they are, with no prefix and no line handling, whatever
 * the threshold, to the consoles only: a control domain's console output
 * when it is passed through (dom0_console_raw), so its shell's prompt and
 * echo show at once.
 */
void log_raw(const char *s, size_t len);

#define log_err(...)   log_printf(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)

/*
 * For panic and fatal exception reports: prints whatever the threshold,
 * and takes the log lock only if it can within a bounded wait, so a CPU
 * that died holding it cannot silence the report.
 */
void log_emergency(const char *fmt, ...) __printf(1, 2);

/* Threshold: messages with level <= it are printed. Default LOG_INFO. */
void log_set_level(int level);
int log_get_level(void);

/*
 * Parses a loglvl= value: err|warn|info|debug|all or 0-3. Returns the
 * level or -EINVAL. log_set_level_str also applies it (a cmdline OPT_CUSTOM
 * handler).
 */
int log_parse_level(const char *value);
int log_set_level_str(const char *value);

/*
 * Copies log text from the ring buffer, starting at byte *offset of the
 * whole log's history (0 = the beginning), into buf (no NUL added).
 * Advances *offset past what was copied and returns the byte count, 0 when
 * there is nothing newer. Text already overwritten is skipped: *offset
 * jumps to the oldest byte still held.
 */
size_t log_read(char *buf, size_t size, size_t *offset);

/* Forget everything (unit tests); the level is reset to LOG_INFO. */
void log_reset(void);

#endif
