/*
 * x86-64 PV guests: per-vCPU and per-domain machine state.
 *
 * A PV guest's kernel and its user programs both run in ring 3. The
 * hypervisor keeps the guest's "virtual ring 0" state here: which mode the
 * vCPU is in, its virtual IDT, callbacks, kernel stack, segment bases.
 */
#ifndef ASM_PV_H
#define ASM_PV_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/xen.h>
#include <asm/linear_pt.h>
#include <asm/regs.h>
#include <tessera/spinlock.h>
#include <tessera/timer.h>
#include <pvabi/io/console.h>

struct domain;
struct vcpu;
struct hvm_vcpu;
struct hvm_domain;

/* A canonical 48-bit virtual address. */
static inline bool pv_canonical(uint64_t a)
{
    return a < 0x0000800000000000ull || a >= 0xFFFF800000000000ull;
}

/* An address a guest may name as its own: canonical, outside the hypervisor's slots. */
static inline bool pv_guest_addr_ok(uint64_t a)
{
    return pv_canonical(a) && !(a >= HYPERVISOR_VIRT_START && a < HYPERVISOR_VIRT_END);
}

/* trap_info.flags: bit 2 masks events while the handler runs. */
#define TI_DPL_MASK   3
#define TI_MASK_EVTS  4
/* The virtual IDT entry that holds callback_op's NMI callback (as in Xen). */
#define PV_NMI_VECTOR 2

struct pv_trap_entry {
    uint64_t address;     /* 0: no handler */
    uint16_t cs;
    uint8_t flags;        /* TI_* */
};

/* XCR0 a vCPU starts with, as in Xen: x87|SSE. */
#define PV_XCR0_DEFAULT 3
/* The FPU state a vCPU owns: the fxsave layout, followed by the XSAVE
 * header and the AVX state where XSAVE is used (pv/xstate.c); only guests
 * use the FPU. */
struct pv_fpu_area {
    uint8_t bytes[512];
} __attribute__((aligned(16)));

