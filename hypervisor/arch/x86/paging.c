/*
 * The hypervisor's own page tables: built once on the boot CPU from the
 * memory map, shared by every CPU (and later copied into the hypervisor
 * slots of every PV guest's L4).
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/cpu.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <tessera/compiler.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/memmap.h>
#include <tessera/page_alloc.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ull
#define PTE_NX        (1ull << 63)

uint64_t idle_cr3;

static uint64_t *idle_l4;
static struct early_frames *early_pool;
static bool frames_from_allocator;
static bool nx_supported;
static spinlock_t map_lock = SPINLOCK_INIT;

extern struct page_allocator frame_allocator;
extern const char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const char __image_start[], __image_end[];

static uint64_t *alloc_table(void)
{
    uint64_t pa;

    if (frames_from_allocator) {
        uint64_t mfn;
        if (page_alloc_alloc(&frame_allocator, 0, DOMID_XEN, &mfn) < 0)
            return NULL;
        pa = mfn << PAGE_SHIFT;
    } else {
        if (!early_pool || early_pool->next + PAGE_SIZE > early_pool->end)
            return NULL;
        pa = early_pool->next;
        early_pool->next += PAGE_SIZE;
    }
    uint64_t *table = phys_to_virt(pa);
    memset(table, 0, PAGE_SIZE);
    return table;
}

/*
 * The table the entry points to, created if absent. Intermediate entries
 * are writable and, where a user mapping goes below them, user.
 */
static uint64_t *next_level(uint64_t *entry, uint64_t leaf_flags)
{
    if (!(*entry & PTE_P)) {
        uint64_t *t = alloc_table();
        if (!t)
            return NULL;
        *entry = virt_to_phys(t) | PTE_P | PTE_W;
    }
    if (leaf_flags & PTE_U)
        *entry |= PTE_U;
    return phys_to_virt(*entry & PTE_ADDR_MASK);
}

