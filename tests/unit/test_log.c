/* common/log.c and common/panic.c, with the console captured by the arch stubs. */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/panic.h>
#include <tessera/spinlock.h>
#include "arch_stubs.h"
#include "unit.h"

static void fresh(void)
{
    log_reset();
    stub_console_reset();
    stub_now_ns = 0;
    stub_cpu_id = 0;
}

static void test_line_has_timestamp_prefix(void)
{
    fresh();
    stub_now_ns = 1234567890ull;
    log_info("hello %d", 7);
    CU_ASSERT_STRING_EQUAL(stub_console, "[   1.234567] hello 7\n");
    stub_console_reset();
    stub_now_ns = 98765ull * 1000000000ull + 5000;
    log_err("late");
    CU_ASSERT_STRING_EQUAL(stub_console, "[98765.000005] late\n");
}

static void test_threshold_drops_lower_levels(void)
{
    fresh();
    CU_ASSERT_EQUAL(log_get_level(), LOG_INFO);
    log_debug("hidden");
    CU_ASSERT_STRING_EQUAL(stub_console, "");
    log_set_level(LOG_DEBUG);
    log_debug("shown");
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] shown\n");
    stub_console_reset();
    log_set_level(LOG_ERR);
    log_warn("no");
    log_info("no");
    log_err("yes");
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] yes\n");
}

static void test_set_level_clamps(void)
{
    fresh();
    log_set_level(99);
    CU_ASSERT_EQUAL(log_get_level(), LOG_DEBUG);
    log_set_level(-5);
    CU_ASSERT_EQUAL(log_get_level(), LOG_ERR);
}

static void test_parse_level_names_and_numbers(void)
{
    CU_ASSERT_EQUAL(log_parse_level("err"), LOG_ERR);
    CU_ASSERT_EQUAL(log_parse_level("warn"), LOG_WARN);
    CU_ASSERT_EQUAL(log_parse_level("info"), LOG_INFO);
    CU_ASSERT_EQUAL(log_parse_level("debug"), LOG_DEBUG);
    CU_ASSERT_EQUAL(log_parse_level("all"), LOG_DEBUG);
    CU_ASSERT_EQUAL(log_parse_level("0"), 0);
    CU_ASSERT_EQUAL(log_parse_level("3"), 3);
    CU_ASSERT_EQUAL(log_parse_level("4"), -EINVAL);
    CU_ASSERT_EQUAL(log_parse_level("x"), -EINVAL);
    CU_ASSERT_EQUAL(log_parse_level("info "), -EINVAL);
    CU_ASSERT_EQUAL(log_parse_level(""), -EINVAL);
    CU_ASSERT_EQUAL(log_parse_level(NULL), -EINVAL);
    fresh();
    CU_ASSERT_EQUAL(log_set_level_str("warn"), 0);
    CU_ASSERT_EQUAL(log_get_level(), LOG_WARN);
    CU_ASSERT_EQUAL(log_set_level_str("bogus"), -EINVAL);
    CU_ASSERT_EQUAL(log_get_level(), LOG_WARN);
}

static void test_multiline_message_prefixes_each_line(void)
{
    fresh();
    log_info("one\ntwo\n\nfour\n");
    CU_ASSERT_STRING_EQUAL(stub_console,
        "[   0.000000] one\n[   0.000000] two\n[   0.000000] \n[   0.000000] four\n");
    stub_console_reset();
    log_info("%s", "");
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] \n");
}

static void test_long_message_is_cut_with_ellipsis(void)
{
    char big[2000];

    fresh();
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    log_info("%s", big);
    CU_ASSERT_EQUAL(stub_console_len, 14 + LOG_MSG_MAX - 1 + 1);
    CU_ASSERT_STRING_EQUAL(stub_console + stub_console_len - 4, "...\n");
}

static void test_ring_read_returns_log_text(void)
{
    char buf[256];
    size_t off = 0, n;

    fresh();
    log_info("first");
    log_info("second");
    n = log_read(buf, sizeof(buf) - 1, &off);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "[   0.000000] first\n[   0.000000] second\n");
    CU_ASSERT_EQUAL(off, n);
    CU_ASSERT_EQUAL(log_read(buf, sizeof(buf), &off), 0);
    log_info("third");
    n = log_read(buf, sizeof(buf) - 1, &off);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "[   0.000000] third\n");
}

/* A control domain's console bytes: shown as they are, not kept in the ring. */
static void test_raw_bytes_have_no_prefix_and_stay_out_of_the_ring(void)
{
    char buf[64];
    size_t off = 0, n;

    fresh();
    log_info("before");
    log_raw("# ", 2);
    log_raw("ls\r\n", 4);
    log_set_level(LOG_ERR);        /* raw output ignores the threshold */
    log_raw("x", 1);
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] before\n# ls\r\nx");
    n = log_read(buf, sizeof(buf) - 1, &off);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "[   0.000000] before\n");
}