struct arch_vcpu {
    /*
     * Serialises what other vCPUs of the domain may do to this one while it
     * is down (VCPUOP_initialise, up, down, registering its vcpu_info or
     * runstate area): the "is it down?" check and the change happen under
     * it, so two vCPUs cannot both initialise it, nor one bring it up while
     * another is still setting it up. Lock order: ctl_lock > grant locks >
     * mm lock > scheduler locks.
     */
    spinlock_t ctl_lock;
    /*
     * A multicall in progress (pv/hypercall.c): a continuation its current
     * entry asks for lands here instead of in the vCPU's registers.
     */
    bool in_multicall;
    bool multicall_preempted;            /* the entry asked for one ... */
    uint64_t multicall_args[5];          /* ... with these arguments */
    bool kernel_mode;                    /* guest kernel (true) or guest user */
    bool virtual_ts;                     /* the guest's CR0.TS (fpu_taskswitch, clts) */
    uint64_t dr[4], dr6, dr7;            /* debug registers (pv/debugreg.c) */
    bool initialised;                    /* has a context (built, or VCPUOP_initialise) */
    bool start_fresh;                    /* next up starts at initial_regs, not saved_regs */
    bool vcpu_info_registered;           /* VCPUOP_register_vcpu_info done */
    struct pv_trap_entry traps[256];     /* virtual IDT (set_trap_table) */
    uint64_t event_callback;             /* CALLBACKTYPE_event */
    uint64_t failsafe_callback;
    bool failsafe_disables_events;
    bool failsafe_pending;               /* a selector failed at switch-in: call failsafe */
    uint64_t syscall_callback;           /* guest user `syscall` lands here */
    bool syscall_disables_events;        /* for the syscall32 callback too (as Xen) */
    uint64_t syscall32_callback;         /* `syscall` from 32-bit code lands here */
    uint64_t kernel_sp;                  /* stack_switch: stack for user->kernel */
    uint64_t kernel_ss;
    uint64_t fs_base, gs_base_kernel, gs_base_user;
    uint64_t guest_cr3;                  /* machine address of the kernel L4 */
    uint64_t user_cr3;                   /* machine address of the user L4, 0 if none */
    struct cpu_regs *frame;              /* the guest's registers while it is in here */
    /*
     * [atomic] Set from switch_in until switch_out has saved the vCPU's
     * state. The scheduler may hand a vCPU to another CPU as soon as its
     * pick on the old one is made, before the old CPU has saved it: the
     * new CPU waits for this to clear before loading anything.
     */
    bool state_on_cpu;
    unsigned iopl;                       /* virtual IOPL (pv/ioport.c) */
    bool cr4_fsgsbase;                   /* the guest's CR4.FSGSBASE (pv/cr4.c) */
    bool cr4_osxsave;                    /* the guest's CR4.OSXSAVE: its xsetbv allowed */
    uint64_t xcr0;                       /* its XCR0, loaded while it runs (pv/xstate.c) */
    bool nmi_pending;                    /* [a] VCPUOP_send_nmi, not yet delivered */
    bool nmi_masked;                     /* in the NMI callback until its HYPERVISOR_iret */
    struct cpu_regs initial_regs;        /* where the vCPU starts */
    /* What a vCPU owns while it is off its pCPU (pv/run.c). */
    struct cpu_regs saved_regs;          /* its frame, copied out of the stack-top slot */
    struct pv_fpu_area *fpu;             /* fxsave image, 16-byte aligned */
    struct timer singleshot_timer;       /* set_timer_op / VCPUOP singleshot */
    struct timer periodic_timer;
    uint64_t periodic_ns;                /* 0: periodic tick stopped */
    bool vtimers_ready;                  /* timer_init done for the two above */
    struct timer poll_timer;             /* SCHEDOP_poll timeout */
    bool poll_active;                    /* a poll to end when it next runs */
    uint64_t runstate_area;              /* guest copy (VCPUOP_register_runstate_...) */
    uint64_t gdt_mfn[FIRST_RESERVED_GDT_PAGE];   /* set_gdt: descriptor pages */
    unsigned gdt_entries;                /* 0: none */
    uint16_t sel_ds, sel_es, sel_fs, sel_gs;   /* data selectors while switched out */
    const char *crash_reason;            /* set: crash the domain before it runs again */
    uint64_t soft_affinity;              /* [domctl] setvcpuaffinity's soft mask, kept for get */
    struct hvm_vcpu *hvm;                /* [I] an HVM/PVH vCPU's state, NULL for PV (asm/hvm.h) */
    uint64_t stall_suspect;              /* [a] pv/stall_watch.c: the blocked spell it last */
    uint64_t stall_reported;             /*   found owed a wake-up, and last reported */
};

struct arch_domain {
    struct hvm_domain *hvm;    /* [I] an HVM/PVH domain's memory, NULL for PV (asm/hvm.h) */
    spinlock_t mm_lock;        /* L1 writes and frame frees (asm/pv_mm.h) */
    struct pv_linear_table linear;   /* [mm lock] */
    unsigned long vm_assist;   /* [a] VMASST_TYPE_* bits the guest enabled (for the whole domain) */
    uint64_t p2m_va;           /* guest-virtual address of the p2m (start_info.mfn_list) */
    const char *cmdline;
    struct xencons_interface *console_ring;   /* hypervisor view, NULL for dom0 */
    /* Foreign mappings of its frames by the control domain (pv/foreign.c). */
    uint64_t foreign_mapped;                  /* [foreign_lock] */
    struct domain *foreign_next;              /* [foreign_lock] held or release list */
    bool foreign_releasing;                   /* [foreign_lock] on the release list */
    /* What the toolstack set through memory_op (pv/hc_memory.c). */
    uint64_t claimed_pages;                   /* [d] XENMEM_claim_pages, 0 for none */
    void *memory_map;                         /* [d] XENMEM_set_memory_map's e820 entries */
    unsigned memory_map_entries;              /* [d] */
    bool destroyed;            /* [domctl] destroydomain tore it down (pv/domctl_domain.c) */
    uint32_t tsc_mode;         /* [domctl] settscinfo: 0 default, 2 never emulate */
    uint32_t tsc_incarnation;  /* [domctl] settscinfo */
    uint64_t node_affinity;    /* [domctl] setnodeaffinity (node 0 only here) */
    uint32_t pci_cf8;          /* [pci_cfg_lock] its last write to port 0xCF8 (arch/x86/pci.c) */
};

