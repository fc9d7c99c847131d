#ifndef ASM_SETUP_H
#define ASM_SETUP_H

#include <stdint.h>

struct boot_info;
struct page_allocator;

extern struct boot_info boot_info;
extern struct page_allocator frame_allocator;
/* arch_now_ns() when boot finished. */
extern uint64_t boot_ready_ns;
extern uint64_t total_ram_bytes;

uint64_t free_memory_bytes(void);
/* The hypervisor's command line without the image's file name (as Xen keeps it). */
const char *boot_options_text(void);

/*
 * Gives the boot modules' memory to the frame allocator once the boot
 * domains are built from them (the builder copied what it needed), as Xen
 * frees its boot modules after dom0's build. Returns the bytes given.
 */
uint64_t boot_modules_release(void);

/* The serial console prompt; runs on the boot CPU for good. */
void shell_start(void) __attribute__((noreturn));

#endif
