/*
 * The boot CPU's path from the first line of C to "ready": console, loader
 * information, memory, page tables, allocators, clocks, interrupts, ACPI,
 * the other CPUs, then the idle loop with the console prompt.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/apic.h>
#include <asm/io_apic.h>
#include <asm/cpu.h>
#include <asm/hvm.h>
#include <asm/cpufeatures.h>
#include <asm/desc.h>
#include <asm/layout.h>
#include <asm/paging.h>
#include <asm/m2p.h>
#include <asm/percpu.h>
#include <asm/pv.h>
#include <asm/pv_mm_audit.h>
#include <asm/pv_perf.h>
#include <asm/power.h>
#include <asm/selftest.h>
#include <asm/serial.h>
#include <asm/setup.h>
#include <asm/smp.h>
#include <asm/time.h>
#include <asm/timers.h>
#include <tessera/arch.h>
#include <tessera/bootinfo.h>
#include <tessera/cmdline.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/domain_ops.h>
#include <tessera/errno.h>
#include <tessera/heap.h>
#include <tessera/log.h>
#include <tessera/memmap.h>
#include <tessera/page_alloc.h>
#include <tessera/panic.h>
#include <tessera/string.h>

extern const char __image_start[], __image_end[];

struct boot_info boot_info;
struct page_allocator frame_allocator;
uint64_t boot_ready_ns;
uint64_t total_ram_bytes;
static uint64_t max_frame;      /* frames below the end of usable RAM */

/* Boot options (see docs/architecture.md for the list). */
static bool opt_debug_exit;
static bool opt_no_x2apic;
static uint64_t opt_maxcpus = MAX_CPUS;
static uint64_t opt_com1_baud = 115200;
static char opt_on_ready[16] = "shell";
static char opt_selftest[16] = "";
static uint64_t opt_dom0_mem;     /* 0: all but a reserve, as Xen (pv/boot_domains.c) */
static uint64_t opt_dom0_vcpus;    /* 0: one per online CPU */

static int set_loglvl(const char *value)
{
    return log_set_level_str(value);
}

static const struct cmdline_option boot_options[] = {
    CMDLINE_CUSTOM("loglvl", set_loglvl, "err|warn|info|debug|all", "console verbosity"),
    CMDLINE_BOOL("debug_exit", opt_debug_exit,
                 "power-off and panic end QEMU (isa-debug-exit) or Bochs"),
    CMDLINE_BOOL("no-x2apic", opt_no_x2apic, "use the local APIC in xAPIC mode"),
    CMDLINE_UINT("maxcpus", opt_maxcpus, "start at most this many CPUs"),
    CMDLINE_UINT("com1", opt_com1_baud, "COM1 baud rate"),
    CMDLINE_STRING("on_ready", opt_on_ready, "shell|poweroff|reboot|halt, once booted"),
    CMDLINE_UINT("dom0_max_vcpus", opt_dom0_vcpus, "vCPUs of the initial domain (default: CPUs)"),
    CMDLINE_SIZE("dom0_mem", opt_dom0_mem,
                 "memory of the domain built from the first module (default: all but a reserve)"),
    CMDLINE_BOOL("dom0_console_raw", pv_dom0_console_raw,
                 "the control domain's console output as it is, without (d0) lines"),
    CMDLINE_STRING("selftest", opt_selftest, "fault|panic|timers: boot-test checks"),
    CMDLINE_BOOL("perfc", pv_perf_on,
                 "count PV hypercalls and emulated exceptions with their cycles; "
                 "the table at power-off"),
    CMDLINE_UINT("stall_watch", pv_stall_watch_s,
                 "report a vCPU blocked this many seconds that the hypervisor failed to wake "
                 "(and timer queues overdue); 0: off"),
    CMDLINE_UINT("pv_audit", pv_audit_every,
                 "audit a PV domain's page types and counts every N hypercalls (debugging)"),
};

static void report_option_error(void *ctx, const char *message)
{
    (void)ctx;
    log_warn("command line: %s\n", message);
}

