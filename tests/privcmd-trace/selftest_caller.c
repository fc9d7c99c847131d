/*
 * The host self-test's caller (selftest.sh): issues privcmd-shaped ioctls
 * on /dev/null, which refuses them (ENOTTY), so privcmd-trace.so (with
 * PRIVCMD_TRACE_ANY_FD=1) decodes known arguments without a hypervisor.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct hypercall { uint64_t op, arg[5]; };
struct multicall_entry { uint64_t op, result, args[6]; };

#define PRIVCMD_HYPERCALL _IOC(_IOC_NONE, 'P', 0, sizeof(struct hypercall))

int main(void)
{
    int fd = open("/dev/null", O_RDWR);
    if (fd < 0)
        return 2;
    /* domctl getdomaininfo (5), version 0x15, domain 7 */
    unsigned char domctl[144] = {0};
    uint32_t cmd = 5, ver = 0x15;
    uint16_t dom = 7;
    memcpy(domctl, &cmd, 4);
    memcpy(domctl + 4, &ver, 4);
    memcpy(domctl + 8, &dom, 2);
    struct hypercall h = {36, {(uintptr_t)domctl}};
    int r1 = ioctl(fd, PRIVCMD_HYPERCALL, &h);
    /* sysctl cpupool_op (18) INFO (op 3) for pool 1 */
    unsigned char sysctl[136] = {0};
    uint32_t scmd = 18, op = 3, pool = 1;
    memcpy(sysctl, &scmd, 4);
    memcpy(sysctl + 4, &ver, 4);
    memcpy(sysctl + 8, &op, 4);
    memcpy(sysctl + 12, &pool, 4);
    struct hypercall s = {35, {(uintptr_t)sysctl}};
    int r2 = ioctl(fd, PRIVCMD_HYPERCALL, &s);
    /* memory_op claim_pages (24) for domain 3, 256 pages, in a multicall */
    unsigned char resv[32] = {0};
    uint64_t nr = 256;
    uint16_t rdom = 3;
    memcpy(resv + 8, &nr, 8);
    memcpy(resv + 24, &rdom, 2);
    struct multicall_entry e = {12, 0, {24, (uintptr_t)resv}};
    struct hypercall m = {13, {(uintptr_t)&e, 1}};
    int r3 = ioctl(fd, PRIVCMD_HYPERCALL, &m);
    /* xen_version build_id (10) */
    struct hypercall v = {17, {10, 0}};
    int r4 = ioctl(fd, PRIVCMD_HYPERCALL, &v);
    /* PRIVCMD_UNIMPLEMENTED */
    int r5 = ioctl(fd, _IOC(_IOC_NONE, 'P', 0xff, 0), 0);
    printf("%d %d %d %d %d\n", r1, r2, r3, r4, r5);
    close(fd);
    return 0;
}
