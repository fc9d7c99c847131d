/*
 * Hotplug scripts (script= of a disk or vif) run as libxl runs them:
 * "SCRIPT add|remove|online|offline" with the backend's xenstore path and
 * kind in the environment. tl does the work of Xen's own default scripts
 * itself; a script is run only when a config names one.
 */
#ifndef TL_HOTPLUG_H
#define TL_HOTPLUG_H

#include <stddef.h>

/* Where a relative script= name is looked up, as xl does. */
#define TL_HOTPLUG_SCRIPT_DIR "/etc/xen/scripts"

/* The script's path: a bare name is one of Xen's hotplug scripts. */
void hotplug_script_path(const char *script, char *out, size_t size);

/*
 * Runs SCRIPT ACTION with XENBUS_PATH=backend, XENBUS_TYPE=kind,
 * XENBUS_BASE_PATH=backend and, when vif is not NULL, vif=VIF (the
 * network device netback made). Returns the exit status, or -errno when it
 * could not be started.
 */
int hotplug_run(const char *script, const char *action, const char *kind, const char *backend,
                const char *vif);

#endif
