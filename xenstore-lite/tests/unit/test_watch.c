#include <string.h>

#include "harness.h"

static void setup(void) { th_reset(); }

/* The event's path and token joined as "path token". */
static const char *ev(struct xsd_conn *c)
{
    static char buf[8192];
    struct reply r;
    if (!th_event(c, &r))
        return "(none)";
    CU_ASSERT_EQUAL(r.type, XS_WATCH_EVENT);
    CU_ASSERT_EQUAL(r.req_id, 0);
    snprintf(buf, sizeof(buf), "%s %s", r.body, r.body + strlen(r.body) + 1);
    return buf;
}

static void fires_once_on_registration(void)
{
    struct xsd_conn *c = th_conn(0, true);
    ASSERT_OK(th_callv(c, XS_WATCH, 0, "/w", "tok", NULL));
    CU_ASSERT_STRING_EQUAL(ev(c), "/w tok");
    CU_ASSERT_STRING_EQUAL(ev(c), "(none)");
    ASSERT_ERR(th_callv(c, XS_WATCH, 0, "/w", "tok", NULL), "EEXIST");
}

static void fires_for_self_and_children_only(void)
{
    struct xsd_conn *c = th_conn(0, true), *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "/w", "t", NULL);
    ev(w);
    th_write(c, 0, "/w/a/b", "1");
    CU_ASSERT_STRING_EQUAL(ev(w), "/w/a/b t");
    th_write(c, 0, "/wx", "1");
    th_write(c, 0, "/", "1");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    th_callv(c, XS_SET_PERMS, 0, "/w", "r0", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "/w t");
    th_callv(c, XS_MKDIR, 0, "/w", NULL);   /* exists: no change, no event */
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
}

static void rm_fires_watches_below(void)
{
    struct xsd_conn *c = th_conn(0, true), *w = th_conn(0, true);
    th_write(c, 0, "/r/a/b", "1");
    th_callv(w, XS_WATCH, 0, "/r/a/b", "deep", NULL);
    th_callv(w, XS_WATCH, 0, "/r", "top", NULL);
    ev(w);
    ev(w);
    th_callv(c, XS_RM, 0, "/r/a", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "/r/a/b deep");
    CU_ASSERT_STRING_EQUAL(ev(w), "/r/a top");
}

static void relative_watch_gets_relative_paths(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *g = th_conn(5, false);
    th_write(dom0, 0, "/local/domain/5", "");
    th_callv(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", NULL);
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "device", "rel", NULL));
    CU_ASSERT_STRING_EQUAL(ev(g), "device rel");
    th_write(dom0, 0, "/local/domain/5/device/vif", "");
    CU_ASSERT_STRING_EQUAL(ev(g), "device/vif rel");
}

static void unreadable_changes_stay_hidden(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *g = th_conn(5, false);
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "/pub", "t", NULL));
    ev(g);
    th_write(dom0, 0, "/pub/secret", "s");   /* inherits n0 from / */
    CU_ASSERT_STRING_EQUAL(ev(g), "(none)");
    th_callv(dom0, XS_SET_PERMS, 0, "/pub/secret", "r0", NULL);
    CU_ASSERT_STRING_EQUAL(ev(g), "/pub/secret t");
}

static void special_domain_watches(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "@introduceDomain", "in", NULL);
    th_callv(w, XS_WATCH, 0, "@releaseDomain", "out", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "@introduceDomain in");
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1234", "7", NULL));
    CU_ASSERT_STRING_EQUAL(ev(w), "@introduceDomain in");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL).body, "T");
    /* Introducing again only rebinds: no second event. */
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1234", "7", NULL));
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    ASSERT_OK(th_callv(dom0, XS_RELEASE, 0, "3", NULL));
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL).body, "F");
    ASSERT_ERR(th_callv(dom0, XS_RELEASE, 0, "3", NULL), "ENOENT");
    th_write(dom0, 0, "/x", "");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
}