/* The guest's CR4 and FSGSBASE (pv/cr4.c). */
uint64_t pv_guest_cr4(const struct vcpu *v);
void pv_set_guest_cr4(struct vcpu *v, uint64_t val);
void pv_load_cr4(const struct vcpu *v);
void pv_sync_segment_bases(struct vcpu *v);
struct cpuid_regs;
/* CPUID as a PV guest sees it behind the forced-emulation prefix (pv/emulate.c). */
struct cpuid_regs pv_cpuid_leaf(uint32_t leaf, uint32_t subleaf);

/* FPU/SSE/AVX state and XCR0 (pv/xstate.c). */
struct pv_fpu_area *pv_fpu_alloc(void);
void pv_fpu_save(struct vcpu *v);
void pv_fpu_restore(struct vcpu *v);
/* VCPUOP_initialise: the context's fxsave image (VGCF_I387_VALID), or NULL for the reset state. */
void pv_fpu_image_set(struct vcpu *v, const void *fxsave);
unsigned pv_emulate_xsetbv(struct vcpu *v, uint32_t index, uint64_t value);

/* Console rings the hypervisor prints while no daemon has taken them (pv/console_ring.c). */
void pv_console_ring_add(struct domain *d);
/* Print a domain's console bytes, line by line with a (dN) prefix
 * (the control domain's as they are with dom0_console_raw). */
void pv_console_write(domid_t domid, const char *s, size_t n);
extern bool pv_dom0_console_raw;
void pv_console_ring_drain(struct domain *d);
void pv_console_ring_remove(struct domain *d);
/* Serial input for the control domain (pv/console_input.c). */
void pv_console_input_start(struct domain *control);
long pv_console_read(struct domain *d, uint64_t buf, uint64_t count);

/* Domains from boot modules (pv/boot_domains.c). */
struct pv_boot_image {
    const void *image;
    uint64_t len;
    const char *args;       /* the module's command line without the file name */
    const void *initrd;     /* the module after it, if not a kernel; else NULL */
    uint64_t initrd_len;
};
/* Builds and starts them; runs the control domain here (returns if there is none). */
void pv_start_boot_domains(const struct pv_boot_image *images, unsigned nr,
                           uint64_t dom0_mem, unsigned dom0_vcpus);
void pv_domains_running_inc(void);
void pv_domains_running_dec(void);

/* Build a PV domain from an ELF kernel image, and start it on this CPU. */
struct pv_build_request {
    domid_t domid;
    const char *name;
    const void *image;
    uint64_t image_len;
    const char *cmdline;
    uint64_t mem_bytes;
    unsigned vcpus;
    bool privileged;
    /* Unprivileged only: no xenstore ring (store_mfn and store_evtchn 0), as a
     * Xen dom0less domain built without xenstore. Linux then keeps its xenbus
     * waiting for a daemon in a thread instead of blocking its boot on one. */
    bool no_xenstore;
    const void *initrd;     /* copied after the kernel: start_info.mod_start/mod_len */
    uint64_t initrd_len;
};

int pv_build_domain(const struct pv_build_request *req, struct domain **out);
/* Fill one page (hypervisor mapping) with the hypercall stubs (pv/hypercall_page.c). */
void pv_write_hypercall_page(void *page_va);

