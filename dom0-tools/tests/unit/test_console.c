/*
 * The console client against pseudo-terminal stand-ins: one pty pair plays
 * the user's terminal, another the domain's console. Checks the relay in
 * both directions, the Ctrl-] escape, hangup, and that the user's terminal
 * settings come back on every exit path.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "console_client.h"
#include "unit.h"

struct rig {
    int user_master, user_slave;        /* the user's terminal */
    int cons_master, cons_slave;        /* the domain console stand-in */
    struct termios before;
    pid_t child;
};

static void rig_start(struct rig *r)
{
    CU_ASSERT_EQUAL_FATAL(openpty(&r->user_master, &r->user_slave, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(openpty(&r->cons_master, &r->cons_slave, NULL, NULL, NULL), 0);
    CU_ASSERT_EQUAL_FATAL(tcgetattr(r->user_slave, &r->before), 0);
    CU_ASSERT_TRUE(r->before.c_lflag & ICANON);
    r->child = fork();
    CU_ASSERT_TRUE_FATAL(r->child >= 0);
    if (r->child == 0) {
        close(r->user_master);
        close(r->cons_master);
        int rc = console_client_run(r->user_slave, r->user_slave, r->cons_slave);
        _exit(rc < 0 ? 100 : rc);
    }
}

static bool is_raw(int fd)
{
    struct termios t;
    return tcgetattr(fd, &t) == 0 && !(t.c_lflag & (ICANON | ECHO));
}

/* Waits until the client has put both terminals in raw mode, so nothing
 * the test writes is echoed or held back by a line discipline. */
static bool wait_raw(struct rig *r)
{
    for (int i = 0; i < 1000; i++) {
        if (is_raw(r->user_slave) && is_raw(r->cons_slave))
            return true;
        usleep(2000);
    }
    return false;
}

/* Reads from fd until want has been seen, or 2 s pass with nothing new. */
static bool read_expect(int fd, const char *want)
{
    char buf[512];
    size_t have = 0;
    for (;;) {
        buf[have] = 0;
        if (strstr(buf, want))
            return true;
        struct pollfd p = { fd, POLLIN, 0 };
        if (have == sizeof(buf) - 1 || poll(&p, 1, 2000) <= 0)
            return false;
        ssize_t got = read(fd, buf + have, sizeof(buf) - have - 1);
        if (got <= 0)
            return false;
        have += (size_t)got;
    }
}

static int rig_finish(struct rig *r)
{
    int status = -1;
    for (int i = 0; i < 500; i++) {
        if (waitpid(r->child, &status, WNOHANG) == r->child)
            break;
        usleep(2000);
        status = -1;
    }
    if (status == -1) {
        kill(r->child, SIGKILL);
        waitpid(r->child, &status, 0);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static bool restored(struct rig *r)
{
    struct termios now;
    return tcgetattr(r->user_slave, &now) == 0 && now.c_lflag == r->before.c_lflag &&
           now.c_iflag == r->before.c_iflag && now.c_oflag == r->before.c_oflag;
}

static void rig_close(struct rig *r)
{
    close(r->user_master);
    close(r->user_slave);
    if (r->cons_master >= 0)
        close(r->cons_master);
    close(r->cons_slave);
}

static void test_relay_and_escape(void)
{
    struct rig r;
    rig_start(&r);
    CU_ASSERT_TRUE_FATAL(wait_raw(&r));
    CU_ASSERT_EQUAL(write(r.cons_master, "guest says hi\r\n", 15), 15);
    CU_ASSERT_TRUE(read_expect(r.user_master, "guest says hi"));
    CU_ASSERT_EQUAL(write(r.user_master, "ls\r", 3), 3);
    CU_ASSERT_TRUE(read_expect(r.cons_master, "ls\r"));
    /* Bytes before the escape in the same read still reach the console. */
    CU_ASSERT_EQUAL(write(r.user_master, "q\x1d" "after", 7), 7);
    CU_ASSERT_TRUE(read_expect(r.cons_master, "q"));
    CU_ASSERT_EQUAL(rig_finish(&r), CONSOLE_END_ESCAPE);
    CU_ASSERT_TRUE(restored(&r));
    rig_close(&r);
}

static void test_hangup_restores(void)
{
    struct rig r;
    rig_start(&r);
    CU_ASSERT_TRUE_FATAL(wait_raw(&r));
    close(r.cons_master);
    r.cons_master = -1;
    CU_ASSERT_EQUAL(rig_finish(&r), CONSOLE_END_HANGUP);
    CU_ASSERT_TRUE(restored(&r));
    rig_close(&r);
}

static void test_signal_restores(void)
{
    static const int sigs[] = { SIGTERM, SIGHUP };
    for (size_t i = 0; i < 2; i++) {
        struct rig r;
        rig_start(&r);
        CU_ASSERT_TRUE_FATAL(wait_raw(&r));
        kill(r.child, sigs[i]);
        CU_ASSERT_EQUAL(rig_finish(&r), CONSOLE_END_SIGNAL);
        CU_ASSERT_TRUE(restored(&r));
        rig_close(&r);
    }
}

void register_console_tests(void)
{
    CU_pSuite s = CU_add_suite("console", NULL, NULL);
    CU_add_test(s, "relay_and_escape", test_relay_and_escape);
    CU_add_test(s, "hangup_restores", test_hangup_restores);
    CU_add_test(s, "signal_restores", test_signal_restores);
}
