/*
 * xl.cfg syntax: the generic layer that turns the text of a domain config
 * file into an ordered list of settings (key, value, position). What each
 * key means is xlcfg_keys.c's business.
 *
 * Syntax: statements "key = value" or "key += value", ended by a newline or
 * ';'. Values are "double" or 'single' quoted strings (C escapes), numbers
 * (decimal or 0x hex), or [lists, of, those] which may span lines and end in
 * a trailing comma. '#' comments run to the end of the line; a backslash at
 * the end of a line continues the statement on the next.
 */
#ifndef TL_XLCFG_H
#define TL_XLCFG_H

#include <stdbool.h>
#include <stddef.h>

#include "diag.h"
#include "domcfg.h"

enum xlcfg_kind { XLCFG_STRING, XLCFG_NUMBER, XLCFG_LIST };

struct xlcfg_atom {
    enum xlcfg_kind kind;       /* STRING or NUMBER */
    char *text;                 /* unquoted, escapes resolved */
    int line, col;
};

struct xlcfg_setting {
    char *key;
    int line, col;              /* of the key */
    bool append;                /* "+=" */
    enum xlcfg_kind kind;
    struct xlcfg_atom scalar;   /* when kind != LIST */
    struct xlcfg_atom *items;   /* when kind == LIST */
    size_t nr_items;
};

struct xlcfg_file {
    struct xlcfg_setting *settings;
    size_t nr_settings;
};

/*
 * Parses text[0..len) (need not be NUL-terminated) and appends its settings
 * to *out. Diagnostics name d->file. Returns 0 or -EINVAL / -ENOMEM.
 */
int xlcfg_parse(const char *text, size_t len, struct xlcfg_file *out, struct diag *d);
void xlcfg_file_free(struct xlcfg_file *f);

/*
 * Applies parsed settings to a domain config, key by key, in file order
 * (a later setting of a key replaces an earlier one). Unknown keys warn;
 * refused keys (bootloader, viridian ...) and bad values are errors.
 * Does not apply defaults or cross-field validation.
 */
int xlcfg_apply(const struct xlcfg_file *f, struct domcfg *cfg, struct diag *d);

/* Parse + apply + defaults + validate: a whole xl.cfg text to a config. */
int xlcfg_load(const char *text, size_t len, const char *const *overrides, size_t nr_overrides,
               struct domcfg *cfg, struct diag *d);

/* Writes cfg back as an xl.cfg text (heap string), or NULL if out of memory. */
char *xlcfg_write(const struct domcfg *cfg);

/* The xl disk and vif specification strings (xl-disk-configuration(5),
 * xl-network-configuration(5)). On error, *why is set to a static or
 * caller-buffer reason. */
int xlcfg_parse_disk(const char *spec, struct domcfg_disk *disk, char *why, size_t why_size);
int xlcfg_parse_vif(const char *spec, struct domcfg_nic *nic, char *why, size_t why_size);

/* The key table: name, what value it expects, one-line help. */
struct xlcfg_key_help {
    const char *name;
    const char *status;     /* "supported", "refused", "ignored" */
    const char *help;
};
size_t xlcfg_key_table(const struct xlcfg_key_help **table);

#endif
