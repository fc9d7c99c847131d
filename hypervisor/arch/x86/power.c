/* Powering off and resetting the machine, and the emulator exit used by tests. */
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/cpu.h>
#include <asm/paging.h>
#include <asm/power.h>
#include <asm/time.h>
#include <tessera/log.h>

bool debug_exit_enabled;

#define PM1_SLP_EN        (1u << 13)
#define PM1_SCI_EN        1u
#define KBC_COMMAND       0x64
#define KBC_PULSE_RESET   0xFE
#define BOCHS_SHUTDOWN    0x8900

void cpu_stop(void)
{
    for (;;) {
        irq_disable();
        cpu_halt();
    }
}

static void debug_exit(uint8_t code)
{
    if (!debug_exit_enabled)
        return;
    outb(0xF4, code);
    for (const char *s = "Shutdown"; *s; s++)
        outb(BOCHS_SHUTDOWN, (uint8_t)*s);
}

static void acpi_enter_s5(void)
{
    if (!acpi.s5_valid || !acpi.pm1a_cnt)
        return;
    if (!(inw(acpi.pm1a_cnt) & PM1_SCI_EN) && acpi.smi_cmd && acpi.acpi_enable) {
        outb(acpi.smi_cmd, acpi.acpi_enable);
        for (int i = 0; i < 300 && !(inw(acpi.pm1a_cnt) & PM1_SCI_EN); i++)
            udelay(1000);
    }
    outw(acpi.pm1a_cnt, (uint16_t)((acpi.slp_typa << 10) | PM1_SLP_EN));
    if (acpi.pm1b_cnt)
        outw(acpi.pm1b_cnt, (uint16_t)((acpi.slp_typb << 10) | PM1_SLP_EN));
    udelay(100000);
}

void machine_poweroff(void)
{
    log_info("Powering off.\n");
    irq_disable();
    debug_exit(DEBUG_EXIT_POWEROFF);
    acpi_enter_s5();
    log_err("power-off did not take effect; the machine is halted and can be switched off\n");
    cpu_stop();
}

void machine_reboot(void)
{
    log_info("Rebooting.\n");
    irq_disable();
    if (acpi.reset_valid) {
        if (acpi.reset_space == 1) {
            outb((uint16_t)acpi.reset_addr, acpi.reset_value);
        } else if (acpi.reset_space == 0) {
            volatile uint8_t *reg = ioremap(acpi.reset_addr, 1);
            if (reg)
                *reg = acpi.reset_value;
        }
        udelay(50000);
    }
    outb(KBC_COMMAND, KBC_PULSE_RESET);
    udelay(50000);
    /* Last resort: a triple fault through an empty IDT. */
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } empty = { 0, 0 };
    __asm__ volatile("lidt %0; int3" :: "m"(empty));
    cpu_stop();
}
