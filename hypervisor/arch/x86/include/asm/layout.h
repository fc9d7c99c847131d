/*
 * Where the hypervisor lives in virtual memory.
 *
 * A 64-bit PV guest owns the whole address space except L4 slots 256-271
 * (0xFFFF800000000000-0xFFFF87FFFFFFFFFF), so everything of ours that must
 * stay mapped while a guest runs sits in those 16 slots, with the same
 * slot assignment Xen uses where guests can see it:
 *
 *   slot 256      read-only machine-to-phys table (guest visible)
 *   slot 257      MMIO mappings (local APIC, IO-APIC, HPET)
 *   slot 258-260  reserved (linear page tables, per-domain mappings)
 *   slot 261      the hypervisor image, at HV_VIRT_START + its physical address
 *   slot 262-271  direct map of all physical memory
 *
 * Included by assembly too: constants only.
 */
#ifndef ASM_LAYOUT_H
#define ASM_LAYOUT_H

#ifdef __ASSEMBLER__
#define _AC(x, s) x
#else
#define _AC(x, s) x##s
#endif

/* Spelled as in tessera/page_alloc.h so both may be included. */
#define PAGE_SHIFT     12
#ifdef __ASSEMBLER__
#define PAGE_SIZE      (1 << PAGE_SHIFT)
#else
#define PAGE_SIZE      (1ul << PAGE_SHIFT)
#endif
#define L2_PAGE_SIZE     (_AC(1, UL) << 21)
#define L4_SLOT_SIZE     (_AC(1, UL) << 39)

#define L4_SLOT_ADDR(n)  (_AC(0xFFFF000000000000, UL) + (n) * L4_SLOT_SIZE)

#define HV_RESERVED_FIRST_SLOT 256
#define HV_RESERVED_LAST_SLOT  271

#define RO_MPT_VIRT_START    L4_SLOT_ADDR(256)   /* 0xFFFF800000000000 */
#define RO_MPT_VIRT_END      (RO_MPT_VIRT_START + (_AC(1, UL) << 38))
#define IOREMAP_VIRT_START   L4_SLOT_ADDR(257)   /* 0xFFFF808000000000 */
#define IOREMAP_VIRT_END     L4_SLOT_ADDR(258)

/* Image window: virtual = HV_VIRT_START + physical, 1 GiB long. */
#define HV_VIRT_START        _AC(0xFFFF82D040000000, UL)
#define HV_VIRT_SIZE         (_AC(1, UL) << 30)
#define HV_LOAD_PHYS         _AC(0x200000, UL)

#define DIRECTMAP_VIRT_START L4_SLOT_ADDR(262)   /* 0xFFFF830000000000 */
#define DIRECTMAP_VIRT_END   L4_SLOT_ADDR(272)   /* 0xFFFF880000000000 */
#define DIRECTMAP_SIZE       (DIRECTMAP_VIRT_END - DIRECTMAP_VIRT_START)

/* Stack of each CPU: STACK_ORDER pages, aligned to their size. */
#define STACK_ORDER          3
#define STACK_SIZE           (PAGE_SIZE << STACK_ORDER)
/* struct cpu_info at the top of each stack block. */
#define CPU_INFO_SIZE        64

/* Real-mode start-up code for secondary CPUs is copied here. */
#define TRAMPOLINE_PHYS      _AC(0x8000, UL)

/*
 * Segment selectors. The top of the GDT, from byte 0xE000, belongs to the
 * hypervisor (the 14 pages below are the PV guest's, set with set_gdt):
 * these are the values Xen uses and PV guests hard-code the ring-3 ones.
 */
#define GDT_HV_FIRST_ENTRY   0x1C00
#define HV_CS                0xE008
#define HV_DS                0xE010
#define GUEST_CS32           0xE023   /* = FLAT_RING3_CS32 of the guest ABI */
#define GUEST_DS             0xE02B   /* = FLAT_RING3_DS */
#define GUEST_CS64           0xE033   /* = FLAT_RING3_CS64 */
#define HV_TSS               0xE040
#define HV_LDT               0xE050
#define GDT_ENTRIES          (GDT_HV_FIRST_ENTRY + 12)

#endif