static void transaction_events_on_commit_only(void)
{
    struct xsd_conn *c = th_conn(0, true), *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "/tx", "t", NULL);
    ev(w);
    uint32_t t = th_tx_start(c);
    th_write(c, t, "/tx/a", "1");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    th_callv(c, XS_TRANSACTION_END, t, "T", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "/tx/a t");
    t = th_tx_start(c);
    th_write(c, t, "/tx/b", "1");
    th_callv(c, XS_TRANSACTION_END, t, "F", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
}

static void unwatch_and_reset(void)
{
    struct xsd_conn *c = th_conn(0, true), *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "/u", "t", NULL);
    th_callv(w, XS_WATCH, 0, "/v", "t", NULL);
    ev(w);
    ev(w);
    ASSERT_ERR(th_callv(w, XS_UNWATCH, 0, "/u", "other", NULL), "ENOENT");
    ASSERT_OK(th_callv(w, XS_UNWATCH, 0, "/u", "t", NULL));
    th_write(c, 0, "/u", "1");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    ASSERT_OK(th_callv(w, XS_RESET_WATCHES, 0, "", NULL));
    th_write(c, 0, "/v", "1");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    CU_ASSERT_EQUAL(th->nwatches, 0);
}

static void guest_resets_its_own_watches(void)
{
    /* Guest kernels send RESET_WATCHES when they (re)start their xenbus. */
    struct xsd_conn *g = th_conn(5, false), *other = th_conn(0, true);
    th_callv(other, XS_WATCH, 0, "/keep", "o", NULL);
    th_callv(g, XS_WATCH, 0, "x", "g", NULL);
    CU_ASSERT_EQUAL(th->nwatches, 2);
    ASSERT_OK(th_callv(g, XS_RESET_WATCHES, 0, "", NULL));
    CU_ASSERT_EQUAL(th->nwatches, 1);
    CU_ASSERT_EQUAL(g->nwatches, 0);
}

static void disconnect_drops_watches(void)
{
    struct xsd_conn *c = th_conn(0, true), *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "/d", "t", NULL);
    xsd_conn_free(w);
    CU_ASSERT_EQUAL(th->nwatches, 0);
    CU_ASSERT_TRUE(th_write(c, 0, "/d", "1"));
}

static void special_watches_need_permission(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *g = th_conn(5, false);
    ASSERT_OK(th_callv(g, XS_WATCH, 0, "@introduceDomain", "g", NULL));
    ev(g);   /* the registration event is always delivered */
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1", "1", NULL));
    CU_ASSERT_STRING_EQUAL(ev(g), "(none)");
    ASSERT_ERR(th_callv(g, XS_SET_PERMS, 0, "@introduceDomain", "r5", NULL), "EACCES");
    ASSERT_OK(th_callv(dom0, XS_SET_PERMS, 0, "@introduceDomain", "n0", "r5", NULL));
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "4", "1", "1", NULL));
    CU_ASSERT_STRING_EQUAL(ev(g), "@introduceDomain g");
    ASSERT_ERR(th_callv(dom0, XS_SET_PERMS, 0, "@other", "n0", NULL), "EINVAL");
    ASSERT_ERR(th_callv(dom0, XS_READ, 0, "@introduceDomain", NULL), "EINVAL");
}

void register_watch_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("watch", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "fires_once_on_registration", fires_once_on_registration);
    CU_add_test(s, "fires_for_self_and_children_only", fires_for_self_and_children_only);
    CU_add_test(s, "rm_fires_watches_below", rm_fires_watches_below);
    CU_add_test(s, "relative_watch_gets_relative_paths", relative_watch_gets_relative_paths);
    CU_add_test(s, "unreadable_changes_stay_hidden", unreadable_changes_stay_hidden);
    CU_add_test(s, "special_domain_watches", special_domain_watches);
    CU_add_test(s, "special_watches_need_permission", special_watches_need_permission);
    CU_add_test(s, "transaction_events_on_commit_only", transaction_events_on_commit_only);
    CU_add_test(s, "unwatch_and_reset", unwatch_and_reset);
    CU_add_test(s, "guest_resets_its_own_watches", guest_resets_its_own_watches);
    CU_add_test(s, "disconnect_drops_watches", disconnect_drops_watches);
}
