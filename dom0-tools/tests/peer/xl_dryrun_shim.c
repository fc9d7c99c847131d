/*
 * LD_PRELOAD shim that lets Debian's xl (xen-utils-4.17) run "xl create -n"
 * on a machine with no Xen, so tl's JSON can be compared with the real
 * thing. xl's dry run only needs a library context and a few host facts;
 * these stand-ins answer for the handful of libxenctrl/libxenstore calls it
 * makes on the way (they never reach a hypervisor) with neutral values.
 */
#include <stddef.h>
#include <string.h>

static char fake_handle[4096];

void *xc_interface_open(void *logger, void *dombuild_logger, unsigned flags)
{
    (void)logger;
    (void)dombuild_logger;
    (void)flags;
    return fake_handle;
}

int xc_interface_close(void *xch) { (void)xch; return 0; }
void *xs_open(unsigned long flags) { (void)flags; return fake_handle; }
void *xs_daemon_open(void) { return fake_handle; }
void xs_close(void *h) { (void)h; }
void xs_daemon_close(void *h) { (void)h; }

/* XENVER_* queries: version 4.17, every string empty. */
int xc_version(void *xch, int cmd, void *arg)
{
    (void)xch;
    switch (cmd) {
    case 0: return (4 << 16) | 17;              /* XENVER_version */
    case 2: memset(arg, 0, 144); return 0;      /* compile_info */
    case 5: memset(arg, 0, 8); return 0;        /* platform_parameters */
    case 6: ((unsigned *)arg)[1] = 0; return 0; /* get_features: no submap bits */
    case 7: return 4096;                        /* pagesize */
    case 8: memset(arg, 0, 16); return 0;       /* guest_handle */
    default:
        if (arg)
            *(char *)arg = '\0';                /* the string queries */
        return 0;
    }
}

int xc_get_max_cpus(void *xch) { (void)xch; return 8; }
int xc_get_online_cpus(void *xch) { (void)xch; return 8; }
int xc_get_max_nodes(void *xch) { (void)xch; return 1; }
int xc_physinfo(void *xch, void *info) { (void)xch; memset(info, 0, 64); return 0; }

long xc_memory_op(void *xch, unsigned cmd, void *arg, size_t len)
{
    (void)xch;
    (void)cmd;
    if (arg && len)
        memset(arg, 0, len);
    return 0;
}
