/*
 * Prints the layout table from Debian's installed Xen headers only
 * (/usr/include/xen, libxen-dev), at the interface level our headers claim.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/callback.h>
#include <xen/physdev.h>
#include <xen/platform.h>
#include <xen/version.h>
#include <xen/features.h>
#include <xen/arch-x86/hvm/start_info.h>
#include <xen/io/ring.h>
#include <xen/io/console.h>
#include <xen/io/blkif.h>
#include <xen/io/netif.h>

/* Xen's errno values are enumerators XEN_E*; its header provides them when
 * included with its default X-macro. */
#include <xen/errno.h>

#include "layout_emit.h"
