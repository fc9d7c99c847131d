/*
 * The console client behind "tl console": relays bytes between the user's
 * terminal and a domain console until the user types the escape (Ctrl-])
 * or the console goes away. The user's terminal (and the console, when it
 * is a terminal) are put in raw mode and restored on every way out,
 * including SIGTERM, SIGHUP, SIGINT and SIGQUIT.
 */
#ifndef TL_CONSOLE_CLIENT_H
#define TL_CONSOLE_CLIENT_H

#define CONSOLE_ESCAPE_CHAR 0x1d    /* Ctrl-] */

enum console_end {
    CONSOLE_END_ESCAPE = 0,     /* the user typed Ctrl-] */
    CONSOLE_END_HANGUP = 1,     /* the console closed */
    CONSOLE_END_SIGNAL = 2,     /* a terminating signal arrived */
    CONSOLE_END_INPUT = 3,      /* the user's input ended */
};

/* Returns an enum console_end, or a negative errno on an I/O error. */
int console_client_run(int in_fd, int out_fd, int console_fd);

#endif