/* Loader data below 4 GiB is reachable through the boot page tables' direct map. */
static const void *boot_phys_map(void *ctx, uint64_t pa, uint64_t len)
{
    (void)ctx;
    const uint64_t limit = 4ull << 30;
    if (len > limit || pa > limit - len)
        return NULL;
    return phys_to_virt(pa);
}

static void print_memory_map(void)
{
    for (unsigned i = 0; i < boot_info.nr_mem; i++) {
        const struct mem_region *r = &boot_info.mem[i];
        log_info("  %016lx - %016lx  %s\n", (unsigned long)r->base,
                 (unsigned long)(r->base + r->length), memmap_type_name(r->type));
    }
}

/* Ranges no allocator may hand out: low 1 MiB, the image, every module. */
static unsigned collect_reserved(struct mem_range *out, unsigned max)
{
    unsigned n = 0;
    out[n++] = (struct mem_range){ 0, 1ull << 20 };
    out[n++] = (struct mem_range){ virt_to_phys(__image_start), virt_to_phys(__image_end) };
    for (unsigned i = 0; i < boot_info.nr_modules && n < max; i++)
        out[n++] = (struct mem_range){ ALIGN_DOWN(boot_info.modules[i].start, PAGE_SIZE),
                                       ALIGN_UP(boot_info.modules[i].end, PAGE_SIZE) };
    return n;
}

struct early_search {
    uint64_t size;
    uint64_t found;
};

static int find_low_area(void *ctx, uint64_t base, uint64_t end)
{
    struct early_search *s = ctx;
    if (end > (4ull << 30) || end - base < s->size)
        return 0;
    s->found = base;
    return 1;
}

static int add_free_range(void *ctx, uint64_t base, uint64_t end)
{
    (void)ctx;
    page_alloc_add_free(&frame_allocator, base >> PAGE_SHIFT, (end - base) >> PAGE_SHIFT);
    return 0;
}

static void *heap_alloc_pages(void *ctx, unsigned order)
{
    uint64_t mfn;
    (void)ctx;
    if (page_alloc_alloc(&frame_allocator, order, DOMID_XEN, &mfn) < 0)
        return NULL;
    return phys_to_virt(mfn << PAGE_SHIFT);
}

static void heap_free_pages(void *ctx, void *va, unsigned order)
{
    (void)ctx;
    page_alloc_free(&frame_allocator, virt_to_phys(va) >> PAGE_SHIFT, order);
}

static const struct heap_page_source heap_source = { heap_alloc_pages, heap_free_pages, NULL };

/*
 * Memory: sanitise the map, build the page tables, then hand every frame
 * not otherwise in use to the frame allocator.
 */
