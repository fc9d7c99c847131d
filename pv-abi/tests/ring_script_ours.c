/* The ring script against our own ring macros. */
#include <string.h>
#include <pvabi/io/ring.h>
#define RING_SCRIPT_FN ring_script_ours
#include "ring_script.h"
