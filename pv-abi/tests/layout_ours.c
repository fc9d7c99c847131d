/* Prints the layout table from Tessera's own pvabi headers only. */
#include <pvabi/xen.h>
#include <pvabi/errno.h>
#include <pvabi/event_channel.h>
#include <pvabi/grant_table.h>
#include <pvabi/memory.h>
#include <pvabi/sched.h>
#include <pvabi/vcpu.h>
#include <pvabi/callback.h>
#include <pvabi/physdev.h>
#include <pvabi/platform.h>
#include <pvabi/version.h>
#include <pvabi/features.h>
#include <pvabi/hvm_start_info.h>
#include <pvabi/io/ring.h>
#include <pvabi/io/console.h>
#include <pvabi/io/blkif.h>
#include <pvabi/io/netif.h>

#include "layout_emit.h"
