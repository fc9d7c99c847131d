/* Thin wrappers around single x86 instructions. */
#ifndef ASM_CPU_H
#define ASM_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <asm/extable.h>
#include <asm/x86-defs.h>

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid_count(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile("cpuid"
                     : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                     : "a"(leaf), "c"(subleaf));
    return r;
}

static inline struct cpuid_regs cpuid(uint32_t leaf) { return cpuid_count(leaf, 0); }

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
                     : "memory");
}

/*
 * wrmsr of a value that came from a guest: false if the CPU refused it
 * (a non-canonical base, a reserved bit) instead of a fault in the
 * hypervisor. Callers check guest values first; this is the last line.
 */
static inline bool wrmsr_safe(uint32_t msr, uint64_t val)
{
    uint32_t ok = 1;
    __asm__ volatile("1: wrmsr\n"
                     "2:\n"
                     ".pushsection .text.fixup, \"ax\"\n"
                     "3: xorl %0, %0\n"
                     "   jmp 2b\n"
                     ".popsection\n"
                     EXTABLE_ASM("1b", "3b")
                     : "+r"(ok) : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
                     : "memory");
    return ok;
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint32_t inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

/* A port access of 1, 2 or 4 bytes (anything else is taken as 4). */
static inline uint32_t port_in(unsigned port, unsigned size)
{
    switch (size) {
    case 1: return inb((uint16_t)port);
    case 2: return inw((uint16_t)port);
    default: return inl((uint16_t)port);
    }
}

static inline void port_out(unsigned port, unsigned size, uint32_t value)
{
    switch (size) {
    case 1: outb((uint16_t)port, (uint8_t)value); break;
    case 2: outw((uint16_t)port, (uint16_t)value); break;
    default: outl((uint16_t)port, value); break;
    }
}

#define DEFINE_CR_ACCESS(n)                                                   \
    static inline uint64_t read_cr##n(void)                                   \
    {                                                                         \
        uint64_t v;                                                           \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                     \
        return v;                                                             \
    }                                                                         \
    static inline void write_cr##n(uint64_t v)                                \
    {                                                                         \
        __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory");             \
    }
DEFINE_CR_ACCESS(0)
DEFINE_CR_ACCESS(2)
DEFINE_CR_ACCESS(3)
DEFINE_CR_ACCESS(4)
#undef DEFINE_CR_ACCESS

static inline void cpu_halt(void) { __asm__ volatile("hlt" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cli" ::: "memory"); }
/* Enable interrupts and halt atomically: a wake-up cannot slip in between. */
static inline void safe_halt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline unsigned long read_rflags(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f) :: "memory");
    return f;
}

static inline void invlpg(const void *va) { __asm__ volatile("invlpg (%0)" :: "r"(va) : "memory"); }

static inline uint64_t read_rsp(void)
{
    uint64_t v;
    __asm__ volatile("mov %%rsp, %0" : "=r"(v));
    return v;
}

#endif
