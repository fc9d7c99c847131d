#ifndef ASM_SERIAL_H
#define ASM_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COM1_PORT 0x3F8

/* Program the UART at port; if none answers there, output goes to 0xE9 only. */
void serial_init(uint16_t port, unsigned baud);
/* Mirror console output to the emulator debug port 0xE9 or not. */
void serial_set_debugcon(bool on);
/* A received byte, or -1 if none is waiting. */
int serial_getc(void);
/* The UART's base port, 0 when only the debug console is used. */
uint16_t serial_base_port(void);

#endif
