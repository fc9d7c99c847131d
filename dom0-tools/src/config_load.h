/*
 * Loading a domain config file of any format into the model: detects
 * libvirt XML (first non-blank byte '<'), JSON ('{' or '['), or xl.cfg,
 * applies command-line key=value overrides (xl.cfg syntax, for every
 * format), xl's defaults and the shared validation.
 */
#ifndef TL_CONFIG_LOAD_H
#define TL_CONFIG_LOAD_H

#include <stddef.h>
#include <stdio.h>

#include "diag.h"
#include "domcfg.h"

#define CONFIG_MAX_SIZE (1024 * 1024)

enum config_format { CONFIG_XLCFG, CONFIG_XML, CONFIG_JSON };

enum config_format config_detect(const char *text, size_t len);

/* From memory; d->file names the source in messages. */
int config_load_text(const char *text, size_t len, const char *const *overrides, size_t nr_overrides,
                     struct domcfg *cfg, struct diag *d);

/* From a file; on failure d->error says why (including I/O errors). */
int config_load_file(const char *path, const char *const *overrides, size_t nr_overrides,
                     struct domcfg *cfg, struct diag *d);

/* Reads a whole file up to max bytes into a NUL-terminated heap buffer. */
int read_whole_file(const char *path, size_t max, char **data, size_t *len);

#endif
