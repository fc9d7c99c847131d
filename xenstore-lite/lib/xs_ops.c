/* The store, transaction, domain and control operations of the library. */
#include "xs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Splits n nul-terminated strings into one block: pointer array, then text. */
static char **split_strings(const char *data, unsigned len, unsigned *num)
{
    unsigned n = 0;
    for (unsigned i = 0; i < len; i++)
        n += data[i] == '\0';
    char **out = malloc(sizeof(char *) * (n + 1) + len + 1);
    if (!out)
        return NULL;
    char *text = (char *)(out + n + 1);
    memcpy(text, data, len);
    text[len] = '\0';
    for (unsigned i = 0; i < n; i++) {
        out[i] = text;
        text += strlen(text) + 1;
    }
    out[n] = NULL;
    *num = n;
    return out;
}

/* DIRECTORY_PART in rounds, for directories whose listing tops 4096 bytes. */
static char **directory_in_parts(struct xs_handle *h, xs_transaction_t t,
                                 const char *path, unsigned *num)
{
    char *all = NULL, gen[32] = "", off[16];
    size_t total = 0;

    for (int tries = 0; tries < 100;) {
        snprintf(off, sizeof(off), "%zu", total);
        struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { off, strlen(off) + 1 } };
        unsigned len;
        char *part = xs_talkv(h, t, XS_DIRECTORY_PART, iov, 2, &len);
        if (!part) {
            free(all);
            return NULL;
        }
        size_t glen = strnlen(part, len);
        if (glen >= len || glen >= sizeof(gen)) {
            free(part);
            free(all);
            errno = EIO;
            return NULL;
        }
        /* The node changed between rounds: start over. */
        if (total && strcmp(gen, part) != 0) {
            free(part);
            total = 0;
            tries++;
            continue;
        }
        memcpy(gen, part, glen + 1);
        size_t dlen = len - glen - 1;
        char *grown = realloc(all, total + dlen + 1);
        if (!grown) {
            free(part);
            free(all);
            return NULL;
        }
        all = grown;
        memcpy(all + total, part + glen + 1, dlen);
        free(part);
        /* An empty name (two nuls, or a lone nul) ends the list. */
        bool done = dlen == 0 || (dlen >= 1 && all[total + dlen - 1] == '\0' &&
                                  (dlen == 1 || all[total + dlen - 2] == '\0'));
        total += dlen;
        if (done) {
            total--;   /* drop the terminating empty name */
            char **r = split_strings(all, (unsigned)total, num);
            free(all);
            return r;
        }
    }
    free(all);
    errno = EAGAIN;
    return NULL;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t,
                    const char *path, unsigned int *num)
{
    unsigned len;
    char *reply = xs_single(h, t, XS_DIRECTORY, path, &len);
    if (!reply) {
        if (errno == E2BIG)
            return directory_in_parts(h, t, path, num);
        return NULL;
    }
    char **r = split_strings(reply, len, num);
    free(reply);
    return r;
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
    return xs_single(h, t, XS_READ, path, len);
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path,
              const void *data, unsigned int len)
{
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { (void *)data, len } };
    return xs_bool(xs_talkv(h, t, XS_WRITE, iov, 2, NULL));
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_MKDIR, path, NULL));
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
    return xs_bool(xs_single(h, t, XS_RM, path, NULL));
}

bool xs_restrict(struct xs_handle *h, unsigned domid)
{
    (void)h;
    (void)domid;
    errno = ENOSYS;
    return false;
}

