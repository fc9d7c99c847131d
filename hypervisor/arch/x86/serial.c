/*
 * 16550 UART on COM1, polled. Usable from the very first C instruction:
 * it needs no memory set-up, so it doubles as the early console.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/serial.h>

#define UART_THR 0   /* transmit holding (write) */
#define UART_RBR 0   /* receive buffer (read) */
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define UART_DLL 0
#define UART_DLM 1

#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY  0x20
#define LCR_DLAB       0x80

#define UART_CLOCK     115200

static uint16_t serial_port;
/* Port 0xE9 is the QEMU/Bochs debug console; harmless elsewhere if unused. */
static bool debugcon_enabled = true;

void serial_init(uint16_t port, unsigned baud)
{
    unsigned divisor = baud ? UART_CLOCK / baud : 1;

    outb(port + UART_SCR, 0x5A);
    if (inb(port + UART_SCR) != 0x5A) {
        serial_port = 0;   /* no UART here: keep only the debug console */
        return;
    }
    outb(port + UART_IER, 0);
    outb(port + UART_LCR, LCR_DLAB);
    outb(port + UART_DLL, divisor & 0xFF);
    outb(port + UART_DLM, divisor >> 8);
    outb(port + UART_LCR, 0x03);          /* 8N1 */
    outb(port + UART_FCR, 0x07);          /* FIFOs on and cleared */
    outb(port + UART_MCR, 0x03);          /* DTR, RTS */
    serial_port = port;
}

void serial_set_debugcon(bool on)
{
    debugcon_enabled = on;
}

static void serial_putc(char c)
{
    if (!serial_port)
        return;
    for (unsigned spins = 0; spins < 1000000; spins++)
        if (inb(serial_port + UART_LSR) & LSR_THR_EMPTY)
            break;
    outb(serial_port + UART_THR, (uint8_t)c);
}

void arch_console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        if (debugcon_enabled)
            outb(0xE9, (uint8_t)s[i]);
    }
}

uint16_t serial_base_port(void)
{
    return serial_port;
}

int serial_getc(void)
{
    if (!serial_port || !(inb(serial_port + UART_LSR) & LSR_DATA_READY))
        return -1;
    return inb(serial_port + UART_RBR);
}
