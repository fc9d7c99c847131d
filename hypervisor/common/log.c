/*
 * The log: timestamped lines to the consoles and to a ring buffer (what
 * readconsole reads). The control domain's own console output goes to the
 * consoles only, as Xen keeps its hardware domain's out of its ring.
 *
 * Locking: one spinlock serialises output so lines from different CPUs do
 * not interleave. A CPU that faults while printing and logs from its
 * exception handler would deadlock on that lock, so the lock records its
 * owner CPU and a nested call on the owner prints without taking it.
 */
#include <stdbool.h>
#include <tessera/arch.h>
#include <tessera/errno.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

#define NO_OWNER UINT32_MAX
/*
 * How long log_emergency waits for a lock held by another CPU: long enough
 * for that CPU to finish a line on a slow serial port, bounded by the
 * clock and, before the clock runs, by a count of spins.
 */
#define EMERGENCY_WAIT_NS 100000000u
#define EMERGENCY_SPINS   10000000u

static spinlock_t log_lock = SPINLOCK_INIT;
static uint32_t log_owner = NO_OWNER;       /* [atomic] CPU holding log_lock */
static int log_level = LOG_INFO;            /* [atomic] */

static char ring[LOG_RING_SIZE];            /* [log_lock] */
static size_t ring_head;                    /* [log_lock] bytes ever written */

_Static_assert((LOG_RING_SIZE & (LOG_RING_SIZE - 1)) == 0, "ring size must be a power of two");

static void ring_append(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        ring[(ring_head + i) & (LOG_RING_SIZE - 1)] = s[i];
    ring_head += len;
}

static void emit(const char *s, size_t len, bool to_ring)
{
    arch_console_write(s, len);
    if (to_ring)
        ring_append(s, len);
}

/* Writes msg as prefixed lines. The caller holds the output. */
static void emit_lines(const char *prefix, const char *msg, bool to_ring)
{
    size_t plen = strlen(prefix);

    for (const char *line = msg;;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);

        emit(prefix, plen, to_ring);
        emit(line, len, to_ring);
        emit("\n", 1, to_ring);
        if (!nl)
            break;
        line = nl + 1;
        if (!*line)
            break;
    }
}

enum hold { HOLD_LOCK, HOLD_NESTED, HOLD_FORCED };

static enum hold output_begin(bool emergency)
{
    uint32_t me = arch_cpu_id();

    if (__atomic_load_n(&log_owner, __ATOMIC_ACQUIRE) == me)
        return HOLD_NESTED;
    if (!emergency) {
        /*
         * trylock, not a ticket: an NMI that logs while this CPU waits
         * here must not queue behind the ticket its own CPU is holding.
         */
        while (!spin_trylock(&log_lock))
            arch_cpu_relax();
    } else {
        uint64_t start = arch_now_ns();
        unsigned spins = 0;
        while (!spin_trylock(&log_lock)) {
            if (++spins == EMERGENCY_SPINS || arch_now_ns() - start > EMERGENCY_WAIT_NS)
                return HOLD_FORCED;
            arch_cpu_relax();
        }
    }
    __atomic_store_n(&log_owner, me, __ATOMIC_RELEASE);
    return HOLD_LOCK;
}

static void output_end(enum hold hold)
{
    if (hold != HOLD_LOCK)
        return;
    __atomic_store_n(&log_owner, NO_OWNER, __ATOMIC_RELEASE);
    spin_unlock(&log_lock);
}

static void log_emit(const char *fmt, va_list ap, bool emergency, bool to_ring)
{
    char msg[LOG_MSG_MAX], prefix[32];
    uint64_t ns = arch_now_ns();

    if (vformat(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
        memcpy(msg + sizeof(msg) - 4, "...", 4);
    format(prefix, sizeof(prefix), "[%4llu.%06llu] ",
           (unsigned long long)(ns / 1000000000u),
           (unsigned long long)(ns % 1000000000u / 1000u));

    unsigned long flags = arch_irq_save();
    enum hold hold = output_begin(emergency);
    emit_lines(prefix, msg, to_ring);
    output_end(hold);
    arch_irq_restore(flags);
}

void log_raw(const char *s, size_t len)
{
    unsigned long flags = arch_irq_save();
    enum hold hold = output_begin(false);
    emit(s, len, false);
    output_end(hold);
    arch_irq_restore(flags);
}

void log_vprintf(int level, const char *fmt, va_list ap)
{
    if (level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
        return;
    log_emit(fmt, ap, false, true);
}

void log_console_printf(int level, const char *fmt, ...)
{
    va_list ap;

    if (level > __atomic_load_n(&log_level, __ATOMIC_RELAXED))
        return;
    va_start(ap, fmt);
    log_emit(fmt, ap, false, false);
    va_end(ap);
}

void log_printf(int level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}

void log_emergency(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_emit(fmt, ap, true, true);
    va_end(ap);
}

void log_set_level(int level)
{
    if (level < LOG_ERR)
        level = LOG_ERR;
    if (level > LOG_DEBUG)
        level = LOG_DEBUG;
    __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

int log_get_level(void)
{
    return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

static const char *const level_names[] = { "err", "warn", "info", "debug" };

int log_parse_level(const char *value)
{
    const char *end;
    uint64_t n;

    if (!value)
        return -EINVAL;
    for (int i = 0; i <= LOG_DEBUG; i++)
        if (strcmp(value, level_names[i]) == 0)
            return i;
    if (strcmp(value, "all") == 0)
        return LOG_DEBUG;
    if (parse_u64(value, &end, &n) == 0 && *end == '\0' && n <= LOG_DEBUG)
        return (int)n;
    return -EINVAL;
}

int log_set_level_str(const char *value)
{
    int level = log_parse_level(value);

    if (level < 0)
        return level;
    log_set_level(level);
    return 0;
}

size_t log_read(char *buf, size_t size, size_t *offset)
{
    unsigned long flags = arch_irq_save();
    enum hold hold = output_begin(false);
    size_t oldest = ring_head > LOG_RING_SIZE ? ring_head - LOG_RING_SIZE : 0;
    size_t from = *offset, n;

    if (from < oldest)
        from = oldest;
    if (from > ring_head)
        from = ring_head;
    n = ring_head - from;
    if (n > size)
        n = size;
    for (size_t i = 0; i < n; i++)
        buf[i] = ring[(from + i) & (LOG_RING_SIZE - 1)];
    *offset = from + n;
    output_end(hold);
    arch_irq_restore(flags);
    return n;
}

void log_reset(void)
{
    unsigned long flags = arch_irq_save();
    enum hold hold = output_begin(false);

    ring_head = 0;
    log_level = LOG_INFO;
    output_end(hold);
    arch_irq_restore(flags);
}
