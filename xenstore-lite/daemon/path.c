#include "path.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <pvabi/io/xs_wire.h>

/*
 * The characters a path may hold, looked up by byte: every request names a
 * path, and one table load per byte is cheaper than the chain of ranges
 * (the ranges are GNU C's designators, as the project builds gnu11).
 */
static const unsigned char path_char_ok[256] = {
    ['a' ... 'z'] = 1, ['A' ... 'Z'] = 1, ['0' ... '9'] = 1, ['-'] = 1, ['/'] = 1, ['_'] = 1, ['@'] = 1,
};

static bool valid_chars(const char *s)
{
    for (; *s; s++)
        if (!path_char_ok[(unsigned char)*s])
            return false;
    return true;
}

/* Valid characters and no empty component ("//"), in one pass. */
static bool valid_path_chars(const char *s)
{
    char prev = '\0';
    for (; *s; s++) {
        if (!path_char_ok[(unsigned char)*s] || (*s == '/' && prev == '/'))
            return false;
        prev = *s;
    }
    return true;
}

int path_canonical(const char *name, unsigned domid, bool allow_special,
                   size_t max_len, char *out, size_t outsz)
{
    size_t len = strlen(name);

    if (len == 0)
        return -EINVAL;
    if (name[0] == '@') {
        /* Special names exist only for watches (and their permissions). */
        if (!allow_special)
            return -EINVAL;
        if (len > XENSTORE_REL_PATH_MAX || !valid_chars(name) || len + 1 > outsz)
            return -EINVAL;
        memcpy(out, name, len + 1);
        return 0;
    }
    if (name[0] == '/') {
        if (len > XENSTORE_ABS_PATH_MAX || len + 1 > outsz)
            return -EINVAL;
        memcpy(out, name, len + 1);
    } else {
        if (len > XENSTORE_REL_PATH_MAX)
            return -EINVAL;
        int n = snprintf(out, outsz, "%s%u/%s", XS_DOMAIN_PATH_PREFIX, domid, name);
        if (n < 0 || (size_t)n >= outsz)
            return -EINVAL;
        len = (size_t)n;
    }
    if (max_len && len > max_len)
        return -EINVAL;
    if (!valid_path_chars(out))
        return -EINVAL;
    if (len > 1 && out[len - 1] == '/')
        return -EINVAL;
    return 0;
}

bool path_is_child(const char *child, const char *parent)
{
    size_t plen = strlen(parent);

    if (plen == 1 && parent[0] == '/')
        return child[0] == '/';
    if (strncmp(child, parent, plen) != 0)
        return false;
    return child[plen] == '\0' || child[plen] == '/';
}

size_t path_parent_len(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (!slash || slash == path)
        return path[1] ? 1 : 0;
    return (size_t)(slash - path);
}

const char *path_basename(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

const char *path_relative_to_domain(const char *path, unsigned domid)
{
    char prefix[48];
    int n = snprintf(prefix, sizeof(prefix), "%s%u/", XS_DOMAIN_PATH_PREFIX, domid);

    if (n > 0 && strncmp(path, prefix, (size_t)n) == 0)
        return path + n;
    return path;
}
