#ifndef ASM_PAGING_H
#define ASM_PAGING_H

#include <stddef.h>
#include <stdint.h>
#include <asm/layout.h>
#include <asm/x86-defs.h>

/* Any physical address in RAM (or a firmware table) through the direct map. */
static inline void *phys_to_virt(uint64_t pa)
{
    return (void *)(uintptr_t)(DIRECTMAP_VIRT_START + pa);
}

static inline uint64_t virt_to_phys(const void *va)
{
    uintptr_t v = (uintptr_t)va;
    if (v >= HV_VIRT_START && v < HV_VIRT_START + HV_VIRT_SIZE)
        return v - HV_VIRT_START;
    return v - DIRECTMAP_VIRT_START;
}

/* Hands out zeroed page-table frames before the frame allocator exists. */
struct early_frames {
    uint64_t next;   /* physical */
    uint64_t end;
};

struct mem_region;

/*
 * Build the final page tables and switch to them: the direct map of every
 * range the memory map lists (2 MiB granularity), the image with W^X 4 KiB
 * mappings, and nothing at all below the hypervisor slots. Page-table
 * frames come from pool, which must lie below 4 GiB (reached through the
 * boot direct map).
 */
uint64_t paging_tables_needed(const struct mem_region *map, unsigned nr);
int paging_init(const struct mem_region *map, unsigned nr, struct early_frames *pool);

#define PTE_FLAG_NX (1ull << 63)

/* Map [va, va+len) to pa with 4 KiB pages and these PTE flags (PTE_*). */
int paging_map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags);

/* Copy the hypervisor's L4 slots 256-271 into a guest's L4. */
void paging_copy_hypervisor_slots(uint64_t *l4);

/* Once the frame allocator runs, page tables for ioremap come from it. */
void paging_use_frame_allocator(void);

/* Map MMIO uncached in the slot-257 window. NULL if out of space. */
void *ioremap(uint64_t pa, size_t len);

/* CR3 value of the hypervisor's own page tables, for secondary CPUs. */
extern uint64_t idle_cr3;

extern uint64_t boot_l4[];

#endif
