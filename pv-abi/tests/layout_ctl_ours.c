/* Prints the control interface's layout table from Tessera's own
 * pvabi/control headers only (built with PVABI_TOOLSTACK). */
#include <pvabi/control/domctl.h>
#include <pvabi/control/sysctl.h>

#define LAYOUT_LIST "layout_control.h"
#include "layout_emit.h"
