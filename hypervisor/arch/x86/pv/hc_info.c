/* console_io and xen_version: what a guest says to and asks of the hypervisor. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <asm/pv.h>
#include <asm/pv_hypercalls.h>
#include <asm/setup.h>
#include <pvabi/features.h>
#include <pvabi/version.h>
#include <pvabi/xen.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/guest_access.h>
#include <tessera/log.h>
#include <tessera/string.h>

#define CONSOLE_CHUNK     128
#define CONSOLE_LINE_MAX  256
#define CONSOLE_WRITE_MAX (64u << 10)

/* One partial line per domain id slot, so guests' lines never mix mid-line. */
struct console_line {
    domid_t domid;
    bool to_ring;           /* kept for readconsole: not a control domain's */
    unsigned len;
    char buf[CONSOLE_LINE_MAX];
};
static struct console_line lines[8];
static spinlock_t console_lock = SPINLOCK_INIT;

/*
 * dom0_console_raw: the control domain's bytes go to the console as they
 * are, as Xen writes its hardware domain's (an interactive shell needs its
 * prompt and echo shown before a newline comes, and its escape sequences).
 * Off by default: the boot tests read "(dN)" lines.
 */
bool pv_dom0_console_raw;

static void line_out(const struct console_line *l)
{
    if (l->to_ring)
        log_info("(d%u) %.*s\n", l->domid, (int)l->len, l->buf);
    else
        log_console_printf(LOG_INFO, "(d%u) %.*s\n", l->domid, (int)l->len, l->buf);
}

static void console_put(domid_t domid, bool to_ring, const char *s, size_t n)
{
    struct console_line *l = &lines[domid % ARRAY_SIZE(lines)];

    if (l->domid != domid && l->len) {
        line_out(l);
        l->len = 0;
    }
    l->domid = domid;
    l->to_ring = to_ring;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n' || l->len == CONSOLE_LINE_MAX) {
            line_out(l);
            l->len = 0;
            if (c == '\n')
                continue;
        }
        if (c == '\r')
            continue;
        /* Control characters from a guest are shown, not obeyed. */
        l->buf[l->len++] = (c < 0x20 && c != '\t') || c == 0x7F ? '?' : c;
    }
}

void pv_console_write(domid_t domid, const char *s, size_t n)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);
    console_put(domid, true, s, n);
    spin_unlock_irqrestore(&console_lock, flags);
}

/* console_io from a control domain: to the consoles, not the log ring. */
static void control_console_write(domid_t domid, const char *s, size_t n)
{
    if (domid == 0 && pv_dom0_console_raw) {
        log_raw(s, n);
        return;
    }
    unsigned long flags = spin_lock_irqsave(&console_lock);
    console_put(domid, false, s, n);
    spin_unlock_irqrestore(&console_lock, flags);
}

long hc_console_io(struct vcpu *v, int cmd, unsigned int count, uint64_t buf)
{
    char chunk[CONSOLE_CHUNK];

    if (cmd == CONSOLEIO_read)
        return v->domain->is_privileged ? pv_console_read(v->domain, buf, count) : -EPERM;
    if (cmd != CONSOLEIO_write)
        return -ENOSYS;
    if (!v->domain->is_privileged)
        return -EPERM;
    if (count > CONSOLE_WRITE_MAX)
        count = CONSOLE_WRITE_MAX;
    for (uint64_t done = 0; done < count; done += sizeof(chunk)) {
        size_t n = MIN(sizeof(chunk), count - done);
        if (copy_from_guest(chunk, buf + done, n) < 0)
            return -EFAULT;
        control_console_write(v->domain->domain_id, chunk, n);
    }
    return 0;
}

static long copy_string_out(uint64_t dst, const char *s, size_t size)
{
    char buf[1024];
    if (size > sizeof(buf))
        size = sizeof(buf);
    memset(buf, 0, size);
    strlcpy(buf, s, size);
    return copy_to_guest(dst, buf, size) < 0 ? -EFAULT : 0;
}

static uint32_t features_for(const struct domain *d)
{
    /* A PVH guest's, as Xen 4.17 gives one: translated, its own page tables, the
     * event upcall as an interrupt vector and a pvclock it may read in any mode. */
    if (d->arch->hvm) {
        uint32_t f = (1u << XENFEAT_writable_page_tables) |
                     (1u << XENFEAT_auto_translated_physmap) |
                     (1u << XENFEAT_supervisor_mode_kernel) |
                     (1u << XENFEAT_hvm_callback_vector) |
                     (1u << XENFEAT_hvm_safe_pvclock) |
                     (1u << XENFEAT_memory_op_vnode_supported) |
                     (1u << XENFEAT_not_direct_mapped);
        return d->is_privileged ? f | (1u << XENFEAT_dom0) : f;
    }

    /* Not writable_descriptor_tables: descriptor pages are written with
     * update_descriptor only (a plain write faults), and Xen 4.17 does not
     * offer it to PV guests either. */
    uint32_t f = (1u << XENFEAT_mmu_pt_update_preserve_ad) |
                 (1u << XENFEAT_gnttab_map_avail_bits);
    if (d->is_privileged)
        f |= 1u << XENFEAT_dom0;
    return f;
}

