/*
 * xspipe: a client that keeps the daemon busy, so that the rate it measures
 * is the daemon's and not the client's. xsbench (and every libxenstore
 * client) waits for each reply before it sends the next request; then the
 * rate is the round trip, mostly the two processes' wake-ups and the
 * client's own work, and a daemon twice as fast shows as a few percent.
 * xspipe writes DEPTH requests in one write, then reads their DEPTH replies,
 * on the raw socket protocol: the daemon always has work queued and the
 * client spends a fraction of a system call per request.
 *
 *   XENSTORED_PATH=SOCKET [XSBENCH_DAEMON_PID=PID] xspipe [-t SECS] [-d DEPTH] [-p PHASES]
 *
 * Phases (comma-separated, default wr,dir):
 *   wr   WRITE of a small value then READ of it, 64 nodes (1 op = the pair)
 *   dir  DIRECTORY of a node with 10 children
 * Each prints "pwr|pdir iters=N secs=S rate=R/s dcpu_us=U", the same shape
 * as xsbench's lines. Every reply is checked: its type (no XS_ERROR), its
 * request id (replies come in order), and for wr the value read back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <pvabi/io/xs_wire.h>

#define MAX_DEPTH 256
#define MSG_MAX (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)

static int sock = -1;
static uint32_t next_req_id = 1;

/* Requests of one batch, laid out back to back as they go on the wire. */
static char out_buf[MAX_DEPTH * 2 * 128];
static size_t out_len;

/* Replies as read: in_buf[in_start, in_end) holds bytes not yet consumed. */
static char in_buf[1 << 20];
static size_t in_start, in_end;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double daemon_cpu(void)
{
    const char *pid = getenv("XSBENCH_DAEMON_PID");
    char fn[64], buf[1024], *p;
    unsigned long ut, st;
    FILE *f;

    if (!pid)
        return -1;
    snprintf(fn, sizeof(fn), "/proc/%s/stat", pid);
    f = fopen(fn, "r");
    if (!f)
        return -1;
    p = fgets(buf, sizeof(buf), f);
    fclose(f);
    if (!p || !(p = strrchr(buf, ')')))
        return -1;
    /* Fields 14 and 15 (utime, stime) counted from the state after ") ". */
    if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / sysconf(_SC_CLK_TCK);
}

static void die(const char *what)
{
    fprintf(stderr, "xspipe: %s\n", what);
    exit(1);
}

/* Queues one request whose payload is the nul-terminated strings given. */
static void add_request(uint32_t type, const char *a, const char *b, size_t blen)
{
    size_t alen = strlen(a) + 1;
    struct xsd_sockmsg hdr = { .type = type, .req_id = next_req_id++, .tx_id = 0,
                               .len = (uint32_t)(alen + blen) };

    if (out_len + sizeof(hdr) + hdr.len > sizeof(out_buf))
        die("batch too large");
    memcpy(out_buf + out_len, &hdr, sizeof(hdr));
    memcpy(out_buf + out_len + sizeof(hdr), a, alen);
    if (blen)
        memcpy(out_buf + out_len + sizeof(hdr) + alen, b, blen);
    out_len += sizeof(hdr) + hdr.len;
}

