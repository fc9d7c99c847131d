/*
 * The domain's QEMU (see device_model.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "device_model.h"

#define DEFAULT_PATH "/usr/libexec/xen-qemu-system-i386"
#define LOG_DIR "/var/log/tessera"
#define STOP_WAIT_MS 2000

const char *device_model_path(void)
{
    const char *p = getenv("TL_DEVICE_MODEL");
    return p && *p ? p : DEFAULT_PATH;
}

static char *read_key(struct xs_handle *xs, uint32_t domid, const char *key)
{
    char path[96];
    unsigned len;
    snprintf(path, sizeof(path), "/local/domain/%u/%s", domid, key);
    return xs_read(xs, XBT_NULL, path, &len);
}

#define PID_KEY "image/device-model-pid"

static void pid_path(uint32_t domid, char *buf, size_t size)
{
    snprintf(buf, size, "/local/domain/%u/" PID_KEY, domid);
}

static pid_t recorded_pid(struct xs_handle *xs, uint32_t domid)
{
    char *v = read_key(xs, domid, PID_KEY);
    long pid = v ? strtol(v, NULL, 10) : 0;
    free(v);
    return pid > 1 ? (pid_t)pid : 0;
}

/*
 * Whether pid is a live QEMU serving domid: its command line names the
 * domain, so a pid reused by another process (or a zombie, whose command
 * line is empty) is not taken for it.
 */
static bool is_our_qemu(pid_t pid, uint32_t domid)
{
    char path[64], buf[4096], want[32];
    snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return false;
    int wlen = snprintf(want, sizeof(want), "-xen-domid%c%u%c", 0, domid, 0);
    return memmem(buf, (size_t)n, want, (size_t)wlen) != NULL;
}

bool device_model_alive(struct xs_handle *xs, uint32_t domid)
{
    pid_t pid = recorded_pid(xs, domid);
    return pid && is_our_qemu(pid, domid);
}

static void log_path(struct xs_handle *xs, uint32_t domid, char *buf, size_t size)
{
    char *name = read_key(xs, domid, "name");
    /* The name is the guest's own choice of text: only a plain file name here. */
    bool plain = name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
    if (plain)
        snprintf(buf, size, LOG_DIR "/qemu-dm-%s.log", name);
    else
        snprintf(buf, size, LOG_DIR "/qemu-dm-%u.log", domid);
    free(name);
}

/* A message on the start pipe: the QEMU's pid, or the errno its exec failed with. */
struct start_note {
    int kind;                   /* 'p' pid, 'e' errno */
    int value;
};

/* In the child that becomes QEMU: its own session, output to the log, nothing else open. */
static void become_qemu(const char *path, char *const argv[], const char *log, int note_fd)
{
    setsid();
    int in = open("/dev/null", O_RDONLY);
    int out = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (in >= 0)
        dup2(in, 0);
    if (out >= 0) {
        dup2(out, 1);
        dup2(out, 2);
    }
    for (int fd = 3; fd < 1024; fd++)
        if (fd != note_fd)
            close(fd);
    execv(path, argv);
    struct start_note n = { 'e', errno };
    if (write(note_fd, &n, sizeof(n)) < 0)
        _exit(126);
    _exit(127);
}

