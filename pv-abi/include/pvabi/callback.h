/*
 * Tessera guest ABI: entry points the guest kernel registers,
 * callback_op(cmd, arg). set_callbacks (hypercall 4) is the older form for
 * event, failsafe and syscall only: set_callbacks(event, failsafe, syscall).
 */
#ifndef PVABI_CALLBACK_H
#define PVABI_CALLBACK_H

#include <pvabi/xen.h>

#define CALLBACKTYPE_event               0  /* event channel upcall */
#define CALLBACKTYPE_failsafe            1  /* bad segment on return to guest */
#define CALLBACKTYPE_syscall             2  /* 64-bit syscall from guest user */
#define CALLBACKTYPE_sysenter_deprecated 3
#define CALLBACKTYPE_nmi                 4
#define CALLBACKTYPE_sysenter            5  /* 32-bit compat user sysenter */
/* 6 is unused */
#define CALLBACKTYPE_syscall32           7  /* 32-bit compat user syscall */

#define _CALLBACKF_mask_events 0
#define CALLBACKF_mask_events  (1U << _CALLBACKF_mask_events)

#define CALLBACKOP_register   0
#define CALLBACKOP_unregister 1

#ifndef __ASSEMBLY__

struct callback_register {
    uint16_t type;          /* IN: CALLBACKTYPE_* */
    uint16_t flags;         /* IN: CALLBACKF_* */
    xen_callback_t address; /* IN */
};
typedef struct callback_register callback_register_t;
DEFINE_XEN_GUEST_HANDLE(callback_register_t);

struct callback_unregister {
    uint16_t type;          /* IN */
    uint16_t _unused;
};
typedef struct callback_unregister callback_unregister_t;
DEFINE_XEN_GUEST_HANDLE(callback_unregister_t);

_Static_assert(sizeof(struct callback_register) == 16, "callback_register");
_Static_assert(offsetof(struct callback_register, address) == 8, "callback_register.address");
_Static_assert(sizeof(struct callback_unregister) == 4, "callback_unregister");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_CALLBACK_H */
