/*
 * The hypercall page and xen_version: the page is filled with one stub per
 * hypercall number, and every xen_version sub-op a guest may use answers
 * with plausible, consistent data.
 */
#include "guest.h"

const char test_title[] = "hypercall page and xen_version";

/* A stub loads its own number into EAX (mov $imm32, %eax = b8 imm32) and
 * issues `syscall` (0f 05). */
static bool stub_names(unsigned int nr)
{
    const unsigned char *p = (const unsigned char *)hypercall_page + nr * 32;
    bool mov = false, sys = false;
    for (int i = 0; i < 27; i++) {
        if (p[i] == 0xb8 && p[i + 1] == (nr & 0xff) && p[i + 2] == 0 &&
            p[i + 3] == 0 && p[i + 4] == 0)
            mov = true;
        if (p[i] == 0x0f && p[i + 1] == 0x05)
            sys = true;
    }
    return mov && sys;
}

static bool memchr_nul(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i])
            return true;
    return false;
}

/*
 * The command line and the build id are the control domain's: a domU gets
 * the string "<denied>" (just its 9 bytes) and -EPERM. For the control
 * domain, build_id with no buffer is the id's length, then the buffer's
 * len field is checked (0: -EINVAL, too small: -ENOBUFS) and the id is
 * returned with its length, the same each time.
 */
static void check_privileged_sub_ops(bool privileged)
{
    static xen_commandline_t cmdline;
    memset(cmdline, 0x55, sizeof(cmdline));
    CHECK_EQ(hyp_xen_version(XENVER_commandline, cmdline), 0, "XENVER_commandline");
    if (!privileged) {
        CHECK(memcmp(cmdline, "<denied>", 9) == 0, "a domU's command line is '%.16s'", cmdline);
        CHECK((unsigned char)cmdline[9] == 0x55, "more than \"<denied>\" written");
        CHECK_EQ(hyp_xen_version(XENVER_build_id, NULL), -XEN_EPERM, "a domU's XENVER_build_id");
        return;
    }
    CHECK(memchr_nul(cmdline, sizeof(cmdline)), "command line not NUL-terminated");
    printk("xen_version: command line '%s'\n", cmdline);

    long len = hyp_xen_version(XENVER_build_id, NULL);
    printk("xen_version: build id of %ld bytes\n", len);
    CHECK(len > 0 && len <= 64, "XENVER_build_id(NULL) = %ld, want its length", len);
    if (len <= 0 || len > 64)
        return;
    static struct { uint32_t len; unsigned char buf[64]; } id, again;
    id.len = 0;
    CHECK_EQ(hyp_xen_version(XENVER_build_id, &id), -XEN_EINVAL, "XENVER_build_id with len 0");
    id.len = (uint32_t)len - 1;
    CHECK_EQ(hyp_xen_version(XENVER_build_id, &id), -XEN_ENOBUFS,
             "XENVER_build_id with one byte too few");
    id.len = sizeof(id.buf);
    memset(id.buf, 0, sizeof(id.buf));
    CHECK_EQ(hyp_xen_version(XENVER_build_id, &id), len, "XENVER_build_id");
    again.len = (uint32_t)len;
    CHECK_EQ(hyp_xen_version(XENVER_build_id, &again), len, "XENVER_build_id, exact room");
    CHECK(memcmp(id.buf, again.buf, (size_t)len) == 0, "the build id changed between calls");
    bool zero = true;
    for (long i = 0; i < len; i++)
        zero &= id.buf[i] == 0;
    CHECK(!zero, "the build id is all zeros");
}

/* With its virtual PMU off (Xen 4.17's default) every xenpmu_op is -EOPNOTSUPP,
 * XENPMU_mode_get (0) and feature_get (2) included. */
static void check_pmu_is_off(void)
{
    static struct { uint32_t maj, min; uint64_t val, vcpu, pad; } params = { .maj = 0 };
    CHECK_EQ(hypercall2(__HYPERVISOR_xenpmu_op, 0, (unsigned long)&params), -XEN_EOPNOTSUPP,
             "xenpmu_op mode_get");
    CHECK_EQ(hypercall2(__HYPERVISOR_xenpmu_op, 2, (unsigned long)&params), -XEN_EOPNOTSUPP,
             "xenpmu_op feature_get");
}

