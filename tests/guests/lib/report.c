/*
 * Test verdicts: worst result wins (SUCCESS < SKIP < ERROR < FAILURE), and
 * "Test result: X" is the last line the kernel prints before shutting down.
 */
#include "guest.h"

static enum test_result result = RESULT_SUCCESS;
static const char *const result_names[] = { "SUCCESS", "SKIP", "ERROR", "FAILURE" };

static void note(enum test_result r, const char *kind, const char *fmt, va_list ap)
{
    char buf[400];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    printk("%s: %s\n", kind, buf);
    if (r > result)
        result = r;
}

void test_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note(RESULT_FAILURE, "Failure", fmt, ap);
    va_end(ap);
}

void test_skip(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note(RESULT_SKIP, "Skip", fmt, ap);
    va_end(ap);
}

void test_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note(RESULT_ERROR, "Error", fmt, ap);
    va_end(ap);
}

enum test_result test_current_result(void)
{
    return result;
}

void guest_finish(void)
{
    guest_finish_shutdown(SHUTDOWN_poweroff);
}

void guest_finish_shutdown(unsigned int reason)
{
    struct sched_shutdown shutdown = { .reason = reason };

    printk("Test result: %s\n", result_names[result]);
    hyp_sched_op(SCHEDOP_shutdown, &shutdown);
    /* Still here: the hypervisor refused. Stay out of the way. */
    for (;;)
        hyp_sched_op(SCHEDOP_yield, NULL);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    note(RESULT_ERROR, "PANIC", fmt, ap);
    va_end(ap);
    guest_finish();
}
