/*
 * Copying to and from the memory of the guest whose hypercall is being
 * handled. Addresses are the guest's own (virtual, for PV); every access
 * is checked and a fault turns into -EFAULT, never a hypervisor crash.
 * Hypercall handlers copy a guest argument in once, validate, act, and
 * copy results out: they never keep or dereference a guest pointer.
 */
#ifndef TESSERA_GUEST_ACCESS_H
#define TESSERA_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -EFAULT if any byte is not accessible to the guest (arch hook). */
int copy_from_guest(void *dst, uint64_t guest_addr, size_t len);
int copy_to_guest(uint64_t guest_addr, const void *src, size_t len);

#endif
