#include "dominfo.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>

#include "domcfg_json.h"

/* The letter for each shutdown reason in the state column. */
static char reason_letter(const struct tl_dominfo *d)
{
    static const char letters[] = "-rscwS";
    unsigned r = d->shutdown ? (unsigned)d->shutdown_reason : 0;
    return r < sizeof(letters) - 1 ? letters[r] : '?';
}

void dominfo_print_list(FILE *out, const struct tl_dominfo *doms, size_t n, unsigned columns)
{
    bool verbose = columns & TL_LIST_VERBOSE, context = columns & TL_LIST_CONTEXT;

    fprintf(out, "Name                                        ID   Mem VCPUs\tState\tTime(s)");
    if (verbose)
        fprintf(out, "   UUID                            Reason-Code\tSecurity Label");
    if (context && !verbose)
        fprintf(out, "   Security Label");
    fputc('\n', out);

    for (size_t i = 0; i < n; i++) {
        const struct tl_dominfo *d = &doms[i];
        fprintf(out, "%-40s %5u %5lu %5u     %c%c%c%c%c%c  %8.1f", d->name, d->domid,
                (unsigned long)((d->current_memkb + d->outstanding_memkb) / 1024), d->vcpu_online,
                d->running ? 'r' : '-', d->blocked ? 'b' : '-', d->paused ? 'p' : '-',
                d->shutdown ? 's' : '-', reason_letter(d), d->dying ? 'd' : '-',
                (double)(float)d->cpu_time_ns / 1e9);
        if (verbose) {
            char uuid[37];
            domcfg_uuid_format(d->uuid, uuid);
            fprintf(out, " %s", uuid);
            if (d->shutdown)
                fprintf(out, " %8x", (unsigned)d->shutdown_reason);
            else
                fprintf(out, " %8s", "-");
        }
        if (verbose || context)
            fprintf(out, " %16s", d->ssid_label ? d->ssid_label : "-");
        fputc('\n', out);
    }
}

char *dominfo_list_json(const struct tl_dominfo *doms, const struct domcfg *const *cfgs, size_t n)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    const unsigned char *buf;
    size_t len;
    char *out = NULL;

    if (!g)
        return NULL;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_config(g, yajl_gen_indent_string, "    ");
    yajl_gen_array_open(g);
    for (size_t i = 0; i < n; i++) {
        yajl_gen_map_open(g);
        yajl_gen_string(g, (const unsigned char *)"domid", 5);
        yajl_gen_integer(g, doms[i].domid);
        yajl_gen_string(g, (const unsigned char *)"config", 6);
        domcfg_json_gen(g, cfgs[i]);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok && (out = malloc(len + 2))) {
        memcpy(out, buf, len);
        if (!len || buf[len - 1] != '\n')
            out[len++] = '\n';
        out[len] = '\0';
    }
    yajl_gen_free(g);
    return out;
}

void dominfo_format_uptime(uint64_t seconds, bool short_mode, char *out, size_t size)
{
    unsigned long days = (unsigned long)(seconds / 86400);
    unsigned hours = (unsigned)(seconds % 86400 / 3600), mins = (unsigned)(seconds % 3600 / 60);
    unsigned secs = (unsigned)(seconds % 60);
    char day_part[32] = "";

    if (days)
        snprintf(day_part, sizeof(day_part), "%lu day%s, ", days, days > 1 ? "s" : "");
    if (short_mode)
        snprintf(out, size, "%s%2u:%02u", day_part, hours, mins);
    else
        snprintf(out, size, "%s%2u:%02u:%02u", day_part, hours, mins, secs);
}

void dominfo_print_uptime(FILE *out, const struct tl_dominfo *doms, size_t n, uint64_t now, bool short_mode)
{
    char clock[16] = "";
    time_t t = (time_t)now;
    struct tm tm;

    if (short_mode && localtime_r(&t, &tm))
        strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
    else
        fprintf(out, "%-33s %4s %s\n", "Name", "ID", "Uptime");
    for (size_t i = 0; i < n; i++) {
        char up[64];
        uint64_t secs = now > doms[i].start_time ? now - doms[i].start_time : 0;
        dominfo_format_uptime(secs, short_mode, up, sizeof(up));
        if (short_mode)
            fprintf(out, " %s up %s, %s (%u)\n", clock, up, doms[i].name, doms[i].domid);
        else
            fprintf(out, "%-33s %4u %s\n", doms[i].name, doms[i].domid, up);
    }
}
