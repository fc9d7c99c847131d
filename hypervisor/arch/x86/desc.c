/* Descriptor tables: each CPU's GDT and TSS, and the IDT all CPUs share. */
#include <stdint.h>
#include <asm/desc.h>
#include <asm/layout.h>
#include <asm/percpu.h>
#include <tessera/string.h>

struct __attribute__((packed)) idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
};

struct __attribute__((packed)) desc_ptr {
    uint16_t limit;
    uint64_t base;
};

static struct idt_gate idt[256] __attribute__((aligned(16)));

/* Code and data descriptors, flat, as their 8-byte encodings. */
#define DESC_HV_CODE64    0x00AF9A000000FFFFull
#define DESC_HV_DATA      0x00CF92000000FFFFull
#define DESC_RING3_CODE32 0x00CFFA000000FFFFull
#define DESC_RING3_DATA   0x00CFF2000000FFFFull
#define DESC_RING3_CODE64 0x00AFFA000000FFFFull

#define GATE_INTERRUPT 0x8E   /* present, DPL 0, 64-bit interrupt gate */

enum { IST_DF = 1, IST_NMI = 2, IST_MC = 3, IST_DB = 4 };

extern const char trap_stubs[], debug_entry[];

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++) {
        uint64_t addr = (uint64_t)(uintptr_t)(trap_stubs + 16 * v);
        idt[v] = (struct idt_gate){
            .offset_lo = (uint16_t)addr,
            .selector = HV_CS,
            .ist = 0,
            .type_attr = GATE_INTERRUPT,
            .offset_mid = (uint16_t)(addr >> 16),
            .offset_hi = (uint32_t)(addr >> 32),
        };
    }
    /* int3 and into are allowed from ring 3: PV guests use them as on bare metal. */
    idt[3].type_attr = GATE_INTERRUPT | (3 << 5);
    idt[4].type_attr = GATE_INTERRUPT | (3 << 5);
    /*
     * #DB on its own stack: a guest's `mov %ss` can hold a #DB back until
     * the next instruction, a syscall, has entered ring 0 still on the
     * guest's stack. debug_entry moves a guest's #DB to the ordinary stack.
     */
    uint64_t db = (uint64_t)(uintptr_t)debug_entry;
    idt[1].offset_lo = (uint16_t)db;
    idt[1].offset_mid = (uint16_t)(db >> 16);
    idt[1].offset_hi = (uint32_t)(db >> 32);
    idt[1].ist = IST_DB;
    idt[8].ist = IST_DF;
    idt[2].ist = IST_NMI;
    idt[18].ist = IST_MC;
}

static void gdt_set_tss(uint64_t *gdt, const struct tss64 *tss)
{
    uint64_t base = (uint64_t)(uintptr_t)tss;
    uint64_t limit = sizeof(*tss) - 1;
    unsigned idx = HV_TSS >> 3;

    gdt[idx] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
               (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    gdt[idx + 1] = base >> 32;
}

void cpu_desc_init(struct percpu *cpu)
{
    uint64_t *gdt = cpu->gdt;

    memset(gdt, 0, GDT_ENTRIES * sizeof(uint64_t));
    gdt[HV_CS >> 3] = DESC_HV_CODE64;
    gdt[HV_DS >> 3] = DESC_HV_DATA;
    gdt[GUEST_CS32 >> 3] = DESC_RING3_CODE32;
    gdt[GUEST_DS >> 3] = DESC_RING3_DATA;
    gdt[GUEST_CS64 >> 3] = DESC_RING3_CODE64;

    memset(&cpu->tss, 0, sizeof(cpu->tss));
    cpu->tss.rsp[0] = cpu->stack_block + CPU_INFO_OFFSET;
    cpu->tss.ist[IST_DB - 1] = cpu->stack_block + PAGE_SIZE / 2;
    cpu->tss.ist[IST_DF - 1] = cpu->stack_block + 1 * PAGE_SIZE;
    cpu->tss.ist[IST_NMI - 1] = cpu->stack_block + 2 * PAGE_SIZE;
    cpu->tss.ist[IST_MC - 1] = cpu->stack_block + 3 * PAGE_SIZE;
    cpu->tss.iomap_base = sizeof(cpu->tss);  /* no I/O bitmap: all ports refused */
    gdt_set_tss(gdt, &cpu->tss);

    struct desc_ptr gdtr = { GDT_ENTRIES * 8 - 1, (uint64_t)(uintptr_t)gdt };
    struct desc_ptr idtr = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };

    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %[cs]\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movl %[ds], %%eax\n\t"
        "movl %%eax, %%ds\n\t"
        "movl %%eax, %%es\n\t"
        "movl %%eax, %%ss\n\t"
        "lidt %1\n\t"
        "ltr %w[tss]\n\t"
        :
        : "m"(gdtr), "m"(idtr), [cs] "i"(HV_CS), [ds] "i"(HV_DS), [tss] "r"(HV_TSS)
        : "rax", "memory");
}
