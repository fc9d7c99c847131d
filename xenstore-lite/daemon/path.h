/*
 * Node names: turning what a client sent into a canonical absolute path and
 * deciding whether it is acceptable, plus the parent/child tests watches and
 * removal need.
 */
#ifndef XSD_PATH_H
#define XSD_PATH_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Writes the absolute form of `name` for a connection of domain `domid` into
 * out (size outsz). Relative names get "/local/domain/<domid>/" in front;
 * names starting with '@' (watch-only special names) are kept as they are
 * when allow_special is true and refused otherwise. Returns 0, or -EINVAL for a name that is empty,
 * has bad characters, "//", a trailing '/', or is longer than the protocol's
 * limits (or than max_len when max_len is non-zero).
 */
int path_canonical(const char *name, unsigned domid, bool allow_special,
                   size_t max_len, char *out, size_t outsz);

/* True if child is parent itself or lies below it. */
bool path_is_child(const char *child, const char *parent);

/* Length of the parent's path (0 for "/" itself: it has none). */
size_t path_parent_len(const char *path);

/* The last component of path (points into path). */
const char *path_basename(const char *path);

/*
 * If path lies in domain domid's home ("/local/domain/<domid>/..."), returns
 * the part after that prefix, as a client that used a relative name expects
 * to see it in watch events; otherwise returns path.
 */
const char *path_relative_to_domain(const char *path, unsigned domid);

#endif
