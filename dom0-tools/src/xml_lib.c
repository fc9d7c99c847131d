#include "xml_lib.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

struct xml_lib X;

#define SYMBOL(member, name) { offsetof(struct xml_lib, member), name }
static const struct { size_t offset; const char *name; } symbols[] = {
    SYMBOL(ReadMemory, "xmlReadMemory"),
    SYMBOL(SetStructuredErrorFunc, "xmlSetStructuredErrorFunc"),
    SYMBOL(DocGetRootElement, "xmlDocGetRootElement"),
    SYMBOL(DocSetRootElement, "xmlDocSetRootElement"),
    SYMBOL(FreeDoc, "xmlFreeDoc"),
    SYMBOL(FreeNode, "xmlFreeNode"),
    SYMBOL(GetLineNo, "xmlGetLineNo"),
    SYMBOL(GetProp, "xmlGetProp"),
    SYMBOL(NodeGetContent, "xmlNodeGetContent"),
    SYMBOL(NewDoc, "xmlNewDoc"),
    SYMBOL(NewNode, "xmlNewNode"),
    SYMBOL(NewProp, "xmlNewProp"),
    SYMBOL(NewTextChild, "xmlNewTextChild"),
    SYMBOL(BufferCreate, "xmlBufferCreate"),
    SYMBOL(BufferContent, "xmlBufferContent"),
    SYMBOL(BufferFree, "xmlBufferFree"),
    SYMBOL(SaveToBuffer, "xmlSaveToBuffer"),
    SYMBOL(SaveDoc, "xmlSaveDoc"),
    SYMBOL(SaveClose, "xmlSaveClose"),
};

int xml_lib_load(const char **why)
{
    static int state;               /* 0 not tried, 1 loaded, -1 failed */
    static char reason[300];

    if (state) {
        *why = reason;
        return state > 0 ? 0 : -1;
    }
    void *h = dlopen("libxml2.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        snprintf(reason, sizeof(reason), "libvirt XML needs libxml2, which is not installed (%s)",
                 dlerror());
        state = -1;
        *why = reason;
        return -1;
    }
    for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); i++) {
        void *f = dlsym(h, symbols[i].name);
        if (!f) {
            snprintf(reason, sizeof(reason), "libxml2.so.2 has no %s", symbols[i].name);
            state = -1;
            *why = reason;
            return -1;
        }
        *(void **)((char *)&X + symbols[i].offset) = f;
    }
    xmlFreeFunc *free_fn = dlsym(h, "xmlFree");
    if (!free_fn || !*free_fn) {
        snprintf(reason, sizeof(reason), "libxml2.so.2 has no xmlFree");
        state = -1;
        *why = reason;
        return -1;
    }
    X.Free = *free_fn;
    /* The same check LIBXML_TEST_VERSION makes: headers and library agree. */
    state = 1;
    *why = reason;
    return 0;
}