/* Console-only lines: prefixed and filtered as any, absent from the ring. */
static void test_console_only_lines_stay_out_of_the_ring(void)
{
    char buf[128];
    size_t off = 0, n;

    fresh();
    log_console_printf(LOG_INFO, "(d0) hello");
    log_info("kept");
    log_console_printf(LOG_DEBUG, "(d0) too detailed");
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] (d0) hello\n[   0.000000] kept\n");
    n = log_read(buf, sizeof(buf) - 1, &off);
    buf[n] = '\0';
    CU_ASSERT_STRING_EQUAL(buf, "[   0.000000] kept\n");
}

static void test_ring_read_in_small_pieces(void)
{
    char whole[128] = "", piece[8];
    size_t off = 0, n;

    fresh();
    log_info("abcdefghijklmnopqrstuvwxyz");
    while ((n = log_read(piece, sizeof(piece), &off)) > 0)
        strncat(whole, piece, n);
    CU_ASSERT_STRING_EQUAL(whole, "[   0.000000] abcdefghijklmnopqrstuvwxyz\n");
}

static void test_ring_keeps_only_the_newest_16k(void)
{
    static char buf[LOG_RING_SIZE + 100];
    size_t off = 0, n;

    fresh();
    for (int i = 0; i < 2000; i++)     /* 2000 lines of 24 bytes: 48000 bytes */
        log_info("line %05d", i);
    n = log_read(buf, sizeof(buf), &off);
    CU_ASSERT_EQUAL(n, LOG_RING_SIZE);
    CU_ASSERT_EQUAL(off, 2000u * 25u);
    buf[n] = '\0';
    CU_ASSERT_PTR_NOT_NULL(strstr(buf, "] line 01999\n"));
    CU_ASSERT_PTR_NULL(strstr(buf, "] line 01000\n"));
    CU_ASSERT_EQUAL(memcmp(buf + n - 25, "[   0.000000] line 01999\n", 25), 0);
    /* An offset from the future is clamped to the present. */
    off = 1u << 30;
    CU_ASSERT_EQUAL(log_read(buf, sizeof(buf), &off), 0);
    CU_ASSERT_EQUAL(off, 2000u * 25u);
}

static void test_log_restores_interrupt_state(void)
{
    fresh();
    stub_irqs_off = false;
    log_info("x");
    CU_ASSERT_FALSE(stub_irqs_off);
    stub_irqs_off = true;
    log_info("y");
    CU_ASSERT_TRUE(stub_irqs_off);
    stub_irqs_off = false;
}

/* An "exception" that logs while this CPU is in the middle of printing. */
static void nested_log(void)
{
    log_err("nested");
}

static void test_nested_log_on_same_cpu_does_not_deadlock(void)
{
    fresh();
    stub_console_hook = nested_log;
    log_info("outer");
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "nested\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "outer"));
    /* The lock is free again: a later line prints normally. */
    stub_console_reset();
    log_info("after");
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] after\n");
}

/*
 * An NMI arrives while this CPU waits for the log lock held by another
 * CPU, and the NMI handler logs: once the other CPU lets go, both lines
 * must print (no self-deadlock on this CPU's place in the queue).
 */
static volatile int holder_inside, holder_release;

static void holder_blocks(void)
{
    holder_inside = 1;
    while (!holder_release)
        sched_yield();
}

static void *holder_thread(void *arg)
{
    (void)arg;
    stub_cpu_id = 1;
    stub_console_hook = holder_blocks;
    log_info("holder");
    return NULL;
}

static void nmi_logs(void)
{
    holder_release = 1;
    log_err("from nmi");
}

static void alarm_fail(int sig)
{
    (void)sig;
    fprintf(stderr, "log deadlocked waiting for its lock\n");
    _exit(3);
}

static void test_nmi_while_waiting_for_lock(void)
{
    pthread_t t;

    fresh();
    holder_inside = holder_release = 0;
    pthread_create(&t, NULL, holder_thread, NULL);
    while (!holder_inside)
        sched_yield();
    signal(SIGALRM, alarm_fail);
    alarm(10);
    stub_cpu_id = 2;
    stub_relax_hook = nmi_logs;
    log_info("waiter");
    alarm(0);
    pthread_join(t, NULL);
    stub_cpu_id = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "] holder\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "] from nmi\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "] waiter\n"));
    CU_ASSERT_PTR_NULL(stub_relax_hook);       /* the NMI really happened while waiting */
}

#define LOG_THREADS 4
#define LOG_LINES   300

static void *log_worker(void *arg)
{
    stub_cpu_id = (unsigned)(uintptr_t)arg;
    for (int i = 0; i < LOG_LINES; i++)
        log_info("cpu%u message %04d with some padding text to make it long", stub_cpu_id, i);
    return NULL;
}

