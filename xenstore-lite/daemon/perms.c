#include "perms.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

static const char perm_letters[4] = { 'n', 'r', 'w', 'b' };

unsigned perm_for(const struct caller *c, const struct xsd_perm *perms, uint32_t n)
{
    if (c->privileged)
        return XSD_PERM_BOTH;

    struct domain *d = domain_get(c->xsd, c->domid);
    bool targeting = d && d->has_target;
    unsigned target = targeting ? d->target : 0;

    if (perms[0].domid == c->domid || (targeting && perms[0].domid == target))
        return XSD_PERM_BOTH;
    for (uint32_t i = 1; i < n; i++)
        if (perms[i].domid == c->domid)
            return perms[i].perm;
    if (targeting)
        for (uint32_t i = 1; i < n; i++)
            if (perms[i].domid == target)
                return perms[i].perm;
    return perms[0].perm;
}

int perm_parse(const char *s, struct xsd_perm *out)
{
    unsigned perm;

    switch (s[0]) {
    case 'n': perm = XSD_PERM_NONE; break;
    case 'r': perm = XSD_PERM_READ; break;
    case 'w': perm = XSD_PERM_WRITE; break;
    case 'b': perm = XSD_PERM_BOTH; break;
    default: return -EINVAL;
    }
    if (s[1] < '0' || s[1] > '9')
        return -EINVAL;
    char *end;
    errno = 0;
    unsigned long id = strtoul(s + 1, &end, 10);
    if (errno || *end || id > UINT32_MAX)
        return -EINVAL;
    out->domid = (uint32_t)id;
    out->perm = perm;
    return 0;
}

int perm_format(const struct xsd_perm *p, char *buf, size_t bufsz)
{
    return snprintf(buf, bufsz, "%c%u", perm_letters[p->perm & 3], p->domid);
}