/*
 * A domain's objects (pv/domain_alloc.c): the domain, its arch part and
 * its vCPUs, offline, state DOMAIN_BUILDING, no memory yet. NULL if out of
 * memory or vcpus is not 1..MAX_VCPUS_PER_DOMAIN. domain_free() undoes it.
 */
struct domain *pv_domain_alloc(domid_t id, const char *name, unsigned vcpus, bool privileged);

/*
 * A cleared shared_info frame owned by d, every vcpu_info in it with events
 * masked and d's vCPUs pointed at theirs (PV and PVH builders alike).
 */
int domain_shared_info_alloc(struct domain *d);

/*
 * Scheduling vCPUs on this pCPU (pv/run.c). pv_vcpu_sched_init gives
 * a built vCPU its FPU area and scheduler state; pv_vcpu_start queues a
 * vCPU at its initial registers (the builder's, or VCPUOP_initialise's).
 */
int pv_vcpu_sched_init(struct vcpu *v, unsigned weight, unsigned cap);   /* 0, 0: defaults */
void pv_vcpu_sched_destroy(struct vcpu *v);
int pv_vcpu_start(struct vcpu *v);
/* The scheduler asked this pCPU for a new pick (a kick, a slice's end). */
bool pv_resched_pending(void);
/*
 * Pick and switch. From the idle loop (no vCPU here): returns only if
 * the pick is idle. pv_schedule_away: the current vCPU stops (it is down,
 * paused or dying; its frame is kept) and this pCPU runs whatever is
 * next, or idles.
 */
void pv_schedule_from_idle(void);
void pv_schedule_away(void) __attribute__((noreturn));
/* On the way back to the guest, when pv_resched_pending(): may not return. */
void pv_exit_schedule(void);
/* This pCPU's slice timer; from pv_cpu_init. */
void pv_context_cpu_init(void);
/* Once at boot: does saving and restoring a vCPU's SSE state work here? */
void pv_context_check(void);

/* Hypercall and trap entry from a guest (pv/hypercall.c, pv/traps.c). */
void pv_handle_syscall(struct cpu_regs *regs);
void pv_handle_syscall32(struct cpu_regs *regs);
void pv_handle_guest_trap(struct cpu_regs *regs);

/*
 * Work before any return to a guest: run softirqs, then deliver a pending
 * event upcall by bouncing to the guest's event callback.
 */
void pv_exit_to_guest(struct cpu_regs *regs);

/* Deliver an exception to the guest's handler; false if it has none. */
bool pv_inject_trap(struct vcpu *v, unsigned vector, bool has_error, uint32_t error,
                    uint64_t cr2);

/* Publish a vCPU's pvclock, and a domain's wallclock (pv/time.c). */
void pv_publish_time(struct vcpu *v);
/* The domain's shared_info wall clock (pv/time.c). */
void pv_publish_wallclock(struct domain *d);
/* platform_op settime: wall clock secs.nsecs at system time system_time; every domain follows. */
int pv_set_wallclock(uint64_t secs, uint32_t nsecs, uint64_t system_time);

/* Runstate as the scheduler accounts it, and the guest's copy (pv/runstate.c). */
struct vcpu_runstate_info;
void pv_runstate_snapshot(struct vcpu *v, struct vcpu_runstate_info *out);
void pv_runstate_publish(struct vcpu *v);

/* The guest's GDT (pv/gdt.c). */
bool pv_validate_descriptor_page(uint64_t mfn);
int pv_install_gdt(struct vcpu *v, const uint64_t *frames, unsigned entries);
void pv_load_gdt(struct vcpu *v);   /* the running vCPU's, into this CPU's GDT */
void pv_save_selectors(struct vcpu *v);
/* False if a selector did not load (it is null now): the failsafe callback is due. */
bool pv_load_selectors(struct vcpu *v);
void pv_load_user_gs_selector(struct vcpu *v, uint16_t sel);