static void memory_init(void)
{
    struct mem_range reserved[2 + BOOTINFO_MAX_MODULES + 1];
    unsigned nr_reserved;
    int fixes = memmap_sanitize(boot_info.mem, &boot_info.nr_mem, BOOTINFO_MAX_MEM_REGIONS);

    if (fixes < 0)
        panic("the memory map from the boot loader is unusable (error %d)", fixes);
    if (fixes > 0)
        log_warn("memory map: %d problems fixed (overlaps, unaligned or empty entries)\n", fixes);
    log_info("Memory map:\n");
    print_memory_map();

    uint64_t max_addr = 0;
    for (unsigned i = 0; i < boot_info.nr_mem; i++)
        if (boot_info.mem[i].type == MEM_USABLE)
            max_addr = MAX(max_addr, boot_info.mem[i].base + boot_info.mem[i].length);
    total_ram_bytes = memmap_total(boot_info.mem, boot_info.nr_mem, MEM_USABLE);
    if (total_ram_bytes < (16ull << 20))
        panic("only %lu KiB of usable RAM; Tessera needs at least 16 MiB",
              (unsigned long)(total_ram_bytes >> 10));
    if (max_addr > DIRECTMAP_SIZE) {
        log_warn("memory above %lu GiB is not used\n", (unsigned long)(DIRECTMAP_SIZE >> 30));
        max_addr = DIRECTMAP_SIZE;
    }

    /* Frame metadata and page-table frames, in one area below 4 GiB. */
    uint64_t nr_frames = max_addr >> PAGE_SHIFT;
    max_frame = nr_frames;
    uint64_t meta_bytes = ALIGN_UP(nr_frames * sizeof(struct page_info), PAGE_SIZE);
    uint64_t table_frames = paging_tables_needed(boot_info.mem, boot_info.nr_mem);
    struct early_search search = { meta_bytes + table_frames * PAGE_SIZE, 0 };

    nr_reserved = collect_reserved(reserved, ARRAY_SIZE(reserved) - 1);
    memmap_for_each_free(boot_info.mem, boot_info.nr_mem, reserved, nr_reserved,
                         find_low_area, &search);
    if (!search.found)
        panic("no %lu KiB of free memory below 4 GiB for the frame table",
              (unsigned long)(search.size >> 10));

    struct early_frames pool = { search.found + meta_bytes, search.found + search.size };
    int rc = paging_init(boot_info.mem, boot_info.nr_mem, &pool);
    if (rc)
        panic("building the page tables failed (error %d)", rc);

    page_alloc_init(&frame_allocator, phys_to_virt(search.found), 0, nr_frames);
    reserved[nr_reserved++] = (struct mem_range){ search.found, search.found + search.size };
    memmap_for_each_free(boot_info.mem, boot_info.nr_mem, reserved, nr_reserved,
                         add_free_range, NULL);
    paging_use_frame_allocator();
    heap_init(&heap_source);
    log_info("Memory: %lu MiB usable, %lu MiB free for allocation\n",
             (unsigned long)(total_ram_bytes >> 20),
             (unsigned long)(free_memory_bytes() >> 20));
}

uint64_t free_memory_bytes(void)
{
    struct page_alloc_stats stats;
    page_alloc_stats(&frame_allocator, &stats);
    return stats.free << PAGE_SHIFT;
}

