/*
 * The hypercall page, as guests built for Xen expect it: one 32-byte stub
 * per hypercall number. Written by the boot-time builder (the kernel's
 * HYPERCALL_PAGE note) and by domctl hypercall_init (a toolstack's builder).
 */
#include <stdint.h>
#include <asm/pv.h>
#include <pvabi/xen.h>
#include <tessera/page_alloc.h>
#include <tessera/string.h>

void pv_write_hypercall_page(void *page_va)
{
    uint8_t *page = page_va;

    memset(page, 0xCC, PAGE_SIZE);   /* int3 in unused space */
    for (unsigned i = 0; i < PVABI_HYPERCALL_PAGE_SLOTS; i++) {
        uint8_t *p = page + i * PVABI_HYPERCALL_STUB_SIZE;
        if (i == __HYPERVISOR_iret) {
            /* push %rcx; push %r11; push %rax; mov $23,%eax; syscall */
            static const uint8_t iret_stub[] = { 0x51, 0x41, 0x53, 0x50, 0xB8, 23, 0, 0, 0,
                                                 0x0F, 0x05 };
            memcpy(p, iret_stub, sizeof(iret_stub));
            continue;
        }
        /* push %rcx; push %r11; mov $i,%eax; syscall; pop %r11; pop %rcx; ret */
        uint8_t stub[] = { 0x51, 0x41, 0x53, 0xB8, (uint8_t)i, 0, 0, 0, 0x0F, 0x05,
                           0x41, 0x5B, 0x59, 0xC3 };
        memcpy(p, stub, sizeof(stub));
    }
}