/*
 * Debug registers (pv/debugreg.c): set and read with Xen's checks
 * (-EPERM, -EINVAL, -ENODEV), loaded while the vCPU runs with DR7 armed.
 */
void pv_debugreg_reset(struct vcpu *v);
long pv_set_debugreg(struct vcpu *v, unsigned reg, uint64_t value);
long pv_get_debugreg(struct vcpu *v, unsigned reg, uint64_t *value);
void pv_debugreg_switch_in(struct vcpu *v);
void pv_debugreg_switch_out(struct vcpu *v);
void pv_debugreg_trap(struct vcpu *v);   /* a #DB from the guest: its DR6 */

/* A frame of d's own that is not one of its page tables (pv/page_type.c). */
bool pv_frame_is_own_data(const struct domain *d, uint64_t mfn);
/* Per-CPU syscall MSRs; on every CPU before it runs a guest. */
void pv_cpu_init(void);

/* The stall watch (pv/stall_watch.c): threshold in seconds, 0 = off; started once CPUs are up. */
extern uint64_t pv_stall_watch_s;
void pv_stall_watch_start(void);

/* Complete a faulting privileged instruction for the guest; false if not ours. */
bool pv_emulate(struct vcpu *v, struct cpu_regs *r, unsigned vector);
/* A write fault on one of the guest's L1 tables, carried out (pv/ptwr.c). */
bool pv_emulate_pt_write(struct vcpu *v, struct cpu_regs *r, uint64_t cr2);
/*
 * A store by the control domain that faulted on its read-only mapping of
 * an MSI-X table or PBA page (pv/mmio_ro.c): true if it was dropped and
 * the guest moved past it, false if the fault is the guest's.
 */
bool pv_emulate_mmio_ro_write(struct vcpu *v, struct cpu_regs *r, uint64_t cr2);
void pv_toggle_mode(struct vcpu *v);
/* FS_BASE, GS_BASE or KERNEL_GS_BASE for v, never faulting (a refused value crashes v). */
void pv_write_base_msr(struct vcpu *v, uint32_t msr, uint64_t val);
/* The CPU refused an iretq to the guest (pv/entry.S): the guest takes the fault. */
void pv_guest_iret_faulted(struct cpu_regs *regs);
/* The guest's view of CR0: PG PE ET NE WP MP, and TS as it set it. */
#define PV_GUEST_CR0 0x80050033ull
void pv_set_virtual_ts(struct vcpu *v, bool ts);
void pv_bounce_syscall(struct vcpu *v, struct cpu_regs *regs);
long pv_do_iret(struct vcpu *v, struct cpu_regs *r);
long pv_set_trap_table(struct vcpu *v, uint64_t table);
struct callback_register;
long pv_register_callback(struct vcpu *v, const struct callback_register *cb);

/*
 * A full 64-bit context for a vCPU that is down and has none yet, checked
 * as Xen checks it (VCPUOP_initialise, domctl setvcpucontext;
 * pv/vcpu_ctl.c): 0 or -EINVAL. Call with v's ctl_lock held.
 */
struct vcpu_guest_context;
int pv_apply_context(struct vcpu *v, const struct vcpu_guest_context *c);

/* The domain is done with (shutdown or crash): report and stop its vCPU. */
void pv_domain_shutdown(struct domain *d, unsigned reason) __attribute__((noreturn));
/*
 * Stops d for good (its vCPUs leave their CPUs; timers, event channels and
 * grant mappings go; the control domain hears of it). Only the first call
 * for a domain acts: true then, false for every later one.
 */
bool pv_domain_shut_down(struct domain *d, unsigned reason);
void pv_domain_crash(struct vcpu *v, const char *why) __attribute__((noreturn));

/* Enter or return to a guest with this frame (entry.S). */
void pv_return_to_guest(struct cpu_regs *frame) __attribute__((noreturn));

static inline bool regs_from_guest(const struct cpu_regs *r)
{
    return (r->cs & 3) == 3;
}

#endif
