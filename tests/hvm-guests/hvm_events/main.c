/*
 * hvm_events: how events reach a PVH guest, the way Linux's PVH boot uses
 * them: shared_info put into its memory (XENMEM_add_to_physmap), the
 * upcall on an interrupt vector (HVM_PARAM_CALLBACK_IRQ), VIRQ_TIMER bound
 * and its VCPUOP singleshot timer, both already due (delivered at once,
 * even across "sti; hlt") and 5 ms ahead (HLT blocks until it fires, and
 * the pvclock says the time passed), then the local APIC: xAPIC at start,
 * x2APIC once asked, its ID and version, and a self-IPI delivered on its
 * vector; and first the segment-base and SYSCALL MSRs written and read
 * back, and a grant-table frame put outside its RAM. The same kernel runs as real Xen 4.17's PVH dom0
 * (hvm-guests/xen/hvm_events).
 */
#include "hvm_guest.h"
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/hvm_op.h>
#include <pvabi/memory.h>
#include <pvabi/vcpu.h>
#include <pvabi/xen.h>

#define UPCALL_VECTOR 0xF3
#define IPI_VECTOR    0xF4

static struct shared_info shared __attribute__((aligned(4096)));
static struct { uint16_t lo, sel, attr, mid; uint32_t hi, zero; } idt[256]
    __attribute__((aligned(16)));
volatile uint64_t upcalls, ipis;

/* The upcall clears evtchn_upcall_pending (it is level-triggered); the IPI
 * handler writes the x2APIC's EOI. Neither has an error code. */
void upcall_entry(void);
void ipi_entry(void);
__asm__(".text\n"
        "upcall_entry:\n"
        "    incq upcalls(%rip)\n"
        "    movb $0, shared(%rip)\n"           /* vcpu_info[0].evtchn_upcall_pending */
        "    iretq\n"
        "ipi_entry:\n"
        "    incq ipis(%rip)\n"
        "    push %rax; push %rcx; push %rdx\n"
        "    mov $0x80b, %ecx; xor %eax, %eax; xor %edx, %edx; wrmsr\n"
        "    pop %rdx; pop %rcx; pop %rax\n"
        "    iretq\n");

static void set_gate(unsigned vector, void (*fn)(void))
{
    uint64_t a = (uint64_t)(uintptr_t)fn;
    idt[vector].lo = (uint16_t)a;
    idt[vector].sel = 0x08;
    idt[vector].attr = 0x8E00;                  /* present, DPL 0, interrupt gate */
    idt[vector].mid = (uint16_t)(a >> 16);
    idt[vector].hi = (uint32_t)(a >> 32);
}

static void load_idt(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } d = {
        sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    set_gate(UPCALL_VECTOR, upcall_entry);
    set_gate(IPI_VECTOR, ipi_entry);
    __asm__ volatile("lidt %0" :: "m"(d));
}

static long vmm_call3(unsigned long nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
    long rc;
    if (hypercall_by_vmcall)
        __asm__ volatile("vmcall" : "=a"(rc), "+D"(a1), "+S"(a2), "+d"(a3) : "a"(nr) : "memory");
    else
        __asm__ volatile("vmmcall" : "=a"(rc), "+D"(a1), "+S"(a2), "+d"(a3) : "a"(nr) : "memory");
    return rc;
}

static inline uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/* Xen's system time from vCPU 0's pvclock. */
static uint64_t pvclock_now_ns(void)
{
    const volatile struct vcpu_time_info *t = &shared.vcpu_info[0].time;
    uint32_t version;
    uint64_t ns;
    do {
        version = t->version;
        __asm__ volatile("" ::: "memory");
        uint64_t delta = rdtsc64() - t->tsc_timestamp;
        delta = t->tsc_shift < 0 ? delta >> -t->tsc_shift : delta << t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __asm__ volatile("" ::: "memory");
    } while ((version & 1) || version != t->version);
    return ns;
}

static long singleshot(uint64_t deadline)
{
    struct vcpu_set_singleshot_timer t = { .timeout_abs_ns = deadline, .flags = 0 };
    return vmm_call3(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, (unsigned long)&t);
}

static void events(void)
{
    struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info,
                                    .idx = 0, .gpfn = (uintptr_t)&shared >> 12 };
    long rc = hvm_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&x);
    check(rc == 0, "shared_info mapped into its memory");
    check(shared.vcpu_info[0].time.system_time != 0, "vCPU 0's pvclock is there");

    load_idt();
    struct xen_hvm_param p = { .domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ,
                               .value = (2ull << 56) | UPCALL_VECTOR };
    rc = hvm_hypercall2(__HYPERVISOR_hvm_op, HVMOP_set_param, (unsigned long)&p);
    check(rc == 0, "upcall on a vector (HVM_PARAM_CALLBACK_IRQ)");

    struct evtchn_bind_virq b = { .virq = VIRQ_TIMER, .vcpu = 0 };
    rc = hvm_hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&b);
    check(rc == 0, "VIRQ_TIMER bound");
    __atomic_fetch_and(&shared.evtchn_mask[b.port / 64], ~(1ull << (b.port % 64)),
                       __ATOMIC_SEQ_CST);

    /* Only the singleshot timer from here: a periodic one (PV's default) would
     * wake the vCPU too. */
    rc = vmm_call3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0);
    check(rc == 0, "no periodic timer");

    /* Already due: pending at once; the upcall comes after "sti; hlt". */
    __asm__ volatile("cli");
    rc = singleshot(1);
    check(rc == 0, "a singleshot timer already due");
    __asm__ volatile("sti; hlt; cli" ::: "memory");
    printk("timer already due: %lu upcall(s)\n", (unsigned long)upcalls);
    check(upcalls == 1, "one upcall for it, through sti; hlt");
    check(shared.evtchn_pending[b.port / 64] & (1ull << (b.port % 64)), "its port is pending");
    __atomic_fetch_and(&shared.evtchn_pending[b.port / 64], ~(1ull << (b.port % 64)),
                       __ATOMIC_SEQ_CST);
    shared.vcpu_info[0].evtchn_pending_sel = 0;

    /* 5 ms ahead: HLT blocks until it fires. */
    uint64_t start = pvclock_now_ns();
    rc = singleshot(start + 5000000);
    check(rc == 0, "a singleshot timer 5 ms ahead");
    while (upcalls == 1)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    uint64_t waited = pvclock_now_ns() - start;
    printk("timer 5 ms ahead: woke after %lu us\n", (unsigned long)(waited / 1000));
    check(upcalls == 2 && waited >= 5000000, "HLT woke by the timer's upcall, not before it");
}