void test_main(void)
{
    /* The page was 0xcc (int3) in our image; the hypervisor overwrote it. */
    static const unsigned int nrs[] = {
        __HYPERVISOR_set_trap_table, __HYPERVISOR_mmu_update, __HYPERVISOR_memory_op,
        __HYPERVISOR_xen_version, __HYPERVISOR_console_io, __HYPERVISOR_grant_table_op,
        __HYPERVISOR_vcpu_op, __HYPERVISOR_sched_op, __HYPERVISOR_event_channel_op,
        __HYPERVISOR_iret,
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++)
        CHECK(stub_names(nrs[i]), "hypercall page slot %u is not a stub for %u", nrs[i], nrs[i]);

    long ver = hyp_xen_version(XENVER_version, NULL);
    printk("xen_version: %ld.%ld\n", ver >> 16, ver & 0xffff);
    CHECK_EQ(ver, 0x40011, "XENVER_version (Xen 4.17)");

    xen_extraversion_t extra;
    memset(extra, 0x55, sizeof(extra));
    CHECK_EQ(hyp_xen_version(XENVER_extraversion, extra), 0, "XENVER_extraversion");
    CHECK(memchr_nul(extra, sizeof(extra)), "extraversion not NUL-terminated");

    static xen_capabilities_info_t caps;
    CHECK_EQ(hyp_xen_version(XENVER_capabilities, caps), 0, "XENVER_capabilities");
    CHECK(strstr(caps, "xen-3.0-x86_64") != NULL, "capabilities '%s' lack xen-3.0-x86_64", caps);
    printk("xen_version: capabilities '%s', extraversion '%s'\n", caps, extra);

    xen_changeset_info_t changeset;
    memset(changeset, 0x55, sizeof(changeset));
    CHECK_EQ(hyp_xen_version(XENVER_changeset, changeset), 0, "XENVER_changeset");
    /* Debian's Xen 4.17 answers an empty string. */
    CHECK(memchr_nul(changeset, sizeof(changeset)), "changeset not NUL-terminated");

    struct xen_compile_info ci;
    memset(&ci, 0x55, sizeof(ci));
    CHECK_EQ(hyp_xen_version(XENVER_compile_info, &ci), 0, "XENVER_compile_info");
    CHECK(memchr_nul(ci.compiler, sizeof(ci.compiler)) && ci.compiler[0] &&
          memchr_nul(ci.compile_by, sizeof(ci.compile_by)) &&
          memchr_nul(ci.compile_domain, sizeof(ci.compile_domain)) &&
          memchr_nul(ci.compile_date, sizeof(ci.compile_date)),
          "compile_info fields empty or not NUL-terminated");
    printk("xen_version: compiler '%s', changeset '%s'\n", ci.compiler, changeset);

    struct xen_platform_parameters pp = { 0 };
    CHECK_EQ(hyp_xen_version(XENVER_platform_parameters, &pp), 0, "XENVER_platform_parameters");
    CHECK(pp.virt_start == HYPERVISOR_VIRT_START, "virt_start %#lx, want %#lx",
          pp.virt_start, HYPERVISOR_VIRT_START);

    CHECK_EQ(hyp_xen_version(XENVER_pagesize, NULL), 4096, "XENVER_pagesize");
    /* It takes no argument: a buffer is refused. */
    CHECK_EQ(hyp_xen_version(XENVER_pagesize, &pp), -XEN_EINVAL, "XENVER_pagesize with a buffer");

    struct xen_feature_info fi = { .submap_idx = 0 };
    CHECK_EQ(hyp_xen_version(XENVER_get_features, &fi), 0, "XENVER_get_features");
    printk("xen_version: features submap 0 = %#x\n", fi.submap);
    CHECK(!(fi.submap & (1u << XENFEAT_auto_translated_physmap)),
          "a PV guest must not be auto-translated");
    /* pae_pgdir_above_4gb only follows the guest's own request (its FEATURES
     * note, which Xen's dom0 builder honours and xl's does not), so it is
     * not checked. */
    CHECK(fi.submap & (1u << XENFEAT_mmu_pt_update_preserve_ad), "no mmu_pt_update_preserve_ad");
    /* Xen 4.17 does not emulate writes into descriptor pages (update_descriptor
     * is the way), and does not claim to (0x228f0 for its dom0 here). */
    CHECK(!(fi.submap & (1u << XENFEAT_writable_descriptor_tables)),
          "writable_descriptor_tables advertised");
    if (guest_start_info->flags & SIF_INITDOMAIN)
        CHECK(fi.submap & (1u << XENFEAT_dom0), "initial domain without XENFEAT_dom0");
    fi = (struct xen_feature_info){ .submap_idx = XENFEAT_NR_SUBMAPS };
    CHECK_EQ(hyp_xen_version(XENVER_get_features, &fi), -XEN_EINVAL,
             "XENVER_get_features beyond the last submap");

    xen_domain_handle_t handle;
    CHECK_EQ(hyp_xen_version(XENVER_guest_handle, handle), 0, "XENVER_guest_handle");
    /* The handle written to the hypervisor's own range: refused, nothing written. */
    CHECK_EQ(hyp_xen_version(XENVER_guest_handle, (void *)HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "XENVER_guest_handle into the hypervisor's range");

    check_privileged_sub_ops(guest_start_info->flags & SIF_INITDOMAIN);
    check_pmu_is_off();

    CHECK_EQ(hyp_xen_version(64, NULL), -XEN_ENOSYS, "unknown xen_version sub-op");

    /* A hypercall number nobody implements goes through its stub and fails
     * cleanly. */
    CHECK_EQ(hypercall1(60, 0), -XEN_ENOSYS, "hypercall 60");
}
