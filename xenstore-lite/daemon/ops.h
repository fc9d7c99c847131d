/*
 * The store operations with their permission and quota rules, written once
 * for both the live store and transactions (through struct view).
 * Paths are canonical; every function returns 0 or a negative errno and
 * leaves nothing half done on failure.
 */
#ifndef XSD_OPS_H
#define XSD_OPS_H

#include "access.h"
#include "perms.h"

struct op_ctx {
    struct view v;
    struct caller c;
};

/* The node if the caller may read it. */
int op_get_readable(struct op_ctx *ctx, const char *path, struct node **out);
int op_write(struct op_ctx *ctx, const char *path, const void *data, uint32_t len);
int op_mkdir(struct op_ctx *ctx, const char *path);
int op_rm(struct op_ctx *ctx, const char *path);
int op_set_perms(struct op_ctx *ctx, const char *path,
                 const struct xsd_perm *perms, uint32_t nperms);

#endif
