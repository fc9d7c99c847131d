/* Drives the daemon core in-process: connections with no transport, whose
 * replies are read back straight from their output queues. */
#ifndef XS_TEST_HARNESS_H
#define XS_TEST_HARNESS_H

#include <CUnit/CUnit.h>
#include <stdint.h>

#include "xsd.h"

struct reply {
    uint32_t type;
    uint32_t req_id;
    uint32_t tx_id;
    uint32_t len;
    char body[XENSTORE_PAYLOAD_MAX + 1];   /* nul-terminated copy */
};

extern struct xsd *th;   /* fresh for every test */

int th_setup(void);      /* CUnit suite init/cleanup helpers */
int th_teardown(void);
void th_reset(void);     /* a fresh daemon state */

struct xsd_conn *th_conn(unsigned domid, bool privileged);
/* Sends one request and takes the next non-event message as its reply. */
struct reply th_call(struct xsd_conn *c, uint32_t type, uint32_t tx, const void *payload, uint32_t len);
/* Same with nul-terminated strings: th_callv(c, XS_READ, 0, "/a", NULL). */
struct reply th_callv(struct xsd_conn *c, uint32_t type, uint32_t tx, ...);
/* Takes the next queued watch event; returns false if none is queued. */
bool th_event(struct xsd_conn *c, struct reply *out);
/* Takes the next queued reply; returns false if none is queued. */
bool th_take_reply(struct xsd_conn *c, struct reply *out);
/* Number of queued messages. */
unsigned th_queued(struct xsd_conn *c);

/* Shorthands used all over the tests. */
bool th_write(struct xsd_conn *c, uint32_t tx, const char *path, const char *value);
/* The value at path, or the error name, in a static buffer. */
const char *th_read(struct xsd_conn *c, uint32_t tx, const char *path);
uint32_t th_tx_start(struct xsd_conn *c);

/* Each evaluates the request expression exactly once. */
#define ASSERT_OK(call) do { struct reply r_ = (call); CU_ASSERT_STRING_EQUAL(r_.body, "OK"); } while (0)
#define ASSERT_ERR(call, name) do { struct reply r_ = (call); CU_ASSERT_EQUAL(r_.type, XS_ERROR); \
                                    CU_ASSERT_STRING_EQUAL(r_.body, name); } while (0)

void register_path_tests(void);
void register_store_tests(void);
void register_perms_tests(void);
void register_txn_tests(void);
void register_quota_tests(void);
void register_wire_tests(void);
void register_watch_tests(void);
void register_ring_tests(void);
void register_dump_tests(void);
void register_domain_tests(void);
void register_node_tests(void);

#endif
