/*
 * libFuzzer target: restoring daemon state from a dump file, connections
 * of a live update included. Whatever the
 * bytes, restore must fail cleanly or produce a consistent store; ASan and
 * UBSan catch the rest.
 */
#include <stdint.h>
#include <stdio.h>

#include "dump.h"
#include "xsd.h"

/* Connections of a live update become plain in-memory connections here. */
static struct xsd_conn *adopt(struct xsd *xsd, char kind, long id, unsigned domid, bool privileged)
{
    (void)id;
    if (kind != 'u' || domid >= XSD_MAX_DOMID)
        return NULL;
    return xsd_conn_new(xsd, domid, privileged, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct xsd xsd;
    if (size == 0 || xsd_init(&xsd))
        return 0;
    FILE *f = fmemopen((void *)data, size, "r");
    if (f) {
        if (xsd_restore(&xsd, f) == 0)
            xsd_restore_conns(&xsd, f, adopt);
        fclose(f);
    }
    /* Whatever was restored must dump again without trouble. */
    FILE *out = fopen("/dev/null", "w");
    if (out) {
        xsd_dump(&xsd, out);
        fclose(out);
    }
    xsd_destroy(&xsd);
    return 0;
}
