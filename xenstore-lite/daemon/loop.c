#include "loop.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

static int epfd = -1;
static void (*idle_hook)(void);

int loop_init(void)
{
    epfd = epoll_create1(EPOLL_CLOEXEC);
    return epfd < 0 ? -errno : 0;
}

int loop_add(struct loop_fd *lf, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = lf };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, lf->fd, &ev) ? -errno : 0;
}

int loop_modify(struct loop_fd *lf, uint32_t events)
{
    struct epoll_event ev = { .events = events, .data.ptr = lf };
    return epoll_ctl(epfd, EPOLL_CTL_MOD, lf->fd, &ev) ? -errno : 0;
}

void loop_remove(struct loop_fd *lf)
{
    epoll_ctl(epfd, EPOLL_CTL_DEL, lf->fd, NULL);
}

void loop_set_idle_hook(void (*hook)(void))
{
    idle_hook = hook;
}

int loop_run_once(int timeout_ms)
{
    struct epoll_event evs[64];
    int n = epoll_wait(epfd, evs, 64, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        struct loop_fd *lf = evs[i].data.ptr;
        lf->ready(lf, evs[i].events);
    }
    if (idle_hook)
        idle_hook();
    return 0;
}
