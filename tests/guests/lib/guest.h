/*
 * The PV test-kernel framework: what a test's main.c sees.
 *
 * A test defines
 *     const char test_title[] = "...";
 *     void test_main(void);
 * and reports with test_fail()/test_skip()/test_error() (any number of
 * times; the worst result wins). When test_main returns, the framework
 * prints "Test result: SUCCESS|SKIP|ERROR|FAILURE" as the last line and
 * shuts the domain down (SCHEDOP_shutdown, poweroff).
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pvabi/xen.h>
#include <pvabi/errno.h>
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/memory.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/callback.h>
#include <pvabi/version.h>
#include <pvabi/io/console.h>
#include "hypercall.h"

#define PAGE_SIZE 4096UL
#define PAGE_SHIFT 12
#define PTE_PRESENT  0x001UL
#define PTE_RW       0x002UL
#define PTE_USER     0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY    0x040UL
#define PTE_KERNEL_RW (PTE_PRESENT | PTE_RW | PTE_ACCESSED | PTE_DIRTY)
#define PTE_KERNEL_RO (PTE_PRESENT | PTE_ACCESSED)

#define barrier() __asm__ volatile("" ::: "memory")
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- provided by the test ---- */
extern const char test_title[];
void test_main(void);

/* ---- boot state ---- */
extern start_info_t *guest_start_info;
extern shared_info_t *guest_shared_info;       /* mapped by the framework */
extern domid_t guest_domid;                    /* learnt at boot (0 for dom0) */
extern char _image_start[], _image_end[];

/* pseudo-physical <-> machine, through start_info's p2m list */
unsigned long pfn_to_mfn(unsigned long pfn);
unsigned long virt_to_mfn(const void *va);
/* Map machine frame `mfn` at the page-aligned `va` (which must already be
 * mapped, e.g. a page of our own .bss). Returns the hypercall's result. */
long map_machine_page(void *va, unsigned long mfn, unsigned long pte_flags);
/* Put the original frame back under `va`. */
long unmap_machine_page(void *va);

/* ---- kernel command line ---- */
long cmdline_number(const char *key, long dflt);   /* key=<decimal> */
/* CPUID as a PV kernel sees it: through the forced-emulation prefix. */
struct cpuid_regs { uint32_t a, b, c, d; };
static inline struct cpuid_regs pv_cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct cpuid_regs r;
    __asm__ volatile(XEN_CPUID : "=a"(r.a), "=b"(r.b), "=c"(r.c), "=d"(r.d)
                     : "0"(leaf), "2"(subleaf));
    return r;
}

bool cmdline_has(const char *word);

/* ---- console ---- */
void console_write(const char *s, size_t len);
/* Returns once everything written has left the console ring (or at once without one). */
void console_flush(void);
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- reporting ---- */
enum test_result { RESULT_SUCCESS, RESULT_SKIP, RESULT_ERROR, RESULT_FAILURE };
void test_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void test_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
enum test_result test_current_result(void);
/* Compare and report in one go; evaluates to whether it held. */
#define CHECK(cond, ...) ((cond) ? true : (test_fail(__VA_ARGS__), false))
/* Evaluates each argument once: `got` is often a hypercall. */
#define CHECK_EQ(got, want, what) __extension__ ({                          \
    long check_got_ = (long)(got), check_want_ = (long)(want);              \
    CHECK(check_got_ == check_want_, "%s: got %ld, want %ld", (what),       \
          check_got_, check_want_);                                         \
})
void __attribute__((noreturn)) guest_finish(void);
/* The same, shutting down with another SHUTDOWN_* reason (e.g. crash). */
void __attribute__((noreturn)) guest_finish_shutdown(unsigned int reason);
void __attribute__((noreturn)) panic(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* ---- traps ---- */
struct guest_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;     /* the frame the hypervisor built */
};
#define VECTOR_EVENT    256
#define VECTOR_SYSCALL  257
#define VECTOR_FAILSAFE 258

/* What a caught exception looked like. */
struct trap_record {
    unsigned int vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;   /* cs: the selector only */
    uint8_t saved_upcall_mask;          /* from CS bits 32-39 of the frame */
    uint64_t cr2;           /* vcpu_info.arch.cr2 at the time of a #PF */
    bool from_user;         /* CS RPL was 3 in the bounce frame */
};

