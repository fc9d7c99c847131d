/*
 * How Linux numbers an ioctl that moves no data through the number's
 * direction bits (_IOC_NONE on x86): size in bits 16-29, the driver's type
 * letter in bits 8-15, the command in bits 0-7. The Xen devices (evtchn,
 * gntdev, privcmd) number all their ioctls this way. Spelled out here so
 * the pvabi/linux headers compile without the kernel's headers.
 */
#ifndef PVABI_LINUX_IOCTL_H
#define PVABI_LINUX_IOCTL_H

#define PVABI_LINUX_IOC_NONE(type, nr, size) \
    ((unsigned long)(((unsigned long)(size) << 16) | ((unsigned long)(type) << 8) | (unsigned long)(nr)))

#endif /* PVABI_LINUX_IOCTL_H */
