#include "arch_stubs.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tessera/arch.h>

char stub_console[1 << 20];
size_t stub_console_len;
uint64_t stub_now_ns;
__thread unsigned int stub_cpu_id;
__thread bool stub_irqs_off;
jmp_buf stub_panic_jmp;
bool stub_panic_armed;
unsigned stub_panic_count;
void (*stub_console_hook)(void);

void stub_console_reset(void)
{
    stub_console_len = 0;
    stub_console[0] = '\0';
}

void arch_console_write(const char *s, size_t len)
{
    size_t room = sizeof(stub_console) - 1 - stub_console_len;
    size_t n = len < room ? len : room;

    memcpy(stub_console + stub_console_len, s, n);
    stub_console_len += n;
    stub_console[stub_console_len] = '\0';
    if (getenv("UNIT_ECHO"))
        fwrite(s, 1, len, stderr);
    if (stub_console_hook) {
        void (*hook)(void) = stub_console_hook;
        stub_console_hook = NULL;       /* one nested call, not a recursion */
        hook();
    }
}

unsigned long arch_irq_save(void)
{
    unsigned long was_off = stub_irqs_off;
    stub_irqs_off = true;
    return was_off;
}

void arch_irq_restore(unsigned long flags)
{
    stub_irqs_off = flags != 0;
}

uint64_t stub_relax_advance_ns;
__thread void (*stub_relax_hook)(void);

void arch_cpu_relax(void)
{
    if (stub_relax_hook) {
        void (*hook)(void) = stub_relax_hook;
        stub_relax_hook = NULL;
        hook();
    }
    if (stub_relax_advance_ns)
        __atomic_fetch_add(&stub_now_ns, stub_relax_advance_ns, __ATOMIC_RELAXED);
    /* Host threads may outnumber cores: let the lock holder run. */
    sched_yield();
}

unsigned int arch_cpu_id(void)
{
    return stub_cpu_id;
}

uint64_t arch_now_ns(void)
{
    return stub_now_ns;
}

void arch_panic_halt(void)
{
    stub_panic_count++;
    if (stub_panic_armed) {
        stub_panic_armed = false;
        longjmp(stub_panic_jmp, 1);
    }
    fprintf(stderr, "unexpected panic; console:\n%s\n", stub_console);
    abort();
}

__thread unsigned stub_preempt_every;
__thread unsigned stub_continuations;
__thread unsigned stub_continuation_op;
__thread uint64_t stub_continuation_args[5];
static __thread unsigned preempt_checks;

bool arch_hypercall_preempt_check(void)
{
    return stub_preempt_every && ++preempt_checks % stub_preempt_every == 0;
}

long arch_hypercall_create_continuation(unsigned int op, unsigned int nargs, const uint64_t *args)
{
    stub_continuations++;
    stub_continuation_op = op;
    for (unsigned i = 0; i < 5; i++)
        stub_continuation_args[i] = i < nargs ? args[i] : 0;
    return (long)op;
}
