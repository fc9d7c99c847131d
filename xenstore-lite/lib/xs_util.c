/* Helpers of the library that need no connection. */
#include "xs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *xs_daemon_rundir(void)
{
    const char *s = getenv("XENSTORED_RUNDIR");
    return s ? s : "/var/run/xenstored";
}

const char *xs_daemon_socket(void)
{
    static __thread char buf[256];
    const char *s = getenv("XENSTORED_PATH");
    if (s)
        return s;
    snprintf(buf, sizeof(buf), "%s/socket", xs_daemon_rundir());
    return buf;
}

const char *xs_daemon_socket_ro(void)
{
    /* The read-only socket is gone; both names lead to the one socket. */
    return xs_daemon_socket();
}

bool xs_write_all(int fd, const void *data, unsigned int len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return false;
        }
        p += n;
        len -= (unsigned)n;
    }
    return true;
}

bool xs_strings_to_perms(struct xs_permissions *perms, unsigned int num, const char *strings)
{
    const char *s = strings;
    for (unsigned i = 0; i < num; i++, s += strlen(s) + 1) {
        switch (*s) {
        case 'r': perms[i].perms = XS_PERM_READ; break;
        case 'w': perms[i].perms = XS_PERM_WRITE; break;
        case 'b': perms[i].perms = XS_PERM_READ | XS_PERM_WRITE; break;
        case 'n': perms[i].perms = XS_PERM_NONE; break;
        default:
            errno = EINVAL;
            return false;
        }
        char *end;
        errno = 0;
        unsigned long id = strtoul(s + 1, &end, 10);
        if (s[1] < '0' || s[1] > '9' || *end || errno || id > UINT32_MAX) {
            errno = EINVAL;
            return false;
        }
        perms[i].id = (unsigned)id;
    }
    return true;
}

bool xs_path_is_subpath(const char *parent, const char *child)
{
    /* Plain string test, as documented: "/" is not a parent of "/a". */
    size_t len = strlen(parent);
    if (strncmp(child, parent, len) != 0)
        return false;
    return child[len] == '\0' || child[len] == '/';
}

int xs_suspend_evtchn_port(int domid)
{
    char path[64];
    unsigned len;
    int port = -1;

    struct xs_handle *h = xs_open(0);
    if (!h)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/device/suspend/event-channel", domid);
    char *v = xs_read(h, XBT_NULL, path, &len);
    if (v) {
        port = atoi(v);
        free(v);
    }
    xs_close(h);
    return port;
}