int device_model_ensure(struct xs_handle *xs, uint32_t domid, char *why, size_t why_size)
{
    if (device_model_alive(xs, domid))
        return 0;
    const char *path = device_model_path();
    if (access(path, X_OK) < 0) {
        int e = errno;
        snprintf(why, why_size, "%s: %s (QEMU for Xen: Debian's package qemu-system-xen; "
                 "TL_DEVICE_MODEL names another)", path, strerror(e));
        return -e;
    }
    char log[256], domid_s[16], mem_s[24];
    mkdir(LOG_DIR, 0755);
    log_path(xs, domid, log, sizeof(log));
    char *name = read_key(xs, domid, "name");
    char *maxkb = read_key(xs, domid, "memory/static-max");
    long mib = maxkb ? strtol(maxkb, NULL, 10) / 1024 : 0;
    free(maxkb);
    snprintf(domid_s, sizeof(domid_s), "%u", domid);
    snprintf(mem_s, sizeof(mem_s), "%ld", mib > 0 ? mib : 128);
    char dm_name[128];
    snprintf(dm_name, sizeof(dm_name), "%s", name ? name : domid_s);
    free(name);
    /* libxl's arguments for a PV guest's QEMU with only back ends to serve. */
    char *const argv[] = {
        (char *)path, "-xen-domid", domid_s, "-xen-attach", "-name", dm_name, "-nodefaults",
        "-no-user-config", "-machine", "xenpv", "-nographic", "-display", "none", "-m", mem_s,
        NULL,
    };

    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) < 0) {
        int e = errno;
        snprintf(why, why_size, "pipe: %s", strerror(e));
        return -e;
    }
    /* Started twice removed, so that it is nobody's child here once tl exits. */
    pid_t mid = fork();
    if (mid == 0) {
        close(pfd[0]);
        pid_t qemu = fork();
        if (qemu == 0)
            become_qemu(path, argv, log, pfd[1]);
        struct start_note n = { qemu < 0 ? 'e' : 'p', qemu < 0 ? errno : (int)qemu };
        _exit(write(pfd[1], &n, sizeof(n)) == sizeof(n) ? 0 : 1);
    }
    close(pfd[1]);
    if (mid < 0) {
        int e = errno;
        close(pfd[0]);
        snprintf(why, why_size, "fork: %s", strerror(e));
        return -e;
    }
    waitpid(mid, NULL, 0);
    /* Until both children are done with it: QEMU's exec closes its end. */
    pid_t pid = 0;
    int exec_errno = 0;
    struct start_note n;
    while (read(pfd[0], &n, sizeof(n)) == sizeof(n)) {
        if (n.kind == 'p')
            pid = n.value;
        else
            exec_errno = n.value;
    }
    close(pfd[0]);
    if (exec_errno || pid <= 0) {
        int e = exec_errno ? exec_errno : ECHILD;
        snprintf(why, why_size, "starting %s: %s", path, strerror(e));
        return -e;
    }
    char key[96], val[16];
    pid_path(domid, key, sizeof(key));
    snprintf(val, sizeof(val), "%d", (int)pid);
    if (!xs_write(xs, XBT_NULL, key, val, (unsigned)strlen(val))) {
        int e = errno;
        kill(pid, SIGKILL);
        snprintf(why, why_size, "xenstore write of %s: %s", key, strerror(e));
        return -e;
    }
    return 0;
}

char *device_model_last_words(struct xs_handle *xs, uint32_t domid)
{
    char log[256];
    log_path(xs, domid, log, sizeof(log));
    FILE *f = fopen(log, "re");
    if (!f)
        return NULL;
    char line[512], *last = NULL;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        if (*line) {
            free(last);
            last = strdup(line);
        }
    }
    fclose(f);
    return last;
}

bool device_model_refused(struct xs_handle *xs, uint32_t domid, uint32_t devid)
{
    char *words = device_model_last_words(xs, domid), want[64];
    snprintf(want, sizeof(want), "failed to create 'qdisk' device '%u'", devid);
    bool refused = words && strstr(words, want);
    free(words);
    return refused;
}

void device_model_stop(struct xs_handle *xs, uint32_t domid)
{
    pid_t pid = recorded_pid(xs, domid);
    if (pid && is_our_qemu(pid, domid)) {
        kill(pid, SIGTERM);
        struct timespec tick = { 0, 20 * 1000000L };
        for (int waited = 0; waited < STOP_WAIT_MS && is_our_qemu(pid, domid); waited += 20)
            nanosleep(&tick, NULL);
        if (is_our_qemu(pid, domid))
            kill(pid, SIGKILL);
    }
    char key[96];
    pid_path(domid, key, sizeof(key));
    xs_rm(xs, XBT_NULL, key);
}
