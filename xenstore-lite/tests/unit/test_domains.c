/*
 * Dead domains noticed (VIRQ_DOM_EXC): xsd_check_domains() asks the
 * transport's domain_state hook about each introduced domain, as the real
 * transport asks the hypervisor (getdomaininfo). A fake hypervisor here.
 */
#include <errno.h>
#include <string.h>

#include "harness.h"

static int fake_state[16];         /* what the "hypervisor" says per domain */
static unsigned asked[16];
static unsigned released[16];

static int fake_domain_state(struct xsd *xsd, unsigned domid)
{
    (void)xsd;
    CU_ASSERT_FATAL(domid < 16);
    asked[domid]++;
    return fake_state[domid];
}

static void fake_release(struct xsd *xsd, struct domain *d)
{
    (void)xsd;
    released[d->domid]++;
}

static void setup(void)
{
    th_reset();
    memset(fake_state, 0, sizeof(fake_state));
    memset(asked, 0, sizeof(asked));
    memset(released, 0, sizeof(released));
    th->backend.domain_state = fake_domain_state;
    th->backend.release = fake_release;
}

static const char *ev(struct xsd_conn *c)
{
    static char buf[8200];
    struct reply r;
    if (!th_event(c, &r))
        return "(none)";
    snprintf(buf, sizeof(buf), "%s %s", r.body, r.body + strlen(r.body) + 1);
    return buf;
}

static struct xsd_conn *watcher(void)
{
    struct xsd_conn *w = th_conn(0, true);
    th_callv(w, XS_WATCH, 0, "@releaseDomain", "out", NULL);
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    return w;
}

static void shutdown_fires_release_once(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *w = watcher();
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1234", "7", NULL));
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");      /* running: nothing to say */
    CU_ASSERT_EQUAL(asked[3], 1);
    CU_ASSERT_EQUAL(asked[0], 0);                  /* dom0 is never asked */
    fake_state[3] = XSD_DOMAIN_SHUTDOWN;
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    xsd_check_domains(th);                         /* the same shutdown: no news */
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL).body, "T");
    CU_ASSERT_EQUAL(released[3], 0);
    /* Resumed, its next shutdown is news again. */
    ASSERT_OK(th_callv(dom0, XS_RESUME, 0, "3", NULL));
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
}

static void gone_domain_is_released(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *w = watcher();
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1234", "7", NULL));
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "4", "1235", "8", NULL));
    fake_state[4] = XSD_DOMAIN_GONE;
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "4", NULL).body, "F");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL).body, "T");
    xsd_check_domains(th);                         /* released ones are not asked again */
    CU_ASSERT_EQUAL(asked[4], 1);
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    /* A domain shut down first and destroyed later fires twice. */
    fake_state[3] = XSD_DOMAIN_SHUTDOWN;
    xsd_check_domains(th);
    fake_state[3] = XSD_DOMAIN_GONE;
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    CU_ASSERT_STRING_EQUAL(ev(w), "@releaseDomain out");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "3", NULL).body, "F");
    /* The same id introduced again starts afresh. */
    fake_state[3] = XSD_DOMAIN_RUNNING;
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "3", "1234", "7", NULL));
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
}

static void unanswered_question_changes_nothing(void)
{
    struct xsd_conn *dom0 = th_conn(0, true), *w = watcher();
    ASSERT_OK(th_callv(dom0, XS_INTRODUCE, 0, "5", "1", "9", NULL));
    fake_state[5] = -EFAULT;
    xsd_check_domains(th);
    CU_ASSERT_STRING_EQUAL(ev(w), "(none)");
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL).body, "T");
    /* Without a hook (the host stand-in) nothing is asked at all. */
    th->backend.domain_state = NULL;
    fake_state[5] = XSD_DOMAIN_GONE;
    xsd_check_domains(th);
    CU_ASSERT_EQUAL(asked[5], 1);
    CU_ASSERT_STRING_EQUAL(th_callv(dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5", NULL).body, "T");
}

void register_domain_tests(void)
{
    CU_pSuite s = CU_add_suite_with_setup_and_teardown("domains", th_setup, th_teardown, setup, NULL);
    CU_add_test(s, "shutdown_fires_release_once", shutdown_fires_release_once);
    CU_add_test(s, "gone_domain_is_released", gone_domain_is_released);
    CU_add_test(s, "unanswered_question_changes_nothing", unanswered_question_changes_nothing);
}
