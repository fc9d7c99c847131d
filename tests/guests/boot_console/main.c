/*
 * Boot and console: the builder's start_info is sane and both console paths
 * work. The framework already used console_io to print the banner; here we
 * check its return values and the start_info fields a PV kernel relies on.
 */
#include "guest.h"

const char test_title[] = "boot and console";

/*
 * With "read_console" on the command line (a boot test that types a line
 * on the serial port), the initial domain reads it: VIRQ_CONSOLE says
 * input is there, CONSOLEIO_read takes it.
 */
static void read_console(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_CONSOLE, .vcpu = 0 };
    if (!CHECK_EQ(hyp_event_channel_op(EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_CONSOLE"))
        return;
    events_enable();
    printk("boot_console: type a line\n");
    char line[64];
    unsigned int len = 0;
    uint64_t deadline = system_time_ns() + 20000000000ULL;
    while (len < sizeof(line) - 1 && (len == 0 || line[len - 1] != '\r') &&
           system_time_ns() < deadline) {
        long n = hyp_console_io(CONSOLEIO_read, sizeof(line) - 1 - len, line + len);
        CHECK(n >= 0, "CONSOLEIO_read returned %ld", n);
        if (n > 0)
            len += (unsigned int)n;
        else
            guest_sleep_ns(5000000);    /* the upcall counts VIRQ_CONSOLE meanwhile */
    }
    CHECK(guest_port_hits[bv.port] > 0, "input came without VIRQ_CONSOLE");
    while (len && (line[len - 1] == '\r' || line[len - 1] == '\n'))
        len--;
    line[len] = 0;
    printk("boot_console: read '%s'\n", line);
    CHECK(len > 0, "no console input within 20 s");
}

void test_main(void)
{
    const start_info_t *si = guest_start_info;
    static const char msg[] = "boot_console: a line written with CONSOLEIO_write\n";

    CHECK(!strncmp(si->magic, "xen-3.0-x86_64", 14), "start_info magic '%.32s'", si->magic);
    CHECK(si->nr_pages > 0, "nr_pages is 0");
    CHECK((si->shared_info & (PAGE_SIZE - 1)) == 0, "shared_info %#lx not page aligned",
          si->shared_info);
    CHECK(si->pt_base >= (unsigned long)_image_end, "pt_base %#lx inside the image",
          si->pt_base);
    CHECK(si->nr_pt_frames >= 4, "nr_pt_frames %lu (need an L4, L3, L2, L1)", si->nr_pt_frames);
    CHECK(si->mfn_list >= (unsigned long)_image_end, "mfn_list %#lx inside the image",
          si->mfn_list);

    /* The p2m must name our own image frames: the first page of the image
     * maps to a machine frame the m2p table maps back. */
    unsigned long pfn = (unsigned long)_image_start >> PAGE_SHIFT;
    unsigned long mfn = pfn_to_mfn(pfn);
    const unsigned long *m2p = (const unsigned long *)MACH2PHYS_VIRT_START;
    CHECK(m2p[mfn] == pfn, "m2p[%#lx] = %#lx, want pfn %#lx", mfn, m2p[mfn], pfn);

    /* The hypervisor's entry state: events masked until we said otherwise
     * (the framework leaves them masked). */
    CHECK(this_vcpu_info()->evtchn_upcall_mask == 1, "events not masked at entry");

    /* The initial domain may always write the hypervisor console; other
     * domains only if the hypervisor allows it (release builds of Xen
     * refuse with -EPERM, and output goes through the console ring). */
    bool initial = si->flags & SIF_INITDOMAIN;
    long rc = hyp_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg);
    CHECK(rc >= 0 || (!initial && rc == -XEN_EPERM), "CONSOLEIO_write returned %ld", rc);
    rc = hyp_console_io(CONSOLEIO_write, 0, msg);
    CHECK(rc >= 0 || (!initial && rc == -XEN_EPERM), "empty CONSOLEIO_write returned %ld", rc);

    if (si->flags & SIF_INITDOMAIN) {
        CHECK(si->flags & SIF_PRIVILEGED, "initial domain without SIF_PRIVILEGED");
        CHECK(si->console.dom0.info_size == 0 || si->console.dom0.info_off >= sizeof(*si),
              "dom0 console info at %u inside start_info", si->console.dom0.info_off);
        printk("boot_console: initial domain (no console ring)\n");
    } else {
        CHECK(si->console.domU.mfn != 0, "domU without a console ring");
        CHECK(si->console.domU.evtchn != 0, "domU console without an event channel");
        CHECK(si->store_mfn != 0, "domU without a xenstore ring");
        CHECK(si->store_evtchn != 0, "domU without a xenstore event channel");
        printk("boot_console: domU, console ring frame %#lx port %u, store frame %#lx port %u\n",
               si->console.domU.mfn, si->console.domU.evtchn, si->store_mfn, si->store_evtchn);
    }
    printk("boot_console: cmdline '%s'\n", (const char *)si->cmd_line);
    if (cmdline_has("read_console"))
        read_console();
}
