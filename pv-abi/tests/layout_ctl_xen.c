/*
 * Prints the control interface's layout table from Debian's installed Xen
 * headers only (/usr/include/xen, libxen-dev). They describe domctl and
 * sysctl to tools builds only, which always get the latest interface level,
 * so this file is built without the guest tables' level.
 */
#define __XEN_TOOLS__ 1
#include <stddef.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/domctl.h>
#include <xen/sysctl.h>

#define LAYOUT_LIST "layout_control.h"
#include "layout_emit.h"
