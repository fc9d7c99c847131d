#ifndef ASM_POWER_H
#define ASM_POWER_H

#include <stdbool.h>

/*
 * With debug_exit on (the "debug_exit" boot option), power-off and panic
 * end an emulator directly: QEMU's isa-debug-exit device on port 0xF4
 * (QEMU exits with status (code << 1) | 1) and Bochs's shutdown port.
 */
extern bool debug_exit_enabled;

#define DEBUG_EXIT_POWEROFF 0   /* QEMU exits with 1 */
#define DEBUG_EXIT_PANIC    1   /* QEMU exits with 3 */

void machine_poweroff(void) __attribute__((noreturn));
void machine_reboot(void) __attribute__((noreturn));
/* Halt this CPU for good, interrupts off. */
void cpu_stop(void) __attribute__((noreturn));

#endif
