/*
 * randio: random 4 KiB reads or writes on a block device, for the block
 * benchmark (tests/bench/dom0-io.sh runs it in a domU on xvdc and in dom0 on
 * the loop device behind it). O_DIRECT, one request at a time, offsets from
 * a fixed-seed generator so every run touches the same blocks: what it
 * measures is the latency of one request through the whole path (front
 * end, ring, event channel, back end), which is where the hypervisor is.
 *
 * usage: randio DEVICE read|write SECONDS
 * prints: randio read|write ops=N seconds=S iops=I
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <linux/fs.h>
#include <time.h>
#include <unistd.h>

enum { BLOCK = 4096 };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* xorshift64: the same sequence of blocks on every run and machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[2], "read") != 0 && strcmp(argv[2], "write") != 0)) {
        fprintf(stderr, "usage: randio DEVICE read|write SECONDS\n");
        return 2;
    }
    int writing = strcmp(argv[2], "write") == 0;
    double seconds = atof(argv[3]);
    if (seconds <= 0) {
        fprintf(stderr, "randio: SECONDS must be above 0, not '%s'\n", argv[3]);
        return 2;
    }
    int fd = open(argv[1], (writing ? O_RDWR : O_RDONLY) | O_DIRECT);
    if (fd < 0) {
        fprintf(stderr, "randio: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    /* A block device's size from the kernel, a plain file's from stat. */
    uint64_t bytes = 0;
    struct stat st;
    if (ioctl(fd, BLKGETSIZE64, &bytes) != 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        bytes = (uint64_t)st.st_size;
    if (bytes < BLOCK) {
        fprintf(stderr, "randio: %s: not a block device or file of at least 4 KiB\n", argv[1]);
        return 1;
    }
    uint64_t blocks = bytes / BLOCK;
    void *buf;
    if (posix_memalign(&buf, BLOCK, BLOCK) != 0)
        return 1;
    memset(buf, 0x5a, BLOCK);

    uint64_t state = 0x9e3779b97f4a7c15ull, ops = 0;
    double start = now(), end = start + seconds, t = start;
    while (t < end) {
        /* 64 requests between clock reads: the clock is cheap but not free. */
        for (int i = 0; i < 64; i++) {
            off_t off = (off_t)(next_random(&state) % blocks) * BLOCK;
            ssize_t n = writing ? pwrite(fd, buf, BLOCK, off) : pread(fd, buf, BLOCK, off);
            if (n != BLOCK) {
                fprintf(stderr, "randio: %s at %lld: %s\n", argv[2], (long long)off,
                        n < 0 ? strerror(errno) : "short transfer");
                return 1;
            }
            ops++;
        }
        t = now();
    }
    if (writing && fsync(fd) != 0) {
        fprintf(stderr, "randio: fsync: %s\n", strerror(errno));
        return 1;
    }
    double took = now() - start;
    printf("randio %s ops=%llu seconds=%.3f iops=%.0f\n", argv[2], (unsigned long long)ops,
           took, (double)ops / took);
    return 0;
}
