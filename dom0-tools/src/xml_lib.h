/*
 * libxml2, loaded the first time a libvirt XML config is read or written
 * rather than linked: every other tl command then starts without it and
 * the ICU libraries it pulls in (37 MB, most of the control domain's image,
 * which Linux unpacks at each dom0 boot). Only the functions tl uses.
 */
#ifndef TL_XML_LIB_H
#define TL_XML_LIB_H

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>

struct xml_lib {
    __typeof__(xmlReadMemory) *ReadMemory;
    __typeof__(xmlSetStructuredErrorFunc) *SetStructuredErrorFunc;
    __typeof__(xmlDocGetRootElement) *DocGetRootElement;
    __typeof__(xmlDocSetRootElement) *DocSetRootElement;
    __typeof__(xmlFreeDoc) *FreeDoc;
    __typeof__(xmlFreeNode) *FreeNode;
    __typeof__(xmlGetLineNo) *GetLineNo;
    __typeof__(xmlGetProp) *GetProp;
    __typeof__(xmlNodeGetContent) *NodeGetContent;
    __typeof__(xmlNewDoc) *NewDoc;
    __typeof__(xmlNewNode) *NewNode;
    __typeof__(xmlNewProp) *NewProp;
    __typeof__(xmlNewTextChild) *NewTextChild;
    __typeof__(xmlBufferCreate) *BufferCreate;
    __typeof__(xmlBufferContent) *BufferContent;
    __typeof__(xmlBufferFree) *BufferFree;
    __typeof__(xmlSaveToBuffer) *SaveToBuffer;
    __typeof__(xmlSaveDoc) *SaveDoc;
    __typeof__(xmlSaveClose) *SaveClose;
    xmlFreeFunc Free;               /* the value of libxml2's xmlFree */
};

/* Valid once xml_lib_load has returned 0. */
extern struct xml_lib X;

/*
 * Loads libxml2 (libxml2.so.2) once. 0, or -1 with *why saying what is
 * missing ("libxml2 is not installed: ...").
 */
int xml_lib_load(const char **why);

#endif
