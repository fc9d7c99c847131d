/*
 * Boot of a PV test kernel: per-vCPU state, shared_info mapping, trap table
 * and callbacks, then the test, then the verdict and shutdown.
 */
#include "guest.h"

/* guest_start_info lives in head.S, which stores RSI there before C runs. */
shared_info_t *guest_shared_info;
domid_t guest_domid = DOMID_SELF;
struct percpu percpu_area[XEN_LEGACY_MAX_VCPUS];

static char shared_info_page[PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

unsigned long pfn_to_mfn(unsigned long pfn)
{
    const unsigned long *p2m = (const unsigned long *)guest_start_info->mfn_list;
    return p2m[pfn];
}

unsigned long virt_to_mfn(const void *va)
{
    /* Linked with VIRT_BASE 0, so a virtual address is a pseudo-physical one. */
    return pfn_to_mfn((unsigned long)va >> PAGE_SHIFT);
}

long map_machine_page(void *va, unsigned long mfn, unsigned long pte_flags)
{
    return hyp_update_va_mapping((unsigned long)va, ((uint64_t)mfn << PAGE_SHIFT) | pte_flags,
                                 UVMF_INVLPG | UVMF_LOCAL);
}

long unmap_machine_page(void *va)
{
    return map_machine_page(va, virt_to_mfn(va), PTE_KERNEL_RW);
}

void percpu_init(unsigned int vcpu)
{
    percpu_area[vcpu].vcpu_id = vcpu;
    /* Kernel %gs base points at this vCPU's block; see this_vcpu_id(). */
    hyp_set_segment_base(SEGBASE_GS_KERNEL, (unsigned long)&percpu_area[vcpu]);
}

unsigned int this_vcpu_id(void)
{
    unsigned int id;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(id));
    return id;
}

vcpu_info_t *this_vcpu_info(void)
{
    unsigned int id = this_vcpu_id();
    vcpu_info_t *moved = percpu_area[id].vcpu_info;     /* VCPUOP_register_vcpu_info */
    return moved ? moved : &guest_shared_info->vcpu_info[id];
}

/* Our domain id, without xenstore: an unbound port we allocate for
 * ourselves reports the real id of its remote end, which is us. */
static void learn_domid(void)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_status status;

    if (guest_start_info->flags & SIF_INITDOMAIN)
        guest_domid = 0;
    if (hyp_event_channel_op(EVTCHNOP_alloc_unbound, &alloc) != 0)
        return;
    status = (struct evtchn_status){ .dom = DOMID_SELF, .port = alloc.port };
    if (hyp_event_channel_op(EVTCHNOP_status, &status) == 0 &&
        status.status == EVTCHNSTAT_unbound)
        guest_domid = status.u.unbound.dom;
    evtchn_close_port(alloc.port);
}

/* "key=<decimal>" from the kernel command line, or dflt. */
long cmdline_number(const char *key, long dflt)
{
    const char *cmd = (const char *)guest_start_info->cmd_line;
    size_t klen = strlen(key);
    for (const char *p = cmd; (p = strstr(p, key)) != NULL; p += klen) {
        if ((p != cmd && p[-1] != ' ') || p[klen] != '=')
            continue;
        const char *d = p + klen + 1;
        if (*d < '0' || *d > '9')
            return dflt;
        long v = 0;
        for (; *d >= '0' && *d <= '9'; d++)
            v = v * 10 + (*d - '0');
        return v;
    }
    return dflt;
}

/* Whether the command line holds the word `word` (space separated). */
bool cmdline_has(const char *word)
{
    const char *cmd = (const char *)guest_start_info->cmd_line;
    size_t len = strlen(word);
    for (const char *p = cmd; (p = strstr(p, word)) != NULL; p += len)
        if ((p == cmd || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0'))
            return true;
    return false;
}

void console_setup(const char *cmdline);

void __attribute__((noreturn)) guest_c_entry(void)
{
    percpu_init(0);
    console_setup((const char *)guest_start_info->cmd_line);

    if (map_machine_page(shared_info_page, guest_start_info->shared_info >> PAGE_SHIFT,
                         PTE_KERNEL_RW) != 0)
        panic("cannot map shared_info");
    guest_shared_info = (shared_info_t *)shared_info_page;

    trap_table_install();
    callbacks_install();
    learn_domid();

    printk("--- Tessera PV test kernel: %s (domain %u, %lu pages)\n", test_title,
           guest_domid, guest_start_info->nr_pages);
    test_main();
    guest_finish();
}