/* The GNU build-id note the linker writes (--build-id, tessera.lds.S). */
extern const uint8_t __build_id_note_start[], __build_id_note_end[];

/* As Xen's xen_build_id(): the id's bytes, or -ENODATA when there is none. */
static int build_id(const uint8_t **id, uint32_t *len)
{
    size_t size = (size_t)(__build_id_note_end - __build_id_note_start);
    uint32_t namesz, descsz, type;

    if (size < 16)
        return -ENODATA;
    memcpy(&namesz, __build_id_note_start, 4);
    memcpy(&descsz, __build_id_note_start + 4, 4);
    memcpy(&type, __build_id_note_start + 8, 4);
    if (namesz != 4 || type != 3 /* NT_GNU_BUILD_ID */ || descsz == 0 ||
        memcmp(__build_id_note_start + 12, "GNU", 4) != 0 || descsz > size - 16)
        return -ENODATA;
    *id = __build_id_note_start + 16;
    *len = descsz;
    return 0;
}

/*
 * XENVER_build_id as Xen 4.17: privileged only (-EPERM); a NULL buffer
 * asks for the length; otherwise its len field is the room there is
 * (0: -EINVAL, too little: -ENOBUFS) and the id's length is returned.
 */
static long xen_version_build_id(struct vcpu *v, uint64_t arg)
{
    uint32_t room = 0, len;
    const uint8_t *id;

    if (!v->domain->is_privileged)
        return -EPERM;
    if (arg) {
        if (copy_from_guest(&room, arg, sizeof(room)) < 0)
            return -EFAULT;
        if (room == 0)
            return -EINVAL;
    }
    int rc = build_id(&id, &len);
    if (rc < 0)
        return rc;
    if (!arg)
        return len;
    if (len > room)
        return -ENOBUFS;
    if (copy_to_guest(arg + offsetof(struct xen_build_id, buf), id, len) < 0)
        return -EFAULT;
    return len;
}

/*
 * Xen 4.17's answers (its dummy XSM policy): every guest gets version,
 * platform parameters, features, extraversion, compile information,
 * capabilities, changeset, page size and its handle; the command line and
 * build id are the control domain's ("<denied>" and -EPERM for others).
 */
long hc_xen_version(struct vcpu *v, int cmd, uint64_t arg)
{
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion:
        return copy_string_out(arg, "-tessera", sizeof(xen_extraversion_t));
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64 ", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "tessera " TESSERA_VERSION, sizeof(xen_changeset_info_t));
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, "gcc " __VERSION__, sizeof(ci.compiler));
        strlcpy(ci.compile_by, "tessera", sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, "tessera", sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, "unknown", sizeof(ci.compile_date));
        return copy_to_guest(arg, &ci, sizeof(ci)) < 0 ? -EFAULT : 0;
    }
    case XENVER_platform_parameters: {
        struct xen_platform_parameters pp = { .virt_start = HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &pp, sizeof(pp)) < 0 ? -EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)) < 0)
            return -EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -EINVAL;
        fi.submap = features_for(v->domain);
        return copy_to_guest(arg, &fi, sizeof(fi)) < 0 ? -EFAULT : 0;
    }
    case XENVER_pagesize:
        /* Xen takes no argument here: a buffer is -EINVAL. */
        return arg ? -EINVAL : 4096;
    case XENVER_guest_handle:
        /* The toolstack's UUID (createdomain, setdomainhandle); zeros for boot domains. */
        return copy_to_guest(arg, v->domain->handle, sizeof(v->domain->handle)) < 0 ? -EFAULT : 0;
    case XENVER_commandline:
        /* As Xen: the whole array for the control domain; others get the
         * placeholder string (just its bytes), not an error. */
        if (!v->domain->is_privileged)
            return copy_to_guest(arg, "<denied>", sizeof("<denied>")) < 0 ? -EFAULT : 0;
        return copy_string_out(arg, boot_options_text(), sizeof(xen_commandline_t));
    case XENVER_build_id:
        return xen_version_build_id(v, arg);
    default:
        return -ENOSYS;
    }
}