static void send_batch(void)
{
    size_t done = 0;
    while (done < out_len) {
        ssize_t n = write(sock, out_buf + done, out_len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("write to the daemon failed");
        done += (size_t)n;
    }
    out_len = 0;
}

/* The next reply; its payload stays valid until the next call. */
static const struct xsd_sockmsg *next_reply(const char **payload)
{
    for (;;) {
        size_t have = in_end - in_start;
        if (have >= sizeof(struct xsd_sockmsg)) {
            struct xsd_sockmsg hdr;
            memcpy(&hdr, in_buf + in_start, sizeof(hdr));
            if (hdr.len > XENSTORE_PAYLOAD_MAX)
                die("reply too long");
            if (have >= sizeof(hdr) + hdr.len) {
                const struct xsd_sockmsg *m = (const void *)(in_buf + in_start);
                *payload = in_buf + in_start + sizeof(hdr);
                in_start += sizeof(hdr) + hdr.len;
                return m;
            }
        }
        if (in_start > 0) {
            memmove(in_buf, in_buf + in_start, have);
            in_start = 0;
            in_end = have;
        }
        ssize_t n = read(sock, in_buf + in_end, sizeof(in_buf) - in_end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            die("the daemon closed the connection");
        in_end += (size_t)n;
    }
}

/* Reads the reply to request req_id and checks it is of the type asked. */
static const char *expect_reply(uint32_t type, uint32_t req_id, uint32_t *len)
{
    const char *payload;
    const struct xsd_sockmsg *m = next_reply(&payload);
    struct xsd_sockmsg hdr;

    memcpy(&hdr, m, sizeof(hdr));
    if (hdr.type == XS_ERROR) {
        fprintf(stderr, "xspipe: request %u got error %.*s\n", req_id, (int)hdr.len, payload);
        exit(1);
    }
    if (hdr.type != type || hdr.req_id != req_id)
        die("reply out of order or of the wrong type");
    *len = hdr.len;
    return payload;
}

static void call(uint32_t type, const char *a, const char *b, size_t blen)
{
    uint32_t len;
    add_request(type, a, b, blen);
    send_batch();
    expect_reply(type, next_req_id - 1, &len);
}

static void report(const char *name, long iters, double t0, double c0)
{
    double secs = now() - t0, c1 = daemon_cpu();
    printf("%s iters=%ld secs=%.3f rate=%.0f/s", name, iters, secs, iters / secs);
    if (c0 >= 0 && c1 >= 0 && iters > 0)
        printf(" dcpu_us=%.2f", (c1 - c0) * 1e6 / iters);
    printf("\n");
    fflush(stdout);
}

static void phase_wr(const char *base, int depth, double tlimit)
{
    char path[MAX_DEPTH][96], val[MAX_DEPTH][24];
    long iters = 0;
    double c0 = daemon_cpu(), t0 = now();

    do {
        uint32_t first = next_req_id;
        for (int k = 0; k < depth; k++) {
            snprintf(path[k], sizeof(path[k]), "%s/wr/k%ld", base, (iters + k) & 63);
            snprintf(val[k], sizeof(val[k]), "v%ld", iters + k);
            add_request(XS_WRITE, path[k], val[k], strlen(val[k]));
            add_request(XS_READ, path[k], NULL, 0);
        }
        send_batch();
        for (int k = 0; k < depth; k++) {
            uint32_t len;
            expect_reply(XS_WRITE, first + 2 * k, &len);
            const char *v = expect_reply(XS_READ, first + 2 * k + 1, &len);
            if (len != strlen(val[k]) || memcmp(v, val[k], len) != 0)
                die("read back a different value");
        }
        iters += depth;
    } while (now() - t0 < tlimit);
    report("pwr", iters, t0, c0);
}

static void phase_dir(const char *base, int depth, double tlimit)
{
    char dir[96], child[128];
    long iters = 0;

    for (int i = 0; i < 10; i++) {
        snprintf(child, sizeof(child), "%s/dir/c%d", base, i);
        call(XS_WRITE, child, "x", 1);
    }
    snprintf(dir, sizeof(dir), "%s/dir", base);
    double c0 = daemon_cpu(), t0 = now();
    do {
        uint32_t first = next_req_id;
        for (int k = 0; k < depth; k++)
            add_request(XS_DIRECTORY, dir, NULL, 0);
        send_batch();
        for (int k = 0; k < depth; k++) {
            uint32_t len;
            expect_reply(XS_DIRECTORY, first + k, &len);
            if (len != 10 * 3)   /* ten names "cN" with their nuls */
                die("directory has the wrong size");
        }
        iters += depth;
    } while (now() - t0 < tlimit);
    report("pdir", iters, t0, c0);
}

int main(int argc, char **argv)
{
    double tlimit = 2.0;
    int depth = 32, opt;
    const char *phases = "wr,dir", *sockpath = getenv("XENSTORED_PATH");
    char base[64];

    while ((opt = getopt(argc, argv, "t:d:p:")) != -1) {
        switch (opt) {
        case 't': tlimit = atof(optarg); break;
        case 'd': depth = atoi(optarg); break;
        case 'p': phases = optarg; break;
        default:
            fprintf(stderr, "usage: xspipe [-t SECS] [-d DEPTH] [-p wr,dir]\n");
            return 2;
        }
    }
    if (depth < 1 || depth > MAX_DEPTH || !sockpath)
        die("needs XENSTORED_PATH and 1 <= DEPTH <= 256");

    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(sockpath) >= sizeof(sa.sun_path))
        die("socket path too long");
    strcpy(sa.sun_path, sockpath);
    sock = socket(AF_UNIX, SOCK_STREAM, 0);
    if (sock < 0 || connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("cannot connect to the daemon");

    snprintf(base, sizeof(base), "/xspipe/%d", (int)getpid());
    call(XS_WRITE, base, "", 0);
    if (strstr(phases, "wr"))
        phase_wr(base, depth, tlimit);
    if (strstr(phases, "dir"))
        phase_dir(base, depth, tlimit);
    call(XS_RM, base, NULL, 0);
    close(sock);
    return 0;
}