/*
 * Run fn(arg) with traps caught: returns -1 if it completed, otherwise the
 * vector that interrupted it, with details in *rec. Exceptions outside a
 * catch are fatal (reported as ERROR).
 */
int run_catching(void (*fn)(void *), void *arg, struct trap_record *rec);

/* Optional per-test hooks, called from the dispatcher (may be NULL). */
extern void (*guest_syscall_hook)(struct guest_regs *regs);
/* Sees every exception first; returning true resumes the guest with the
 * (possibly edited) registers through HYPERCALL_iret. */
extern bool (*guest_exception_hook)(struct guest_regs *regs);
/* DS, ES, FS, GS of the last failsafe callback (its vector is VECTOR_FAILSAFE). */
extern uint64_t failsafe_selectors[4];
extern void (*guest_port_hook)(evtchn_port_t port);
/* Replaces the 2-level scan when set (a test that switched to FIFO). */
extern void (*guest_upcall_handler)(void);
extern volatile unsigned long guest_port_hits[];    /* upcalls per port (ports < 256) */
extern volatile unsigned long guest_upcalls;

/* Enter user mode at fn with stack `stack_top`; it returns to the kernel by
 * calling user_return() (a syscall). Returns the syscall's RAX. */
uint64_t run_in_user_mode(void (*fn)(void), void *stack_top);
/* The same with the RFLAGS of the iret frame given (IF, IOPL). */
uint64_t run_in_user_mode_flags(void (*fn)(void), void *stack_top, uint64_t rflags);
/* The same with the code selector given (FLAT_USER_CS32: 32-bit user code). */
uint64_t run_in_user_mode_cs(void (*fn)(void), void *stack_top, uint64_t rflags, uint16_t cs);
/* From user mode: `syscall` with RAX = value; ends run_in_user_mode. */
void __attribute__((noreturn)) user_return(uint64_t value);

/* ---- events ---- */
vcpu_info_t *this_vcpu_info(void);
unsigned int this_vcpu_id(void);
void events_enable(void);   /* clear evtchn_upcall_mask, deliver pending */
void events_disable(void);
void evtchn_unmask_port(evtchn_port_t port);
void evtchn_mask_port(evtchn_port_t port);
bool evtchn_test_and_clear_pending(evtchn_port_t port);
long evtchn_send_port(evtchn_port_t port);
long evtchn_close_port(evtchn_port_t port);

/*
 * The FIFO ABI for this domain's first nr_vcpus vCPUs (events_fifo.c),
 * consumed as Linux does; the functions above follow it from then on.
 * 0 or the hypercall's error.
 */
long events_fifo_start(unsigned int nr_vcpus);
extern bool guest_events_fifo;
/* The event word of a port below 1024 once on FIFO, else NULL. */
event_word_t *fifo_event_word(evtchn_port_t port);

/* ---- time ---- */
uint64_t rdtsc_ordered(void);
uint64_t system_time_ns(void);      /* pvclock of this vCPU */
/* Block at least ns (binds VIRQ_TIMER on first use; leaves events enabled). */
void guest_sleep_ns(uint64_t ns);

/* ---- percpu / SMP ---- */
struct percpu {
    unsigned int vcpu_id;
    vcpu_info_t *vcpu_info;         /* NULL: the slot in shared_info */
    void *catch_buf;                /* active run_catching() frame */
    struct trap_record *catch_rec;
};
extern struct percpu percpu_area[XEN_LEGACY_MAX_VCPUS];
void percpu_init(unsigned int vcpu);
/* Bring up vCPU `vcpu` running fn(vcpu) on the given stack; 0 or -XEN_E*. */
long vcpu_start(unsigned int vcpu, void (*fn)(unsigned int vcpu), void *stack_top);
/* The context vcpu_start gives VCPUOP_initialise, filled in *c without using it. */
long vcpu_context(struct vcpu_guest_context *c, unsigned int vcpu,
                  void (*fn)(unsigned int vcpu), void *stack_top);
void trap_table_install(void);
void callbacks_install(void);

/* ---- string ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);

#endif /* GUEST_H */