static unsigned idx(uint64_t va, unsigned level)
{
    return (va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

/* Map [va, va+len) to pa with 4 KiB (large=false) or 2 MiB pages. */
static int map_range(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags, bool large)
{
    uint64_t step = large ? L2_PAGE_SIZE : PAGE_SIZE;

    if (!nx_supported)
        flags &= ~PTE_NX;
    for (uint64_t off = 0; off < len; off += step) {
        uint64_t v = va + off;
        uint64_t *l3 = next_level(&idle_l4[idx(v, 4)], flags);
        uint64_t *l2 = l3 ? next_level(&l3[idx(v, 3)], flags) : NULL;
        if (!l2)
            return -ENOMEM;
        if (large) {
            l2[idx(v, 2)] = (pa + off) | flags | PTE_PS | PTE_P;
            continue;
        }
        uint64_t *l1 = next_level(&l2[idx(v, 2)], flags);
        if (!l1)
            return -ENOMEM;
        l1[idx(v, 1)] = (pa + off) | flags | PTE_P;
    }
    return 0;
}

static int map_image_part(const char *start, const char *end, uint64_t flags)
{
    uint64_t s = ALIGN_DOWN((uintptr_t)start, PAGE_SIZE);
    uint64_t e = ALIGN_UP((uintptr_t)end, PAGE_SIZE);
    return map_range(s, s - HV_VIRT_START, e - s, flags, false);
}

/*
 * RAM and firmware tables are direct-mapped; reserved ranges only below
 * 4 GiB (BIOS areas, ACPI tables marked reserved), never the large
 * reserved windows some platforms list far above RAM.
 */
static bool direct_mapped(const struct mem_region *r)
{
    if (r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIM || r->type == MEM_ACPI_NVS)
        return true;
    return r->type == MEM_RESERVED && r->base + r->length <= (4ull << 30);
}

uint64_t paging_tables_needed(const struct mem_region *map, unsigned nr)
{
    uint64_t frames = 1 + 8;          /* L4, and the image's L3/L2/L1 tables */
    for (unsigned i = 0; i < nr; i++) {
        if (!direct_mapped(&map[i]))
            continue;
        /* One L2 per GiB touched, one L3 per 512 GiB touched (generously). */
        frames += 2 + (map[i].length >> 30) + (map[i].length >> 39);
    }
    return frames;
}

int paging_init(const struct mem_region *map, unsigned nr, struct early_frames *pool)
{
    int rc;

    early_pool = pool;
    nx_supported = cpuid(0x80000000).eax >= 0x80000001 &&
                   (cpuid(0x80000001).edx & CPUID80000001_EDX_NX);
    if (nx_supported)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);

    idle_l4 = alloc_table();
    if (!idle_l4)
        return -ENOMEM;
    /*
     * Every hypervisor slot gets its L3 table now: guest L4s copy these 16
     * entries once, so later mappings must land in tables they share.
     */
    for (unsigned slot = HV_RESERVED_FIRST_SLOT; slot <= HV_RESERVED_LAST_SLOT; slot++)
        if (!next_level(&idle_l4[slot], 0))
            return -ENOMEM;

    for (unsigned i = 0; i < nr; i++) {
        if (!direct_mapped(&map[i]))
            continue;
        uint64_t s = ALIGN_DOWN(map[i].base, L2_PAGE_SIZE);
        uint64_t e = ALIGN_UP(map[i].base + map[i].length, L2_PAGE_SIZE);
        if (e > DIRECTMAP_SIZE)
            e = DIRECTMAP_SIZE;
        if (s >= e)
            continue;
        rc = map_range(DIRECTMAP_VIRT_START + s, s, e - s, PTE_W | PTE_NX | PTE_G, true);
        if (rc)
            return rc;
    }

    /* W^X for the image: text executable, rodata read-only, the rest data. */
    if ((rc = map_image_part(__image_start, __text_end, PTE_G)) ||
        (rc = map_image_part(__rodata_start, __rodata_end, PTE_NX | PTE_G)) ||
        (rc = map_image_part(__rodata_end, __image_end, PTE_W | PTE_NX | PTE_G)))
        return rc;

    idle_cr3 = virt_to_phys(idle_l4);
    write_cr3(idle_cr3);
    write_cr4(read_cr4() | X86_CR4_PGE);
    return 0;
}

int paging_map(uint64_t va, uint64_t pa, uint64_t len, uint64_t flags)
{
    unsigned long irq = spin_lock_irqsave(&map_lock);
    int rc = map_range(va, pa, ALIGN_UP(len, PAGE_SIZE), flags, false);
    spin_unlock_irqrestore(&map_lock, irq);
    return rc;
}

void paging_copy_hypervisor_slots(uint64_t *l4)
{
    /* Accessed already set: the CPU then never writes these entries, and copies stay equal. */
    for (unsigned slot = HV_RESERVED_FIRST_SLOT; slot <= HV_RESERVED_LAST_SLOT; slot++)
        l4[slot] = idle_l4[slot] | ((idle_l4[slot] & PTE_P) ? PTE_A : 0);
}

void paging_use_frame_allocator(void)
{
    frames_from_allocator = true;
}

void *ioremap(uint64_t pa, size_t len)
{
    static uint64_t next_va = IOREMAP_VIRT_START;
    uint64_t offset = pa & (PAGE_SIZE - 1);
    uint64_t size = ALIGN_UP(len + offset, PAGE_SIZE);
    void *result = NULL;

    unsigned long flags = spin_lock_irqsave(&map_lock);
    if (next_va + size <= IOREMAP_VIRT_END &&
        map_range(next_va, pa - offset, size, PTE_W | PTE_PCD | PTE_PWT | PTE_NX, false) == 0) {
        result = (void *)(uintptr_t)(next_va + offset);
        next_va += size + PAGE_SIZE;   /* a hole between mappings catches overruns */
    }
    spin_unlock_irqrestore(&map_lock, flags);
    return result;
}
