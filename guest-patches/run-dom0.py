#!/usr/bin/env python3
"""Boots Tessera under QEMU with Debian's Linux as dom0 on the dom0 image.

    run-dom0.py --hypervisor IMG --kernel VMLINUX --initrd DOM0.cpio.gz
                [--cmd 'COMMANDS'] [--smp N] [--mem MiB] [--append HV_ARGS]
                [--timeout SECONDS] [--log FILE] [--file HOST_PATH=DOM0_PATH ...]
                [--qemu-arg ARG ...]

Without --cmd: an interactive shell on the serial console (QEMU's monitor
on Ctrl-A C, Ctrl-A X quits); the exit status is QEMU's.

With --cmd (make run DOM0_CMD=...): the commands go into the image as
/etc/tessera/dom0-cmd (a second cpio archive after the first: Linux
unpacks both), dom0's /init runs them and powers off, and this script
prints the whole console and exits with the commands' exit status, or 125
when dom0 never reported one (timeout, crash, no power-off). --file puts a
host file into that same archive at DOM0_PATH (a test kernel for a domU).
"""
import argparse
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

NO_STATUS = 125
# The whole number only: output comes in chunks, and "...EXIT 4" may be the
# start of 42, so a character that is not a digit must follow it.
EXIT_LINE = re.compile(rb"TESSERA-DOM0-CMD-EXIT (\d+)[^0-9]")
# Hypervisor lines that mean nothing more will come from dom0.
END_LINE = re.compile(rb"domain 0 \('[^']*'\) shut down: |PANIC on CPU")


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--hypervisor", required=True)
    p.add_argument("--kernel", required=True, help="dom0's ELF kernel (extract-vmlinux.py)")
    p.add_argument("--initrd", required=True, help="dom0's initramfs (mkdom0-image.sh)")
    p.add_argument("--cmd", help="commands to run in dom0 instead of a shell")
    p.add_argument("--smp", type=int, default=2)
    # QEMU's TCG "max" CPU has AMD's vendor; Xen hides SYSENTER (sep) from
    # its host features on AMD, and libvirt's Xen driver then finds no CPU
    # model for the host (docs/xen-tools.md): its Xen runs take
    # "max,-smap,vendor=GenuineIntel".
    p.add_argument("--cpu", default="max,-smap", help="QEMU's -cpu")
    p.add_argument("--mem", type=int, default=1024, help="RAM of the machine, MiB")
    p.add_argument("--append", default="dom0_mem=512M", help="hypervisor command line")
    p.add_argument("--linux-args", default="console=hvc0 loglevel=4",
                   help="dom0's kernel command line")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="with --cmd: seconds before giving up")
    p.add_argument("--log", help="with --cmd: keep the console output here too")
    p.add_argument("--qemu-arg", action="append", default=[], metavar="ARG",
                   help="one more QEMU argument (repeatable): -device, -drive, -netdev ...")
    p.add_argument("--file", action="append", default=[], metavar="HOST_PATH=DOM0_PATH",
                   help="with --cmd: a host file copied into dom0's image (repeatable)")
    return p.parse_args(argv)


def qemu_command(a, initrd, interactive):
    serial = ["-nographic", "-serial", "mon:stdio"] if interactive else \
             ["-display", "none", "-monitor", "none", "-serial", "stdio"]
    append = "dom0_console_raw " + a.append
    if not interactive:
        append = "debug_exit " + append
    modules = "%s %s,%s" % (a.kernel.replace(",", ",,"), a.linux_args.replace(",", ",,"),
                            initrd.replace(",", ",,"))
    return ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", a.cpu,
            "-smp", str(a.smp), "-m", str(a.mem), "-vga", "none", "-no-reboot"] + serial + \
           ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-kernel", a.hypervisor, "-append", append, "-initrd", modules] + a.qemu_arg


def image_with_commands(base, commands, workdir, files=()):
    """base followed by a cpio archive holding /etc/tessera/dom0-cmd and
    the (host path, dom0 path) pairs of files."""
    root = os.path.join(workdir, "root")
    os.makedirs(os.path.join(root, "etc", "tessera"))
    with open(os.path.join(root, "etc", "tessera", "dom0-cmd"), "w") as f:
        f.write(commands + "\n")
    for host, inside in files:
        dest = os.path.join(root, inside.lstrip("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(host, dest)
    extra = os.path.join(workdir, "cmd.cpio")
    with open(extra, "wb") as out:
        # Not "." itself: Linux would give its root folder the temporary one's mode.
        names = subprocess.run(["find"] + sorted(os.listdir(root)), cwd=root, check=True,
                               stdout=subprocess.PIPE).stdout
        subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"], cwd=root, input=names,
                       stdout=out, check=True)
    image = os.path.join(workdir, "dom0-cmd.cpio.gz")
    with open(image, "wb") as out:
        for part in (base, extra):
            with open(part, "rb") as f:
                shutil.copyfileobj(f, out)
            # Linux reads archives one after another; pad to 4 bytes between them.
            out.write(b"\0" * (-out.tell() % 4))
    return image


def run_commands(a):
    with tempfile.TemporaryDirectory(prefix="tessera-dom0cmd.") as work:
        files = [tuple(f.split("=", 1)) for f in a.file]
        image = image_with_commands(a.initrd, a.cmd, work, files)
        proc = subprocess.Popen(qemu_command(a, image, False), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        log = open(a.log, "wb") if a.log else None
        start, tail, status, ended = time.monotonic(), b"", None, False
        while time.monotonic() - start < a.timeout:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            if log:
                log.write(chunk)
            tail = (tail + chunk)[-4096:]
            m = EXIT_LINE.search(tail)
            if m and status is None:
                status = int(m.group(1))
            if END_LINE.search(tail):
                ended = True
                break
        if proc.poll() is None:
            time.sleep(0.5)     # the power-off ends QEMU by itself (debug_exit)
        # QEMU's own end, before we kill it: with -no-reboot a reset of the
        # machine (a triple fault) exits 0, a crash of QEMU by a signal (< 0).
        qemu_status = proc.poll()
        if qemu_status is None:
            proc.kill()
        proc.wait()
        if log:
            log.close()
    if status is None:
        why = "dom0 stopped" if ended else "timed out after %.0f s" % a.timeout \
            if time.monotonic() - start >= a.timeout else "QEMU ended, status %s" % qemu_status
        print("\nrun-dom0: no exit status from dom0's commands (%s)" % why, file=sys.stderr)
        return NO_STATUS
    print("\nrun-dom0: dom0's commands exited with status %d" % status, file=sys.stderr)
    return status


def main():
    a = parse_args(sys.argv[1:])
    for f in a.file:
        if "=" not in f or not f.split("=", 1)[1].startswith("/"):
            print("run-dom0: --file wants HOST_PATH=/DOM0_PATH, not %s" % f, file=sys.stderr)
            return 2
    for path in [a.hypervisor, a.kernel, a.initrd] + [f.split("=", 1)[0] for f in a.file]:
        if not os.path.exists(path):
            print("run-dom0: %s is missing" % path, file=sys.stderr)
            return 2
    if a.cmd:
        return run_commands(a)
    cmd = qemu_command(a, a.initrd, True)
    print("run-dom0: Ctrl-A X quits QEMU; 'exit' in dom0's shell powers off", flush=True)
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
