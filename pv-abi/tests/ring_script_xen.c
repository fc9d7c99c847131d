/* The ring script against Debian's installed Xen ring macros. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#include <xen/io/ring.h>
#define RING_SCRIPT_FN ring_script_xen
#include "ring_script.h"
