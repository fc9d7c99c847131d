/*
 * Running hotplug scripts (see hotplug.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hotplug.h"

void hotplug_script_path(const char *script, char *out, size_t size)
{
    if (strchr(script, '/'))
        snprintf(out, size, "%s", script);
    else
        snprintf(out, size, "%s/%s", TL_HOTPLUG_SCRIPT_DIR, script);
}

int hotplug_run(const char *script, const char *action, const char *kind, const char *backend,
                const char *vif)
{
    char path[PATH_MAX];
    hotplug_script_path(script, path, sizeof(path));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        setenv("XENBUS_PATH", backend, 1);
        setenv("XENBUS_TYPE", kind, 1);
        setenv("XENBUS_BASE_PATH", "backend", 1);
        setenv("script", path, 1);
        if (vif)
            setenv("vif", vif, 1);
        execl(path, path, action, (char *)NULL);
        fprintf(stderr, "tl: cannot run hotplug script %s: %s\n", path, strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