struct xs_permissions *xs_get_permissions(struct xs_handle *h, xs_transaction_t t,
                                          const char *path, unsigned int *num)
{
    unsigned len, n = 0;
    char *reply = xs_single(h, t, XS_GET_PERMS, path, &len);
    if (!reply)
        return NULL;
    for (unsigned i = 0; i < len; i++)
        n += reply[i] == '\0';
    struct xs_permissions *perms = malloc(sizeof(*perms) * (n ? n : 1));
    if (!perms || !n || !xs_strings_to_perms(perms, n, reply)) {
        int e = perms && n ? errno : (perms ? EIO : ENOMEM);
        free(perms);
        free(reply);
        errno = e;
        return NULL;
    }
    free(reply);
    *num = n;
    return perms;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
                        struct xs_permissions *perms, unsigned int num_perms)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    size_t used = 0;

    for (unsigned i = 0; i < num_perms; i++) {
        char letter;
        switch (perms[i].perms & (XS_PERM_READ | XS_PERM_WRITE)) {
        case XS_PERM_READ: letter = 'r'; break;
        case XS_PERM_WRITE: letter = 'w'; break;
        case XS_PERM_READ | XS_PERM_WRITE: letter = 'b'; break;
        default: letter = 'n'; break;
        }
        int n = snprintf(buf + used, sizeof(buf) - used, "%c%u", letter, perms[i].id);
        if (n < 0 || (size_t)n + 1 > sizeof(buf) - used) {
            errno = E2BIG;
            return false;
        }
        used += (size_t)n + 1;
    }
    struct iovec iov[2] = { { (void *)path, strlen(path) + 1 }, { buf, used } };
    return xs_bool(xs_talkv(h, t, XS_SET_PERMS, iov, 2, NULL));
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
    char *reply = xs_single(h, XBT_NULL, XS_TRANSACTION_START, "", NULL);
    if (!reply)
        return XBT_NULL;
    char *end;
    unsigned long id = strtoul(reply, &end, 10);
    bool ok = *reply && !*end && id && id <= UINT32_MAX;
    free(reply);
    if (!ok) {
        errno = EIO;
        return XBT_NULL;
    }
    return (xs_transaction_t)id;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort)
{
    return xs_bool(xs_single(h, t, XS_TRANSACTION_END, abort ? "F" : "T", NULL));
}

bool xs_introduce_domain(struct xs_handle *h, unsigned int domid,
                         unsigned long mfn, unsigned int eventchn)
{
    char d[16], m[32], e[16];
    snprintf(d, sizeof(d), "%u", domid);
    snprintf(m, sizeof(m), "%lu", mfn);
    snprintf(e, sizeof(e), "%u", eventchn);
    struct iovec iov[3] = { { d, strlen(d) + 1 }, { m, strlen(m) + 1 }, { e, strlen(e) + 1 } };
    return xs_bool(xs_talkv(h, XBT_NULL, XS_INTRODUCE, iov, 3, NULL));
}

bool xs_set_target(struct xs_handle *h, unsigned int domid, unsigned int target)
{
    char d[16], t[16];
    snprintf(d, sizeof(d), "%u", domid);
    snprintf(t, sizeof(t), "%u", target);
    struct iovec iov[2] = { { d, strlen(d) + 1 }, { t, strlen(t) + 1 } };
    return xs_bool(xs_talkv(h, XBT_NULL, XS_SET_TARGET, iov, 2, NULL));
}

static char *domid_request(struct xs_handle *h, uint32_t type, unsigned domid)
{
    char d[16];
    snprintf(d, sizeof(d), "%u", domid);
    return xs_single(h, XBT_NULL, type, d, NULL);
}

bool xs_resume_domain(struct xs_handle *h, unsigned int domid)
{
    return xs_bool(domid_request(h, XS_RESUME, domid));
}

bool xs_release_domain(struct xs_handle *h, unsigned int domid)
{
    return xs_bool(domid_request(h, XS_RELEASE, domid));
}

char *xs_get_domain_path(struct xs_handle *h, unsigned int domid)
{
    return domid_request(h, XS_GET_DOMAIN_PATH, domid);
}

bool xs_is_domain_introduced(struct xs_handle *h, unsigned int domid)
{
    char *reply = domid_request(h, XS_IS_DOMAIN_INTRODUCED, domid);
    if (!reply)
        return false;
    bool yes = strcmp(reply, "F") != 0;
    free(reply);
    return yes;
}

char *xs_control_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    struct iovec iov[2] = { { (void *)cmd, strlen(cmd) + 1 }, { data, len } };
    return xs_talkv(h, XBT_NULL, XS_CONTROL, iov, 2, NULL);
}

char *xs_debug_command(struct xs_handle *h, const char *cmd, void *data, unsigned int len)
{
    return xs_control_command(h, cmd, data, len);
}
