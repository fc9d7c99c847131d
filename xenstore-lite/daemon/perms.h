/* Who may do what to a node, and the "r5"/"n0" text form of permissions. */
#ifndef XSD_PERMS_H
#define XSD_PERMS_H

#include "xsd.h"

/* The caller of an operation: its domain and whether it is privileged. */
struct caller {
    struct xsd *xsd;
    unsigned domid;
    bool privileged;
};

/*
 * Access bits (XSD_PERM_*) the caller has on a node with these perms. The
 * privileged caller, the owner and a domain targeting the owner get both.
 */
unsigned perm_for(const struct caller *c, const struct xsd_perm *perms, uint32_t n);

/* Parses one "<letter><domid>" string. Returns 0 or -EINVAL. */
int perm_parse(const char *s, struct xsd_perm *out);
/* Formats one entry into buf (at least 16 bytes); returns chars written. */
int perm_format(const struct xsd_perm *p, char *buf, size_t bufsz);

#endif
