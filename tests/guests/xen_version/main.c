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
    CHECK(ver >= 0x30000, "XENVER_version %#lx: major below 3", ver);

    xen_extraversion_t extra;
    memset(extra, 0x55, sizeof(extra));
    CHECK_EQ(hyp_xen_version(XENVER_extraversion, extra), 0, "XENVER_extraversion");
    CHECK(memchr_nul(extra, sizeof(extra)), "extraversion not NUL-terminated");

    static xen_capabilities_info_t caps;
    CHECK_EQ(hyp_xen_version(XENVER_capabilities, caps), 0, "XENVER_capabilities");
    CHECK(strstr(caps, "xen-3.0-x86_64") != NULL, "capabilities '%s' lack xen-3.0-x86_64", caps);
    printk("xen_version: capabilities '%s', extraversion '%s'\n", caps, extra);

    xen_changeset_info_t changeset;
    CHECK_EQ(hyp_xen_version(XENVER_changeset, changeset), 0, "XENVER_changeset");

    struct xen_compile_info ci;
    CHECK_EQ(hyp_xen_version(XENVER_compile_info, &ci), 0, "XENVER_compile_info");

    struct xen_platform_parameters pp = { 0 };
    CHECK_EQ(hyp_xen_version(XENVER_platform_parameters, &pp), 0, "XENVER_platform_parameters");
    CHECK(pp.virt_start == HYPERVISOR_VIRT_START, "virt_start %#lx, want %#lx",
          pp.virt_start, HYPERVISOR_VIRT_START);

    CHECK_EQ(hyp_xen_version(XENVER_pagesize, NULL), 4096, "XENVER_pagesize");

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

    CHECK_EQ(hyp_xen_version(64, NULL), -XEN_ENOSYS, "unknown xen_version sub-op");

    /* A hypercall number nobody implements goes through its stub and fails
     * cleanly. */
    CHECK_EQ(hypercall1(60, 0), -XEN_ENOSYS, "hypercall 60");
}
