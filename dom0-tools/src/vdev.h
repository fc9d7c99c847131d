/*
 * The guest's names for its disks (xvda, hdc, sdb1, d0p1 or a number) and
 * the virtual-device numbers Xen gives them (docs/misc/vbd-interface.txt):
 * the key of /local/domain/N/device/vbd/NUMBER and of the backend's
 * directory, from which the guest's front end names the disk again.
 */
#ifndef TL_VDEV_H
#define TL_VDEV_H

#include <stdint.h>

/*
 * The number for a vdev name, or -EINVAL when Xen would refuse the name.
 * xvd: disks 0-15 with partitions 0-15 are 202<<8 | disk<<4 | partition,
 * others (disk < 2^20, partition < 256) the extended 1<<28 | disk<<8 |
 * partition; "dDpP" is the extended form spelt out. hd: disks 0-3, major
 * 3 (hda, hdb) or 22 (hdc, hdd), minor (disk&1)<<6 | partition (< 64).
 * sd: disks 0-15, 8<<8 | disk<<4 | partition (< 16). A plain number is
 * taken as it is. Letters count like spreadsheet columns: xvdz is 25,
 * xvdaa 26.
 */
int32_t vdev_number(const char *vdev);

#endif
