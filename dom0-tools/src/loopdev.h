/*
 * Loop devices for disk images that are files: what `losetup -f --show`
 * and `losetup -d` do, through /dev/loop-control and the loop ioctls, so
 * that dom0's xen-blkback (which serves block devices only) can serve them.
 */
#ifndef TL_LOOPDEV_H
#define TL_LOOPDEV_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Binds a free loop device to FILE (read-only unless writable) and writes
 * its path (/dev/loopN) into dev. Returns 0, or -errno with a one-line
 * reason in why.
 */
int loopdev_attach(const char *file, bool writable, char *dev, size_t dev_size, char *why,
                   size_t why_size);

/*
 * Unbinds DEV (a /dev/loopN). When someone else still has it open (the
 * backend, closing it), the kernel unbinds it on their last close instead
 * (LOOP_CLR_FD sets autoclear then). Returns 0 or -errno.
 */
int loopdev_release(const char *dev);

/* The file DEV is bound to (malloc'd; NULL when it is bound to none). */
char *loopdev_backing_file(const char *dev);

#endif