uint64_t boot_modules_release(void)
{
    uint64_t given = 0;
    for (unsigned i = 0; i < boot_info.nr_modules; i++) {
        /* Whole pages only: a page a module shares with another stays reserved. */
        uint64_t start = ALIGN_UP(boot_info.modules[i].start, PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(boot_info.modules[i].end, PAGE_SIZE);
        if (end <= start)
            continue;
        if (page_alloc_add_free(&frame_allocator, start >> PAGE_SHIFT,
                                (end - start) >> PAGE_SHIFT) == 0)
            given += end - start;
    }
    if (given)
        log_info("boot modules: %lu KiB given back, %lu MiB free\n", (unsigned long)(given >> 10),
                 (unsigned long)(free_memory_bytes() >> 20));
    return given;
}

static const char *module_kind(const uint8_t *p, uint64_t len)
{
    if (len >= 0x206 && memcmp(p + 0x202, "HdrS", 4) == 0)
        return "Linux bzImage";
    if (len >= 5 && memcmp(p, "\177ELF", 4) == 0)
        return p[4] == 2 ? "ELF64 image" : "ELF32 image";
    if (len >= 2 && p[0] == 0x1F && p[1] == 0x8B)
        return "gzip data";
    if (len >= 6 && memcmp(p, "\3757zXZ", 6) == 0)
        return "xz data";
    if (len >= 6 && memcmp(p, "070701", 6) == 0)
        return "cpio archive";
    return NULL;
}

/*
 * Multiboot v1 loaders (QEMU, GRUB) start the hypervisor's and every
 * module's command line with the file's own name; v2 loaders do not.
 */
static const char *skip_image_name(const char *s)
{
    if (boot_info.protocol != 1)
        return s;
    while (*s == ' ')
        s++;
    while (*s && *s != ' ')
        s++;
    while (*s == ' ')
        s++;
    return s;
}

const char *boot_options_text(void)
{
    return skip_image_name(boot_info.cmdline);
}

/*
 * Modules are what domains are built from; check each is sane. Returns the
 * index of the first one that is an ELF64 kernel, or -1.
 */
static bool module_ok[BOOTINFO_MAX_MODULES];
static bool module_is_kernel[BOOTINFO_MAX_MODULES];
static bool module_is_initrd[BOOTINFO_MAX_MODULES];   /* right after a kernel */

/* Why a module that has a known format builds nothing, and what to do. */
static void explain_unused_module(unsigned i, const char *kind)
{
    if (strcmp(kind, "Linux bzImage") == 0)
        log_err("module %u: not used: a bzImage is not loaded by Tessera's builder, which "
                "takes ELF kernels: extract its ELF with guest-patches/extract-vmlinux.py "
                "(a toolstack's builder may decompress it instead)\n", i);
    else if (strcmp(kind, "ELF32 image") == 0)
        log_err("module %u: not used: a 32-bit ELF kernel; Tessera runs 64-bit PV kernels\n", i);
    else
        log_err("module %u: not used: %s with no kernel module right before it (a module "
                "right after a kernel is that kernel's initrd)\n", i, kind);
}

static int check_modules(void)
{
    int kernel = -1;

    if (boot_info.nr_modules == 0) {
        log_info("Modules: none given; no domain to build\n");
        return -1;
    }
    for (unsigned i = 0; i < boot_info.nr_modules; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        const char *args = skip_image_name(m->cmdline);
        uint64_t len = m->end - m->start;
        const char *problem = NULL;

        if (m->end <= m->start)
            problem = "it is empty";
        else if (!memmap_contains(boot_info.mem, boot_info.nr_mem, m->start, m->end, MEM_USABLE))
            problem = "it lies outside usable RAM";
        else if (m->start < virt_to_phys(__image_end) && m->end > virt_to_phys(__image_start))
            problem = "it overlaps the hypervisor image";
        if (problem) {
            log_err("module %u ('%s'): ignored: %s\n", i, args, problem);
            continue;
        }
        const char *kind = module_kind(phys_to_virt(m->start), len);
        module_ok[i] = kind != NULL;
        module_is_kernel[i] = kind && strcmp(kind, "ELF64 image") == 0;
        if (module_is_kernel[i] && kernel < 0)
            kernel = (int)i;
        /* Right after a kernel, any data is its initrd: the guest knows its format. */
        module_is_initrd[i] = !module_is_kernel[i] && i > 0 && module_is_kernel[i - 1] &&
                              module_ok[i - 1];
        if (module_is_initrd[i])
            log_info("module %u: %lu bytes, %s, the initrd of module %u\n", i,
                     (unsigned long)len, kind ? kind : "data", i - 1);
        else if (kind)
            log_info("module %u: %lu bytes, %s, '%s'\n", i, (unsigned long)len, kind, args);
        else
            log_err("module %u ('%s'): ignored: not a kernel or initrd format Tessera knows\n",
                    i, args);
        if (kind && !module_is_kernel[i] && !module_is_initrd[i])
            explain_unused_module(i, kind);
    }
    return kernel;
}

/*
 * Every kernel module becomes a domain; the first is the control domain.
 * A module that is not a kernel and comes right after one is that
 * kernel's initrd (as Xen takes the module after dom0's kernel).
 */
static void start_domains(void)
{
    struct pv_boot_image images[BOOTINFO_MAX_MODULES];
    unsigned n = 0;

    for (unsigned i = 0; i < boot_info.nr_modules; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        if (module_ok[i] && module_is_kernel[i]) {
            images[n++] = (struct pv_boot_image){
                .image = phys_to_virt(m->start),
                .len = m->end - m->start,
                .args = skip_image_name(m->cmdline),
            };
        } else if (module_is_initrd[i] && n > 0) {
            images[n - 1].initrd = phys_to_virt(m->start);
            images[n - 1].initrd_len = m->end - m->start;
        }
    }
    if (n == 0)
        return;
    unsigned vcpus = (unsigned)MIN(opt_dom0_vcpus ? opt_dom0_vcpus : nr_cpus_online,
                                   (uint64_t)MAX_VCPUS_PER_DOMAIN);
    pv_start_boot_domains(images, n, opt_dom0_mem, vcpus);
}

void start_hypervisor(uint32_t magic, uint32_t info_pa);
void start_hypervisor(uint32_t magic, uint32_t info_pa)
{
    time_mark_boot();
    smp_prepare_boot_cpu();
    serial_init(COM1_PORT, 115200);
    idt_init();
    cpu_desc_init(percpu_table[0]);

    log_info("Tessera %s (x86-64) starting\n", TESSERA_VERSION);
    struct phys_reader reader = { boot_phys_map, NULL };
    int rc = bootinfo_parse(magic, info_pa, &reader, &boot_info);
    if (rc < 0)
        panic("cannot use the boot loader's information: %s", boot_info.error);

    cmdline_parse(boot_options_text(), boot_options, ARRAY_SIZE(boot_options), report_option_error,
                  NULL);
    debug_exit_enabled = opt_debug_exit;
    if (opt_com1_baud != 115200)
        serial_init(COM1_PORT, (unsigned)opt_com1_baud);
    log_info("Loader: %s, multiboot%s, command line: '%s'\n",
             boot_info.loader_name[0] ? boot_info.loader_name : "unnamed",
             boot_info.protocol == 2 ? "2" : "1", boot_options_text());

    cpu_features_detect();
    cpu_features_init();
    log_info("CPU: %s %s\n", boot_cpu_features.vendor, boot_cpu_features.brand);

    memory_init();
    rc = m2p_init(max_frame);
    if (rc < 0)
        panic("cannot set up the machine-to-phys table (error %d)", rc);
    tsc_calibrate();
    rc = acpi_init(boot_info.has_rsdp ? boot_info.rsdp : NULL);
    if (rc < 0)
        log_warn("acpi: no usable tables (error %d): one CPU, no ACPI power-off\n", rc);

    outb(0x21, 0xFF);       /* the legacy PICs stay masked: the APIC is used */
    outb(0xA1, 0xFF);
    apic_init_boot(!opt_no_x2apic);
    apic_init_cpu();
    pv_cpu_init();
    hvm_detect();
    hvm_cpu_init();
    percpu_table[0]->apic_id = apic_read_id();
    io_apic_init();
    apic_timer_calibrate();
    timers_init();
    nr_cpus_online = 1;
    percpu_table[0]->online = true;
    irq_enable();

    if (strcmp(opt_selftest, "timers") != 0)
        run_selftest(opt_selftest);
    int kernel_module = check_modules();
    smp_bring_up((unsigned)MIN(opt_maxcpus ? opt_maxcpus : 1, (uint64_t)MAX_CPUS));
    if (strcmp(opt_selftest, "timers") == 0)
        run_selftest(opt_selftest);
    pv_stall_watch_start();

    boot_ready_ns = arch_now_ns();
    log_info("Tessera ready: %u of %u CPUs online, %lu MiB RAM, boot took %lu ms\n",
             nr_cpus_online, acpi.nr_cpus ? acpi.nr_cpus : 1,
             (unsigned long)(total_ram_bytes >> 20), (unsigned long)(boot_ready_ns / 1000000));

    if (kernel_module >= 0)
        start_domains();
    if (strcmp(opt_on_ready, "poweroff") == 0)
        machine_poweroff();
    if (strcmp(opt_on_ready, "reboot") == 0)
        machine_reboot();
    if (strcmp(opt_on_ready, "halt") == 0)
        cpu_idle_loop(NULL);
    if (strcmp(opt_on_ready, "shell") != 0)
        log_warn("on_ready: unknown action '%s'; starting the shell\n", opt_on_ready);
    shell_start();
}
