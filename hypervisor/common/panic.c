/* panic(): report and stop. */
#include <tessera/arch.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/panic.h>

void panic(const char *fmt, ...)
{
    char msg[LOG_MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vformat(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_emergency("PANIC on CPU %u: %s", arch_cpu_id(), msg);
    arch_panic_halt();
}
