/* Fatal errors. */
#ifndef TESSERA_PANIC_H
#define TESSERA_PANIC_H

#include <tessera/compiler.h>

/*
 * Logs "PANIC on CPU n: <message>" at LOG_ERR (printed whatever the level)
 * and stops the machine through arch_panic_halt(). A panic while another
 * CPU holds the log lock still prints (after a bounded wait).
 */
void panic(const char *fmt, ...) __noreturn __printf(1, 2);

/* Always-on check, for states that must never happen. */
#define BUG_ON(cond) do { \
        if (unlikely(cond)) \
            panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond); \
    } while (0)

#endif
