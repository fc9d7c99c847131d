/*
 * Serial input for the control domain, as Xen gives it once boot is done:
 * bytes typed on COM1 are queued here and the control domain is told with
 * VIRQ_CONSOLE; it takes them with CONSOLEIO_read. The UART is polled
 * every 20 ms from a timer on the boot CPU (no serial interrupt is routed
 * yet); a full queue drops what does not fit.
 */
#include <stdint.h>
#include <asm/serial.h>
#include <asm/timers.h>
#include <pvabi/event_channel.h>
#include <pvabi/xen.h>
#include <tessera/arch.h>
#include <tessera/compiler.h>
#include <tessera/domain.h>
#include <tessera/errno.h>
#include <tessera/event_channel.h>
#include <tessera/guest_access.h>
#include <tessera/spinlock.h>

#define POLL_PERIOD_NS 20000000ull
#define QUEUE_SIZE     1024u             /* a power of two */

static spinlock_t queue_lock = SPINLOCK_INIT;
static char queue[QUEUE_SIZE];            /* [queue_lock] */
static uint32_t queue_prod, queue_cons;   /* [queue_lock] free-running */
static struct domain *reader;             /* [I once started] the control domain */
static struct timer poll_timer;

static void poll_serial(void *unused)
{
    (void)unused;
    unsigned added = 0;
    int c;

    unsigned long flags = spin_lock_irqsave(&queue_lock);
    while ((c = serial_getc()) >= 0) {
        if (queue_prod - queue_cons < QUEUE_SIZE) {
            queue[queue_prod++ % QUEUE_SIZE] = (char)c;
            added++;
        }
    }
    spin_unlock_irqrestore(&queue_lock, flags);
    if (added && reader->state == DOMAIN_RUNNING)
        send_guest_global_virq(reader, VIRQ_CONSOLE);
    timer_set(&poll_timer, arch_now_ns() + POLL_PERIOD_NS);
}

/* On the boot CPU, once, for the control domain. */
void pv_console_input_start(struct domain *control)
{
    if (reader)
        return;
    reader = control;
    timer_init(&poll_timer, poll_serial, NULL, 0);
    timer_set(&poll_timer, arch_now_ns() + POLL_PERIOD_NS);
}

/* CONSOLEIO_read: up to count queued bytes into the guest's buffer; how many, or -EFAULT. */
long pv_console_read(struct domain *d, uint64_t buf, uint64_t count)
{
    char chunk[64];
    long done = 0;

    if (d != reader)
        return 0;
    while ((uint64_t)done < count) {
        unsigned long flags = spin_lock_irqsave(&queue_lock);
        unsigned n = 0;
        while (n < sizeof(chunk) && (uint64_t)done + n < count && queue_cons != queue_prod)
            chunk[n++] = queue[queue_cons++ % QUEUE_SIZE];
        spin_unlock_irqrestore(&queue_lock, flags);
        if (n == 0)
            break;
        /* Bytes already taken are lost if the buffer faults, as a reader that faults asked for. */
        if (copy_to_guest(buf + (uint64_t)done, chunk, n) < 0)
            return done ? done : -EFAULT;
        done += n;
    }
    return done;
}
