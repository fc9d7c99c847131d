/*
 * The boot CPU's console prompt: a few commands to look at a running
 * Tessera and to power it off, read from COM1 by polling at each timer
 * tick. One table is the source of every command's name and help.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/cpufeatures.h>
#include <asm/percpu.h>
#include <asm/power.h>
#include <asm/serial.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/timers.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/format.h>
#include <tessera/log.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

#define SHELL_POLL_NS  20000000ull
#define LINE_MAX       80

struct shell_command {
    const char *name;
    const char *help;
    void (*run)(void);
};

static void cmd_help(void);

/* Command output goes straight to the console: no log prefix, not in dmesg. */
static void __printf(1, 2) shell_print(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vformat(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        arch_console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
}

static void cmd_cpus(void)
{
    shell_print("%u of %u CPUs online (%s %s)\n", nr_cpus_online,
               acpi.nr_cpus ? acpi.nr_cpus : 1, boot_cpu_features.vendor,
               boot_cpu_features.brand);
    for (unsigned i = 0; i < MAX_CPUS; i++) {
        struct percpu *c = percpu_table[i];
        if (c)
            shell_print("  CPU %u: APIC id %u, %s, %lu interrupts\n", c->index,
                       c->apic_id, c->online ? "online" : "offline",
                       (unsigned long)c->irq_count);
    }
}

static void cmd_mem(void)
{
    shell_print("RAM %lu MiB, free %lu MiB\n", (unsigned long)(total_ram_bytes >> 20),
               (unsigned long)(free_memory_bytes() >> 20));
}

static void cmd_uptime(void)
{
    uint64_t ms = arch_now_ns() / 1000000;
    shell_print("up %lu.%03lu s (ready after %lu ms)\n", (unsigned long)(ms / 1000),
               (unsigned long)(ms % 1000), (unsigned long)(boot_ready_ns / 1000000));
}

static void cmd_dmesg(void)
{
    char chunk[256];
    size_t offset = 0, n;
    /* Print the ring as it is now; the copy itself adds no log lines. */
    while ((n = log_read(chunk, sizeof(chunk), &offset)) > 0)
        arch_console_write(chunk, n);
}

static void cmd_poweroff(void) { machine_poweroff(); }
static void cmd_reboot(void)   { machine_reboot(); }

static const struct shell_command commands[] = {
    { "help",     "list the commands",                 cmd_help },
    { "cpus",     "CPUs and their interrupt counts",   cmd_cpus },
    { "mem",      "memory in use and free",            cmd_mem },
    { "uptime",   "time since boot",                   cmd_uptime },
    { "dmesg",    "the hypervisor's recent log",       cmd_dmesg },
    { "poweroff", "switch the machine off",            cmd_poweroff },
    { "reboot",   "reset the machine",                 cmd_reboot },
};

static void cmd_help(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        shell_print("  %-9s %s\n", commands[i].name, commands[i].help);
}

static char line[LINE_MAX];
static size_t line_len;
static struct timer poll_timer;

static void prompt(void)
{
    arch_console_write("tessera> ", 9);
}

static void run_line(void)
{
    if (line_len == 0)
        return;
    line[line_len] = '\0';
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strcmp(line, commands[i].name) == 0) {
            commands[i].run();
            return;
        }
    }
    shell_print("unknown command '%s'; try 'help'\n", line);
}

static void shell_poll(void)
{
    int c;
    while ((c = serial_getc()) >= 0) {
        if (c == '\r' || c == '\n') {
            arch_console_write("\n", 1);
            run_line();
            line_len = 0;
            prompt();
        } else if ((c == 0x7F || c == 0x08) && line_len > 0) {
            line_len--;
            arch_console_write("\b \b", 3);
        } else if (c >= 0x20 && c < 0x7F && line_len < LINE_MAX - 1) {
            line[line_len++] = (char)c;
            arch_console_write((const char *)&line[line_len - 1], 1);
        }
    }
}

static void poll_tick(void *data)
{
    (void)data;
    timer_set(&poll_timer, arch_now_ns() + SHELL_POLL_NS);
}

void shell_start(void)
{
    shell_print("Type 'help' for commands.\n");
    prompt();
    timer_init(&poll_timer, poll_tick, NULL, 0);
    timer_set(&poll_timer, arch_now_ns() + SHELL_POLL_NS);
    cpu_idle_loop(shell_poll);
}
