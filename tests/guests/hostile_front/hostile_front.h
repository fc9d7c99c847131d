/*
 * What the hostile front end's parts share: xenstore helpers for a
 * device's front and back end directories, waiting on an event channel
 * with events masked, the data pages granted to dom0, and the one line
 * each attack reports.
 */
#ifndef HOSTILE_FRONT_H
#define HOSTILE_FRONT_H

#include "guest.h"
#include "gnttab.h"
#include "xenstore.h"
#include <pvabi/io/xenbus.h>

#define NS_PER_MS (1000ULL * 1000)
#define BACKEND_DOM 0

/* Grant refs: the rings, then data pages, then ones never granted. */
enum {
    REF_VBD_RING = GNTTAB_FIRST_FREE_REF,   /* + disk index */
    REF_VIF_RINGS = 12,         /* + 2 * vif index: tx, then rx */
    REF_DATA = 32,              /* REF_DATA + i for data_pages[i] */
    REF_NEVER_GRANTED = 300,    /* inside our table, never written */
    REF_FOREIGN = 301,          /* granted, but to another domain */
};
#define NR_DATA_PAGES 32
extern char data_pages[NR_DATA_PAGES][PAGE_SIZE];

/* SCHEDOP_poll on one port for at most ns, then its pending bit cleared. */
void wait_port(evtchn_port_t port, uint64_t ns);
/* DIR/KEY as a number (-1 when missing), written as a number. */
long node_long(const char *dir, const char *key);
long set_node(const char *dir, const char *key, long value);
/* Polls DIR/state until it is `want` or ms pass; the last state read. */
long wait_state(const char *dir, long want, uint64_t ms);

/*
 * One attack's line: "hostile_front: KIND DEV ATTACK: GOT (expected WANT)
 * [, NOTE], AFTER: ok|UNEXPECTED". ok when got matched want and the device
 * served again afterwards (alive); a dead device fails the test.
 */
void report_attack(const char *kind, const char *dev, const char *attack, const char *got,
                   const char *want, const char *note, const char *after, bool as_expected,
                   bool alive);

void vbd_attacks(void);
void __attribute__((noreturn)) vbd_flood(void);
void vif_attacks(void);

#endif /* HOSTILE_FRONT_H */
