/*
 * A test program that misbehaves on request, for the harness self-test
 * (selftest.sh): each mode is one way a real test program can go wrong,
 * and mk/run-test.sh must turn each into a FAIL line.
 *
 *   misbehave MODE [PIDFILE]
 *
 * Result lines go to $RESULTS, named selftest/MODE/...; modes:
 *   good              two PASS lines, exit 0 (must pass: the harness is no
 *                     wall that fails everything)
 *   fail              a PASS and a FAIL line, exit 1 (a normal failure)
 *   crash             SIGSEGV before printing anything
 *   crash-after-pass  a PASS line, then abort()
 *   hang              a PASS line, then sleeps for ever; with PIDFILE it
 *                     first starts a child that sleeps too and writes
 *                     "PID CHILD-PID" there (a time limit must stop both)
 *   hang-ignore-term  as hang, with SIGTERM ignored
 *   exit-after-pass   two PASS lines, exit 3
 *   exit1-after-pass  two PASS lines, exit 1 (no FAIL line to stand for it)
 *   silent            no result line, exit 0
 *   partial           a PASS line for "a" but none for "b", exit 0
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *mode;

static void record(const char *verdict, const char *what)
{
    const char *path = getenv("RESULTS");
    FILE *f = path ? fopen(path, "a") : NULL;
    if (!f) {
        perror("misbehave: RESULTS");
        exit(4);
    }
    fprintf(f, "%s selftest/%s/%s\n", verdict, mode, what);
    fclose(f);
}

static void sleep_for_ever(void)
{
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: misbehave MODE [PIDFILE]\n");
        return 4;
    }
    mode = argv[1];
    if (!strcmp(mode, "good")) {
        record("PASS", "a");
        record("PASS", "b");
        return 0;
    }
    if (!strcmp(mode, "fail")) {
        record("PASS", "a");
        record("FAIL", "b");
        return 1;
    }
    if (!strcmp(mode, "crash")) {
        raise(SIGSEGV);
        return 0;
    }
    if (!strcmp(mode, "crash-after-pass")) {
        record("PASS", "a");
        abort();
    }
    if (!strcmp(mode, "hang") || !strcmp(mode, "hang-ignore-term")) {
        if (!strcmp(mode, "hang-ignore-term"))
            signal(SIGTERM, SIG_IGN);
        record("PASS", "a");
        if (argc > 2) {
            pid_t child = fork();
            if (child == 0)
                sleep_for_ever();
            FILE *f = fopen(argv[2], "w");
            if (!f || child < 0)
                return 4;
            fprintf(f, "%d %d\n", (int)getpid(), (int)child);
            fclose(f);
        }
        sleep_for_ever();
    }
    if (!strcmp(mode, "exit-after-pass") || !strcmp(mode, "exit1-after-pass")) {
        record("PASS", "a");
        record("PASS", "b");
        return !strcmp(mode, "exit-after-pass") ? 3 : 1;
    }
    if (!strcmp(mode, "silent"))
        return 0;
    if (!strcmp(mode, "partial")) {
        record("PASS", "a");
        return 0;
    }
    fprintf(stderr, "misbehave: unknown mode %s\n", mode);
    return 4;
}
