/*
 * The domains both sides of the "xl list" differential test describe:
 * Debian's xl (through xl_list_shim.c) and tl's printer (list_printer.c).
 */
#ifndef TL_PEER_FAKE_DOMAINS_H
#define TL_PEER_FAKE_DOMAINS_H

#include <stdint.h>

struct fake_domain {
    const char *name;
    uint32_t domid;
    uint8_t uuid_byte;              /* every UUID byte */
    const char *label;              /* NULL: none */
    int running, blocked, paused, shutdown, dying;
    int reason;
    uint64_t current_memkb, outstanding_memkb;
    uint32_t vcpus;
    uint64_t cpu_time_ns;
};

static const struct fake_domain fake_domains[] = {
    { "Domain-0", 0, 0x00, "system_u:system_r:dom0_t", 1, 0, 0, 0, 0, 0, 1048576, 0, 2, 123456789012ULL },
    { "web01", 1, 0x11, NULL, 0, 1, 0, 0, 0, 0, 524288, 0, 2, 99300000000ULL },
    { "paused-one", 7, 0xab, NULL, 0, 0, 1, 0, 0, 0, 262144, 131072, 1, 5ULL },
    { "crashed", 12, 0xcd, NULL, 0, 0, 0, 1, 0, 3, 131072, 0, 4, 42000000000ULL },
    { "rebooting", 13, 0x42, NULL, 0, 0, 0, 1, 1, 1, 65536, 0, 1, 1ULL },
    { "a-name-that-is-longer-than-forty-characters-to-see", 32000, 0xfe, "label", 1, 1, 1, 1, 1, 5,
      17179869184ULL, 1024, 128, 31536000000000000ULL },
};
#define NR_FAKE_DOMAINS (sizeof(fake_domains) / sizeof(fake_domains[0]))

#endif
