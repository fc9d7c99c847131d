/*
 * Tessera guest ABI: scheduler operations, sched_op(cmd, arg).
 */
#ifndef PVABI_SCHED_H
#define PVABI_SCHED_H

#include <pvabi/event_channel.h>

#define SCHEDOP_yield           0   /* arg unused: give up the pCPU */
#define SCHEDOP_block           1   /* arg unused: sleep until an event; unmasks events */
#define SCHEDOP_shutdown        2   /* arg: sched_shutdown */
#define SCHEDOP_poll            3   /* arg: sched_poll; events stay masked */
#define SCHEDOP_remote_shutdown 4   /* arg: sched_remote_shutdown (privileged) */
#define SCHEDOP_shutdown_code   5   /* arg: sched_shutdown, record the reason only */
#define SCHEDOP_watchdog        6   /* arg: sched_watchdog */
#define SCHEDOP_pin_override    7   /* arg: sched_pin_override (hardware domain) */

/* Shutdown reasons. */
#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX        5

#ifndef __ASSEMBLY__

struct sched_shutdown {
    unsigned int reason;    /* IN: SHUTDOWN_* */
};
typedef struct sched_shutdown sched_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_shutdown_t);

/* Block until one of the ports is pending or the absolute timeout passes. */
struct sched_poll {
    XEN_GUEST_HANDLE(evtchn_port_t) ports;  /* IN */
    unsigned int nr_ports;                  /* IN */
    uint64_t timeout;                       /* IN: system time in ns, 0 = none */
};
typedef struct sched_poll sched_poll_t;
DEFINE_XEN_GUEST_HANDLE(sched_poll_t);

struct sched_remote_shutdown {
    domid_t domain_id;      /* IN */
    unsigned int reason;    /* IN: SHUTDOWN_* */
};
typedef struct sched_remote_shutdown sched_remote_shutdown_t;
DEFINE_XEN_GUEST_HANDLE(sched_remote_shutdown_t);

struct sched_watchdog {
    uint32_t id;            /* IN: 0 to allocate; OUT: id allocated */
    uint32_t timeout;       /* IN: seconds, 0 to destroy */
};
typedef struct sched_watchdog sched_watchdog_t;
DEFINE_XEN_GUEST_HANDLE(sched_watchdog_t);

struct sched_pin_override {
    int32_t pcpu;           /* IN: -1 ends the override */
};
typedef struct sched_pin_override sched_pin_override_t;
DEFINE_XEN_GUEST_HANDLE(sched_pin_override_t);

_Static_assert(sizeof(struct sched_shutdown) == 4, "sched_shutdown");
_Static_assert(sizeof(struct sched_poll) == 24, "sched_poll");
_Static_assert(offsetof(struct sched_poll, nr_ports) == 8, "sched_poll.nr_ports");
_Static_assert(offsetof(struct sched_poll, timeout) == 16, "sched_poll.timeout");
_Static_assert(sizeof(struct sched_remote_shutdown) == 8, "sched_remote_shutdown");
_Static_assert(sizeof(struct sched_watchdog) == 8, "sched_watchdog");

#endif /* !__ASSEMBLY__ */
#endif /* PVABI_SCHED_H */
