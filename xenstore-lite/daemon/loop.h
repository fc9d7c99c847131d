/* The daemon's event loop: epoll over file descriptors, one callback each. */
#ifndef XSD_LOOP_H
#define XSD_LOOP_H

#include <stdint.h>

struct loop_fd {
    int fd;
    void (*ready)(struct loop_fd *lf, uint32_t events);
};

int loop_init(void);
int loop_add(struct loop_fd *lf, uint32_t events);
int loop_modify(struct loop_fd *lf, uint32_t events);
void loop_remove(struct loop_fd *lf);
/* Waits for and dispatches one batch of events; returns -errno on failure. */
int loop_run_once(int timeout_ms);

/* Work to do after each batch (flushing queued output). */
void loop_set_idle_hook(void (*hook)(void));

#endif
