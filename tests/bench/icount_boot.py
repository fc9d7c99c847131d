#!/usr/bin/env python3
"""Debian's Linux booting as a PV dom0 on Tessera and on Xen 4.17, and bare
(QEMU's own PVH loader), counted in instructions rather than seconds.

    icount_boot.py --tessera IMAGE --xen XEN_ELF --vmlinux ELF --initrd PROBE [--out DIR]

Each boot runs under QEMU's -icount shift=0,sleep=off: the guest's clocks
advance one nanosecond per instruction executed (and jump over idle
time), so the uptime Linux's /init prints (the probe initramfs of
guest-patches/mkinitramfs-probe.sh: TESSERA-LINUX-INIT uptime=...) is a
count of the work to get there, the same on a quiet machine and a busy
one. One vCPU, 512 MiB for dom0, the same ELF and initramfs everywhere.

Tessera boots with `perfc`: at power-off it prints what the hypervisor
spent handling each kind of hypercall and exception (asm/pv_perf.h), in
the same units. docs/benchmarks.md reads the table.
"""
import argparse
import os
import re
import subprocess
import sys
import time

MARK = re.compile(r"TESSERA-LINUX-INIT uptime=([0-9.]+)")
PERF = re.compile(r"perfc: .*")
QEMU = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "max,-smap", "-smp", "1",
        "-m", "1024", "-display", "none", "-monitor", "none", "-serial", "stdio", "-no-reboot",
        "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04", "-icount", "shift=0,sleep=off"]
LINUX_ARGS = "console=hvc0 earlyprintk=xen loglevel=4"


def boot(name, args, log, until, timeout=900):
    """The log's text once `until` appears (or QEMU ends, or the time is up)."""
    t0 = time.monotonic()
    with open(log, "wb") as out:
        p = subprocess.Popen(QEMU + args, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        text = ""
        while time.monotonic() - t0 < timeout:
            time.sleep(1)
            with open(log, errors="replace") as f:
                text = f.read()
            if (until and re.search(until, text)) or p.poll() is not None:
                break
        time.sleep(1)
        p.kill()
        p.wait()
    with open(log, errors="replace") as f:
        text = f.read()
    print("%s: %.0f s of host time (load %s)" % (name, time.monotonic() - t0,
                                                 open("/proc/loadavg").read().split()[0]),
          flush=True)
    return text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tessera", required=True)
    p.add_argument("--xen", required=True)
    p.add_argument("--vmlinux", required=True)
    p.add_argument("--initrd", required=True)
    p.add_argument("--out", default=".")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    modules = "%s %s,%s" % (a.vmlinux, LINUX_ARGS, a.initrd)
    runs = [
        ("Tessera", ["-kernel", a.tessera, "-append", "debug_exit dom0_mem=512M perfc",
                     "-initrd", modules], None),   # debug_exit: QEMU ends after the table
        ("Xen 4.17", ["-kernel", a.xen, "-append",
                      "console=com1 com1=115200,8n1 dom0_mem=512M,max:512M noreboot",
                      "-initrd", modules], MARK.pattern),
        ("bare (QEMU's PVH loader)", ["-kernel", a.vmlinux, "-initrd", a.initrd,
                                      "-append", "console=ttyS0 loglevel=4"], MARK.pattern),
    ]
    uptimes, perf = {}, []
    for name, args, until in runs:
        log = os.path.join(a.out, "icount-%s.log" % name.split()[0].lower())
        text = boot(name, args, log, until)
        m = MARK.search(text)
        uptimes[name] = float(m.group(1)) if m else None
        if name == "Tessera":
            perf = PERF.findall(text)
    print()
    print("Linux's own boot to /init, in 10^9 instructions (its uptime under -icount):")
    xen = uptimes.get("Xen 4.17")
    for name, _, _ in runs:
        u = uptimes[name]
        print("  %-26s %s%s" % (name, "%.2f" % u if u is not None else "no /init line",
                                 "  (%.2fx Xen)" % (u / xen) if u and xen else ""))
    print()
    print("Tessera's handlers during that boot (perfc; cycles are instructions here):")
    for line in perf:
        print("  " + line)
    return 0 if all(u is not None for u in uptimes.values()) and perf else 1


if __name__ == "__main__":
    sys.exit(main())
