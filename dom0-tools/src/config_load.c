#include "config_load.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domcfg_json.h"
#include "domxml.h"
#include "xlcfg.h"

enum config_format config_detect(const char *text, size_t len)
{
    size_t i = 0;
    /* Skip a UTF-8 byte order mark and blanks. */
    if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    if (i < len && text[i] == '<')
        return CONFIG_XML;
    if (i < len && (text[i] == '{' || text[i] == '['))
        return CONFIG_JSON;
    return CONFIG_XLCFG;
}

static int apply_overrides(const char *const *overrides, size_t n, struct domcfg *cfg, struct diag *d)
{
    struct xlcfg_file file = { 0 };
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        struct diag od;
        diag_init(&od, "command line", d->warnings);
        rc = xlcfg_parse(overrides[i], strlen(overrides[i]), &file, &od);
        if (rc)
            diag_error(d, 0, 0, "override '%s': %s", overrides[i], od.error);
    }
    if (!rc) {
        struct diag od;
        diag_init(&od, "command line", d->warnings);
        rc = xlcfg_apply(&file, cfg, &od);
        if (rc)
            diag_error(d, 0, 0, "%s", od.error);
    }
    xlcfg_file_free(&file);
    return rc;
}

int config_load_text(const char *text, size_t len, const char *const *overrides, size_t nr_overrides,
                     struct domcfg *cfg, struct diag *d)
{
    char why[256];
    int rc;

    enum config_format format = config_detect(text, len);
    if (format == CONFIG_XLCFG)
        return xlcfg_load(text, len, overrides, nr_overrides, cfg, d);

    rc = format == CONFIG_XML ? domxml_load(text, len, cfg, d) : domcfg_from_json(text, len, cfg, d);
    if (!rc)
        rc = apply_overrides(overrides, nr_overrides, cfg, d);
    if (rc)
        return rc;
    domcfg_apply_defaults(cfg);
    rc = domcfg_validate(cfg, why, sizeof(why));
    return rc ? diag_error(d, 0, 0, "%s", why) : 0;
}

int read_whole_file(const char *path, size_t max, char **data, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    size_t have = 0;
    int rc = 0;

    if (fd < 0)
        return -errno;
    if (fstat(fd, &st) < 0) {
        rc = -errno;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        rc = -EISDIR;
        goto out;
    }
    if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max) {
        rc = -EFBIG;
        goto out;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 65536;
    if (!(buf = malloc(cap))) {
        rc = -ENOMEM;
        goto out;
    }
    for (;;) {
        if (have + 1 >= cap) {
            if (cap > max) {
                rc = -EFBIG;
                goto out;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                rc = -ENOMEM;
                goto out;
            }
            buf = bigger;
            cap *= 2;
        }
        ssize_t n = read(fd, buf + have, cap - have - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            goto out;
        }
        if (n == 0)
            break;
        have += (size_t)n;
    }
    if (have > max) {
        rc = -EFBIG;
        goto out;
    }
    buf[have] = '\0';
    *data = buf;
    *len = have;
    buf = NULL;
out:
    free(buf);
    close(fd);
    return rc;
}

int config_load_file(const char *path, const char *const *overrides, size_t nr_overrides,
                     struct domcfg *cfg, struct diag *d)
{
    char *text;
    size_t len;
    int rc = read_whole_file(path, CONFIG_MAX_SIZE, &text, &len);
    if (rc)
        return diag_error(d, 0, 0, "cannot read config: %s", rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
    rc = config_load_text(text, len, overrides, nr_overrides, cfg, d);
    free(text);
    return rc;
}
