/*
 * The control hypercalls tl uses, on top of the privcmd layer (hcall.h):
 * domctl and sysctl in Xen 4.17's layout (pvabi/control/), and the
 * guest-ABI calls a builder makes on another domain's behalf (reservation,
 * machine-to-physical updates, pinning, grant table setup, unbound event
 * channels). Each returns 0 (or a count) or -errno, with the call named in
 * hc_error().
 */
#ifndef TL_XENCTL_H
#define TL_XENCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>
#include "hcall.h"

#define XENCTL_ALLOC_DOMID 0xffffu   /* createdomain: let the hypervisor choose */

/* d->cmd and d->domain set by the caller; the version is filled in. Copied back. */
int xenctl_domctl(struct hc *h, struct xen_domctl *d, const char *name);
int xenctl_sysctl(struct hc *h, struct xen_sysctl *s, const char *name);

int xenctl_create(struct hc *h, const struct xen_domctl_createdomain *c, uint32_t *domid);
/* One-argument domctls on a domain: destroydomain, pausedomain, unpausedomain. */
int xenctl_simple(struct hc *h, uint32_t cmd, uint32_t domid, const char *name);
/* The domain with the lowest id >= domid (as Xen 4.17); -ESRCH past the last. */
int xenctl_getdomaininfo(struct hc *h, uint32_t domid, struct xen_domctl_getdomaininfo *info);
/* The domain exactly, -ESRCH if it does not exist. */
int xenctl_domain_info(struct hc *h, uint32_t domid, struct xen_domctl_getdomaininfo *info);
/* Every domain, in id order: *out malloc'd, *n entries. */
int xenctl_list_domains(struct hc *h, struct xen_domctl_getdomaininfo **out, unsigned *n);
int xenctl_max_mem(struct hc *h, uint32_t domid, uint64_t max_memkb);
int xenctl_max_vcpus(struct hc *h, uint32_t domid, uint32_t max);
int xenctl_set_address_size(struct hc *h, uint32_t domid, uint32_t bits);
int xenctl_setvcpucontext(struct hc *h, uint32_t domid, uint32_t vcpu,
                          const struct vcpu_guest_context *ctx);
int xenctl_hypercall_init(struct hc *h, uint32_t domid, uint64_t gmfn);
int xenctl_getvcpuinfo(struct hc *h, uint32_t domid, uint32_t vcpu,
                       struct xen_domctl_getvcpuinfo *info);
/*
 * Hard and soft affinity: maps of nr_bits bits (set) or room for them
 * (get); a NULL map is neither set nor read.
 */
int xenctl_vcpu_affinity(struct hc *h, uint32_t domid, uint32_t vcpu, uint8_t *hard,
                         uint8_t *soft, uint32_t nr_bits, bool set);
int xenctl_sched_credit(struct hc *h, uint32_t domid, struct xen_domctl_sched_credit *p, bool set);

int xenctl_physinfo(struct hc *h, struct xen_sysctl_physinfo *pi);
int xenctl_sched_id(struct hc *h, uint32_t *sched_id);
/* Reads the hypervisor's console ring into buf; returns bytes read. */
long xenctl_readconsole(struct hc *h, char *buf, uint32_t size, bool clear);

/* Populates pfns into domid; frames[i] holds pfn i on entry and its machine frame after. */
int xenctl_populate_physmap(struct hc *h, uint32_t domid, xen_pfn_t *frames, uint64_t count);
/* MMU_MACHPHYS_UPDATE: m2p[frames[pfn]] = pfn for every pfn < count. */
int xenctl_machphys_update(struct hc *h, uint32_t domid, const xen_pfn_t *frames, uint64_t count);
int xenctl_pin_l4(struct hc *h, uint32_t domid, xen_pfn_t mfn);
/* GNTTABOP_setup_table for domid with one frame; its frame in *frame. */
int xenctl_gnttab_frame(struct hc *h, uint32_t domid, xen_pfn_t *frame);
/* EVTCHNOP_alloc_unbound: a port in domid that remote may bind. */
int xenctl_alloc_unbound(struct hc *h, uint32_t domid, uint32_t remote, uint32_t *port);

#endif
