#ifndef ASM_DESC_H
#define ASM_DESC_H

struct percpu;

/* Fill the shared IDT with the entry stubs (once, on the boot CPU). */
void idt_init(void);

/* Build and load this CPU's GDT and TSS, and load the IDT. */
void cpu_desc_init(struct percpu *cpu);

#endif
