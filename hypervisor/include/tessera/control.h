/*
 * The toolstack's hypercalls: domctl (36) and sysctl (35), with Xen 4.17's
 * structures (pvabi/control/domctl.h, sysctl.h) and Xen's answers. The
 * calling domain is found from the current vCPU. See
 * docs/control-interface.md for every operation and what is refused.
 *
 * Order of checks, as Xen: the argument is copied in (-EFAULT), the
 * interface version checked (-EACCES), the target domain looked up for the
 * operations that name one (-ESRCH), then the caller's privilege (-EPERM);
 * an operation not implemented answers -ENOSYS.
 */
#ifndef TESSERA_CONTROL_H
#define TESSERA_CONTROL_H

#include <stdint.h>

long do_domctl(uint64_t guest_arg);
long do_sysctl(uint64_t guest_arg);

#endif
