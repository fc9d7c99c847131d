/*
 * Granting our pages to another domain (grant table v1), as a front end
 * does: one table frame from GNTTABOP_setup_table, entries written
 * directly. Refs below GNTTAB_FIRST_FREE_REF belong to the toolstack
 * (console and xenstore rings).
 */
#ifndef GUEST_GNTTAB_H
#define GUEST_GNTTAB_H

#include <stdbool.h>
#include <pvabi/grant_table.h>

#define GNTTAB_FIRST_FREE_REF 8
/* Entries in the one frame we set up (v1: 8 bytes each). */
#define GNTTAB_NR_REFS (4096 / sizeof(grant_entry_v1_t))

/* Maps our table's first frame; 0 or a negative error. */
long gnttab_init(void);
/* Grants the page at va to domain `to` (readonly or writable); the ref. */
void gnttab_grant(grant_ref_t ref, domid_t to, const void *va, bool readonly);
/* Ends the grant if nobody has it mapped: true when ended. With force,
 * clears the entry even while mapped (what a hostile front end does). */
bool gnttab_end(grant_ref_t ref, bool force);
/* The entry's current flags (GTF_reading/GTF_writing while mapped). */
uint16_t gnttab_flags(grant_ref_t ref);

#endif /* GUEST_GNTTAB_H */
