/* The PVH test kernels' runtime: console, checks, result line, power-off. */
#include "hvm_guest.h"

unsigned failures;

void console_write(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        outb_port(0xE9, (uint8_t)s[i]);
}

void check(bool ok, const char *what)
{
    printk("%s: %s\n", ok ? "ok" : "FAIL", what);
    if (!ok)
        failures++;
}

void poweroff(void)
{
    struct sched_shutdown s = { .reason = SHUTDOWN_poweroff };
    hvm_hypercall2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&s);
    printk("poweroff hypercall returned\n");
    for (;;)
        __asm__ volatile("cli; hlt");
}

void finish(void)
{
    printk("Test result: %s\n", failures ? "FAILURE" : "SUCCESS");
    poweroff();
}

void hvm_main(uint32_t start_info_pa);
void hvm_main(uint32_t start_info_pa)
{
    hvm_test_main((const struct hvm_start_info *)(uintptr_t)start_info_pa);
    finish();
}