static void local_apic(void)
{
    uint64_t base = rdmsr64(0x1B);
    check(base == 0xFEE00900ull, "APIC enabled in xAPIC mode at 0xFEE00000, the BSP's");
    wrmsr64(0x1B, base | (1ull << 10));
    check(rdmsr64(0x1B) == (base | (1ull << 10)), "x2APIC mode on");
    uint64_t id = rdmsr64(0x802), version = rdmsr64(0x803);
    printk("x2APIC id %lu, version %#lx\n", (unsigned long)id, (unsigned long)version);
    check(id == 0, "vCPU 0's APIC id 0");
    check((version & 0xFF) == 0x14, "APIC version 0x14");
    wrmsr64(0x80F, 0x1FF);                      /* software-enabled, spurious vector 0xFF */
    wrmsr64(0x808, 0);                          /* TPR: every vector */
    __asm__ volatile("cli");
    wrmsr64(0x83F, IPI_VECTOR);                 /* SELF_IPI */
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    printk("self-IPI: %lu delivered\n", (unsigned long)ipis);
    check(ipis == 1, "a self-IPI on its vector, once interrupts are on");
}

/*
 * The segment-base and SYSCALL/SYSENTER MSRs a 64-bit kernel sets first
 * (Linux's PVH entry writes GS_BASE before anything else): each written
 * and read back. SVM leaves them to the guest's VMCB, VT-x exits for them.
 */
static void syscall_msrs(void)
{
    static const struct { uint32_t msr; uint64_t value; const char *name; } m[] = {
        { 0xC0000100u, 0x0000123456789000ull, "FS_BASE" },
        { 0xC0000101u, 0xFFFF888000001000ull, "GS_BASE" },
        { 0xC0000102u, 0x00007FFFFFFFF000ull, "KERNEL_GS_BASE" },
        { 0xC0000081u, 0x0023001000000000ull, "STAR" },
        { 0xC0000082u, 0xFFFFFFFF81000000ull, "LSTAR" },
        { 0xC0000083u, 0xFFFFFFFF81000040ull, "CSTAR" },
        { 0xC0000084u, 0x0000000000047700ull, "SFMASK" },
        { 0x176u,      0xFFFFFFFF81000080ull, "SYSENTER_EIP" },
    };
    unsigned same = 0;
    for (unsigned i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
        wrmsr64(m[i].msr, m[i].value);
        uint64_t back = rdmsr64(m[i].msr);
        if (back == m[i].value)
            same++;
        else
            printk("%s: wrote %#lx, read %#lx\n", m[i].name, (unsigned long)m[i].value,
                   (unsigned long)back);
        wrmsr64(m[i].msr, 0);
    }
    printk("segment-base and SYSCALL MSRs: %u of %u read back\n", same,
           (unsigned)(sizeof(m) / sizeof(m[0])));
    check(same == sizeof(m) / sizeof(m[0]), "each MSR reads back what was written");
}

/*
 * The grant table as Linux's PVH boot sets it up: its size asked, frame 0
 * put at a guest frame outside its RAM (256 MiB: its page tables map it)
 * and read there, a frame past the maximum refused.
 */
#define GRANT_GFN 0x10000ul
static void grant_frames(void)
{
    struct gnttab_query_size q = { .dom = DOMID_SELF };
    long rc = vmm_call3(__HYPERVISOR_grant_table_op, GNTTABOP_query_size, (unsigned long)&q, 1);
    printk("grant table: %u of at most %u frames\n", q.nr_frames, q.max_nr_frames);
    check(rc == 0 && q.status == GNTST_okay && q.max_nr_frames >= 1, "query_size");
    struct xen_add_to_physmap x = { .domid = DOMID_SELF, .space = XENMAPSPACE_grant_table,
                                    .idx = 0, .gpfn = GRANT_GFN };
    rc = hvm_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&x);
    check(rc == 0, "grant frame 0 mapped outside its RAM");
    volatile struct grant_entry_v1 *e = (volatile void *)(GRANT_GFN << 12);
    e[1].frame = 0x1234;
    check(e[1].frame == 0x1234 && e[0].flags == 0, "its entries readable and writable there");
    e[1].frame = 0;
    x.idx = q.max_nr_frames;
    x.gpfn = GRANT_GFN + 1;
    rc = hvm_hypercall2(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, (unsigned long)&x);
    check(rc == -XEN_EINVAL, "a frame past the maximum: -EINVAL");
}

void hvm_test_main(const struct hvm_start_info *si)
{
    (void)si;
    syscall_msrs();
    grant_frames();
    events();
    local_apic();
}