static void test_lines_from_cpus_never_interleave(void)
{
    pthread_t t[LOG_THREADS];

    fresh();
    for (unsigned i = 0; i < LOG_THREADS; i++)
        pthread_create(&t[i], NULL, log_worker, (void *)(uintptr_t)(i + 1));
    for (unsigned i = 0; i < LOG_THREADS; i++)
        pthread_join(t[i], NULL);

    unsigned lines = 0, bad = 0, next[LOG_THREADS + 1] = { 0 };
    for (char *line = stub_console; *line;) {
        char *nl = strchr(line, '\n');
        unsigned cpu, idx;
        int used = 0;
        *nl = '\0';
        if (sscanf(line, "[   0.000000] cpu%u message %04u with some padding text to make it long%n",
                   &cpu, &idx, &used) != 2 || line[used] != '\0' || cpu < 1 || cpu > LOG_THREADS ||
            idx != next[cpu]++)
            bad++;
        lines++;
        line = nl + 1;
    }
    CU_ASSERT_EQUAL(lines, LOG_THREADS * LOG_LINES);
    CU_ASSERT_EQUAL(bad, 0);
}

static void test_panic_prints_and_halts(void)
{
    fresh();
    stub_cpu_id = 3;
    log_set_level(LOG_ERR);
    unsigned before = stub_panic_count;
    if (setjmp(stub_panic_jmp) == 0) {
        stub_panic_armed = true;
        panic("disk %s on fire (%d)", "sda", 2);
        CU_FAIL("panic returned");
    }
    CU_ASSERT_EQUAL(stub_panic_count, before + 1);
    CU_ASSERT_STRING_EQUAL(stub_console, "[   0.000000] PANIC on CPU 3: disk sda on fire (2)\n");
    stub_cpu_id = 0;
}

static void test_bug_on_panics_with_location(void)
{
    fresh();
    if (setjmp(stub_panic_jmp) == 0) {
        stub_panic_armed = true;
        BUG_ON(1 + 1 == 2);
        CU_FAIL("BUG_ON returned");
    }
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "PANIC on CPU 0: BUG at "));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "test_log.c"));
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "1 + 1 == 2"));
    BUG_ON(0);     /* false: nothing happens */
}

/*
 * Another CPU died while printing: CPU 1 holds the log lock (its console
 * write never returns) when CPU 2 panics. The panic must still print,
 * after a bounded wait. Runs last: the lock stays held afterwards, as it
 * would on the machine.
 */
static void panic_on_cpu2(void)
{
    stub_cpu_id = 2;
    panic("stuck");
}

static void test_emergency_prints_despite_stuck_lock(void)
{
    fresh();
    stub_cpu_id = 1;
    stub_relax_advance_ns = 1000000;   /* each spin "takes" 1 ms */
    if (setjmp(stub_panic_jmp) == 0) {
        stub_panic_armed = true;
        stub_console_hook = panic_on_cpu2;
        log_info("cpu1 printing");
        CU_FAIL("no panic happened");
    }
    stub_relax_advance_ns = 0;
    stub_cpu_id = 0;
    CU_ASSERT_PTR_NOT_NULL(strstr(stub_console, "PANIC on CPU 2: stuck\n"));
    CU_ASSERT(stub_now_ns >= 100000000ull);   /* it waited ~100 ms first */
}

int main(void)
{
    static const struct unit_case cases[] = {
        UNIT_CASE(line_has_timestamp_prefix),
        UNIT_CASE(threshold_drops_lower_levels),
        UNIT_CASE(set_level_clamps),
        UNIT_CASE(parse_level_names_and_numbers),
        UNIT_CASE(multiline_message_prefixes_each_line),
        UNIT_CASE(long_message_is_cut_with_ellipsis),
        UNIT_CASE(ring_read_returns_log_text),
        UNIT_CASE(ring_read_in_small_pieces),
        UNIT_CASE(raw_bytes_have_no_prefix_and_stay_out_of_the_ring),
        UNIT_CASE(console_only_lines_stay_out_of_the_ring),
        UNIT_CASE(ring_keeps_only_the_newest_16k),
        UNIT_CASE(log_restores_interrupt_state),
        UNIT_CASE(nested_log_on_same_cpu_does_not_deadlock),
        UNIT_CASE(nmi_while_waiting_for_lock),
        UNIT_CASE(lines_from_cpus_never_interleave),
        UNIT_CASE(panic_prints_and_halts),
        UNIT_CASE(bug_on_panics_with_location),
        UNIT_CASE(emergency_prints_despite_stuck_lock),
    };

    unit_begin();
    UNIT_SUITE("log", cases);
    return unit_end();
}
