/*
 * The entries the differential layout test compares: every struct size,
 * field offset and constant a guest depends on. Included by both
 * layout_ours.c (pvabi headers) and layout_xen.c (Debian's Xen headers),
 * which define the three macros before including this list:
 *
 *   L_SIZE(group, type)          size of a type
 *   L_OFF(group, type, field)    offset of a (possibly nested) field
 *   L_CONST(group, name)         value of a constant
 *
 * Each becomes one "group key value" line; compare_layouts.sh matches the
 * two tables entry by entry. Only names both sides define belong here.
 * The entries live in three files by subject.
 */

#include "layout_core.h"
#include "layout_families.h"
#include "layout_io.h"
