/*
 * Error numbers, with the values of Xen's public errno.h (which are Linux's
 * x86 numbers), because hypercall results carry them to guests unchanged.
 * Functions return them negated: -ENOMEM, never a positive value.
 *
 * The replacement lists are plain numbers so that a host unit test that
 * also sees the C library's <errno.h> gets identical, harmless redefinitions.
 */
#ifndef TESSERA_ERRNO_H
#define TESSERA_ERRNO_H

#define EPERM        1   /* operation not permitted */
#define ENOENT       2   /* no such entry */
#define ESRCH        3   /* no such domain / process */
#define EINTR        4   /* interrupted */
#define EIO          5   /* I/O error */
#define ENXIO        6   /* no such device or address */
#define E2BIG        7   /* argument list too long */
#define ENOEXEC      8   /* bad executable format */
#define EBADF        9   /* bad handle */
#define ECHILD      10
#define EAGAIN      11   /* try again */
#define ENOMEM      12   /* out of memory */
#define EACCES      13   /* permission denied */
#define EFAULT      14   /* bad address */
#define EBUSY       16   /* resource busy */
#define EEXIST      17   /* already exists */
#define EXDEV       18   /* cross-domain reference */
#define ENODEV      19   /* no such device */
#define ENOTDIR     20
#define EISDIR      21
#define EINVAL      22   /* invalid argument */
#define ENFILE      23
#define EMFILE      24
#define ENOSPC      28   /* no space left */
#define EROFS       30
#define EMLINK      31
#define EDOM        33
#define ERANGE      34   /* result out of range */
#define EDEADLK     35
#define ENAMETOOLONG 36
#define ENOLCK      37
#define ENOSYS      38   /* not implemented */
#define ENOTEMPTY   39   /* not empty */
#define ENODATA     61
#define ETIME       62
#define EBADMSG     74
#define EOVERFLOW   75   /* value too large */
#define EILSEQ      84
#define ERESTART    85
#define ENOTSOCK    88
#define EMSGSIZE    90
#define EOPNOTSUPP  95   /* operation not supported */
#define EADDRINUSE  98
#define EADDRNOTAVAIL 99
#define ENOBUFS    105
#define EISCONN    106   /* already connected */
#define ENOTCONN   107   /* not connected */
#define ETIMEDOUT  110   /* timed out */
#define ECONNREFUSED 111
#define EALREADY   114   /* already in progress / already done */
#define EINPROGRESS 115  /* now in progress */

#endif
