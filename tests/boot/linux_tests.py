#!/usr/bin/env python3
"""Debian's own Linux kernel as Tessera's control domain, under QEMU TCG.

    tests/boot/linux_tests.py [--slow] [--only NAME] [--runs N] [--list]

The kernel is the newest /boot/vmlinuz-* (its ELF taken out by
guest-patches/extract-vmlinux.py), the initramfs the probe one of
guest-patches/mkinitramfs-probe.sh, whose /init prints TESSERA-LINUX-INIT
and powers off. A case passes when that line comes, the domain shuts down
with "poweroff", and no panic, BUG or oops was printed. The linux-dom0-image
cases boot the dom0 image of `make run` (guest-patches/mkdom0-image.sh):
its devices and files (guest-patches/dom0-check.sh, run as DOM0_CMD is,
its exit status passed through) and its interactive shell; linux-domu-bootmodule
boots the image's example domU as an unprivileged boot-module domain. Appends "PASS|FAIL
boot/NAME" to $RESULTS. With no kernel in /boot it records a failure: the
machines this runs on have one (PLATFORM.md). make check runs every case
once, two at a time (--jobs; one and two CPUs, and typing into dom0's shell); make check-slow
(--slow) runs each of them 5 times.
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
IMAGE = os.path.join(BUILD, "hypervisor", "tessera")
GUESTS = os.path.join(BUILD, "guests")   # built by tests/guests before these run
WORK = os.path.join(BUILD, "tests", "linux")
RUNNER = os.path.join(TOP, "tests", "run-qemu.py")
PATCHES = os.path.join(TOP, "guest-patches")

LINUX_ARGS = "console=hvc0 earlyprintk=xen loglevel=4"
# "stall-watch: ... (hypervisor)": a vCPU the hypervisor owed a wake-up (pv/stall_watch.c).
REJECT = r"Kernel panic|BUG:|Oops|general protection|shut down: crash|PANIC|stall-watch: .*\(hypervisor\)"
# For a case that crashes a domU on purpose: only dom0's crash is a failure
# (a domU's own panic goes to its console log, not to the serial line).
REJECT_DOM0_CRASH = (r"Kernel panic|BUG:|Oops|general protection|domain 0 \(.*shut down: crash|PANIC|"
                     r"stall-watch: .*\(hypervisor\)")


def artifacts():
    """(vmlinux, initramfs), built once per kernel into build/tests/linux."""
    kernels = sorted(glob.glob("/boot/vmlinuz-*"))
    if not kernels:
        return None
    os.makedirs(WORK, exist_ok=True)
    vmlinux = os.path.join(WORK, "vmlinux-" + os.path.basename(kernels[-1])[len("vmlinuz-"):])
    initrd = os.path.join(WORK, "probe-initramfs.cpio.gz")
    if not os.path.exists(vmlinux):
        subprocess.check_call([sys.executable, os.path.join(PATCHES, "extract-vmlinux.py"),
                               kernels[-1], vmlinux + ".tmp"], stdout=subprocess.DEVNULL)
        os.rename(vmlinux + ".tmp", vmlinux)
    script = os.path.join(PATCHES, "mkinitramfs-probe.sh")
    if not os.path.exists(initrd) or os.path.getmtime(initrd) < os.path.getmtime(script):
        subprocess.check_call(["sh", script, initrd], stdout=subprocess.DEVNULL)
    return vmlinux, initrd


def probe_args(vmlinux, initrd):
    """A boot to the probe's /init and a clean power-off, nothing worse."""
    return ["--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
            "--module", vmlinux + " " + LINUX_ARGS, "--module", initrd,
            "--expect", r"TESSERA-LINUX-INIT uptime=[0-9.]+ hypervisor=xen",
            "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
            "--reject", REJECT, "--stop-on", r"shut down: "]


def cases(vmlinux, initrd):
    common = probe_args(vmlinux, initrd)
    shell = ["--smp", "2", "--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
             "--append", "debug_exit dom0_mem=256M",
             "--module", vmlinux + " " + LINUX_ARGS + " tessera.shell", "--module", initrd,
             "--send", r"'exit' powers off=>echo ANSWER-$((6*7)) $(cat /sys/hypervisor/type)\r",
             "--send", r"ANSWER-42 xen=>exit\r",
             "--expect", r"ANSWER-42 xen",
             "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
             "--reject", REJECT, "--stop-on", r"shut down: "]
    return [
        # Linux takes the FIFO event-channel ABI when init_control works.
        ("linux-dom0-smp1", ["--smp", "1", "--append", "debug_exit dom0_mem=256M"] + common +
         ["--expect", r"cpus=1 evtchn=fifo",
          # Linux takes up FSGSBASE and XSAVE, which QEMU's CPU has and Tessera
          # offers (pv/cr4.c, pv/xstate.c).
          "--expect", r"TESSERA-LINUX-CPU fsgsbase=1 xsave=1"]),
        # Two vCPUs on two CPUs. Until SCHEDOP_poll returned for a pending
        # upcall (docs/scheduler.md, "A lost wake-up"), a vCPU sometimes
        # stayed blocked for good here (an RCU stall): 2 of 48 boots.
        ("linux-dom0-smp2", ["--smp", "2", "--append", "debug_exit dom0_mem=256M"] + common +
         ["--expect", r"cpus=2 evtchn=fifo"]),
        # Typing into dom0's shell: serial input reaches Linux's hvc0 (CONSOLEIO_read),
        # and a shell idling on two CPUs (where the stall was most often seen).
        ("linux-dom0-shell", shell),
    ]


def dom0_xl_image():
    """The Debian tools dom0 image (guest-patches image-xl: Debian's xl and
    daemons), built only when a case that boots it runs."""
    subprocess.check_call(["make", "--no-print-directory", "-C", PATCHES, "image-xl"],
                          stdout=subprocess.DEVNULL)
    return os.path.join(BUILD, "guest-patches", "dom0-xl-initramfs.cpio.gz")


def qdisk_files():
    """(QEMU's tar, the qcow2 image) of guest-patches' qdisk-files, built only
    when the case that uses them runs."""
    subprocess.check_call(["make", "--no-print-directory", "-C", PATCHES, "qdisk-files"],
                          stdout=subprocess.DEVNULL)
    out = os.path.join(BUILD, "guest-patches")
    return os.path.join(out, "qemu-dm.tar"), os.path.join(out, "qdisk-test.qcow2")


def dom0_image():
    """(vmlinux, initramfs) of guest-patches' dom0 image, built once (make skips
    it when nothing changed)."""
    subprocess.check_call(["make", "--no-print-directory", "-C", PATCHES, "all"],
                          stdout=subprocess.DEVNULL)
    kernel = subprocess.check_output("ls /boot/vmlinuz-* | sort -V | tail -1", shell=True,
                                     text=True).strip()
    out = os.path.join(BUILD, "guest-patches")
    return (os.path.join(out, "vmlinux-" + kernel[len("/boot/vmlinuz-"):]),
            os.path.join(out, "dom0-initramfs.cpio.gz"))


def dom0_virt_image():
    """The libvirt dom0 image (guest-patches image-virt: the Debian tools
    image with libvirtd, its Xen driver and virsh), built only when a case
    that boots it runs."""
    subprocess.check_call(["make", "--no-print-directory", "-C", PATCHES, "image-virt"],
                          stdout=subprocess.DEVNULL)
    return os.path.join(BUILD, "guest-patches", "dom0-virt-initramfs.cpio.gz")


DOM0_RUNNER = os.path.join(PATCHES, "run-dom0.py")
XL_IMAGE = "<the Debian tools dom0 image>"   # replaced by dom0_xl_image() when its case runs
VIRT_IMAGE = "<the libvirt dom0 image>"      # replaced by dom0_virt_image() when its case runs
LATE_IMAGES = {XL_IMAGE: dom0_xl_image, VIRT_IMAGE: dom0_virt_image}
QEMU_TAR = "<QEMU for Xen, packed>"           # replaced by qdisk_files() when its case runs
QCOW2 = "<the qcow2 test image>"              # likewise
CHECK_STATUS = 42   # what guest-patches/dom0-check.sh exits with


# Cases on the dom0 image (guest-patches/mkdom0-image.sh), as `make run`
# boots it (dom0_console_raw): (name, kind, arguments). "commands" runs
# dom0-check.sh through run-dom0.py --cmd (make run DOM0_CMD=...) and needs
# its check line and its exit status back ("commands-domu-crash": the same,
# for a case that crashes a domU on purpose); "shell" types into the shell.
# One CPU each, to keep make check's time down (two CPUs: the cases above).
def image_cases(vmlinux, initrd):
    with open(os.path.join(PATCHES, "dom0-check.sh")) as f:
        check = f.read()
    commands = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
                "--timeout", "150", "--cmd", check]
    # The shell owns hvc0 (cttyhack): `tty` names it, Ctrl-C interrupts
    # the command in the foreground ($? 130), jobs run in the background.
    # `tty` runs inside the job that then becomes the sleep (exec), so the
    # line it prints comes from the foreground job: typed after `tty; sleep
    # 30`, the Ctrl-C could reach the shell before sleep had the terminal
    # (about one boot in three on an idle machine), and sleep ran its 30 s.
    shell = ["--smp", "1", "--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
             "--append", "debug_exit dom0_console_raw dom0_mem=512M",
             "--module", vmlinux + " console=hvc0 loglevel=4", "--module", initrd,
             "--send", r"powers the machine off=>sh -c 'tty; exec sleep 30'\r",
             "--send", r"(?m)^/dev/hvc0$=>\x03",
             "--send", r"(?m)\^C=>echo INTR-$?; sleep 40 & jobs\r",
             "--send", r"(?m)^\[1\]\+ +Running=>kill %1; exit\r",
             "--expect", r"(?m)^/dev/hvc0$",
             "--expect", r"(?m)^INTR-130$",
             "--expect", r"(?m)^\[1\]\+ +Running +sleep 40",
             "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
             "--reject", REJECT, "--stop-on", r"shut down: "]
    # Debian's kernel as an unprivileged boot-module domain beside a test
    # kernel's dom0, with the image's example domU initramfs: its /init's
    # marker comes through the console ring the hypervisor drains. xenstore=0:
    # no daemon serves a boot-module domain's store ring, and Linux blocks its
    # boot (balloon_init's xenstore watch) on a ring that nobody answers.
    domu = ["--smp", "1", "--mem", "512", "--qemu-arg=-vga", "--qemu-arg=none",
            "--append", "debug_exit dom0_mem=32M",
            "--module", os.path.join(GUESTS, "boot_console.elf"),
            "--module", vmlinux + " name=domu mem=128M xenstore=0 -- console=hvc0 loglevel=4",
            "--module", os.path.join(WORK, "domu-initramfs.cpio.gz"),
            "--expect", r"\(d1\) TESSERA-DOMU-INIT uptime=[0-9.]+ kernel=\S+ cpus=1 mem_kb=[0-9]+",
            "--reject", REJECT, "--reject", r"domain 1 .*shut down",
            "--stop-on", r"TESSERA-DOMU-INIT"]
    # tl in dom0 creates the example domU (Debian's kernel), which reaches
    # its /init; pause, unpause, destroy, all its memory back
    # (dom0-domu-check.sh). One CPU with a one-vCPU domU, and two CPUs with
    # a two-vCPU domU beside dom0's two.
    with open(os.path.join(PATCHES, "dom0-domu-check.sh")) as f:
        domu_check = f.read()
    def tl_domu(cpus):
        return ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                "--smp", str(cpus), "--mem", "1024", "--append", "dom0_mem=512M",
                "--timeout", "240", "--cmd", "VCPUS=%d\n%s" % (cpus, domu_check)]
    # Typing through the serial line into make run's dom0 shell, as a user
    # does: tl create -c reaches the example domU's shell, Ctrl-] (0x1d)
    # gives dom0's prompt back (tl exits 0), tl console attaches again and
    # shows what the domU printed meanwhile, Ctrl-] again, tl destroy.
    # Prompts end without a newline (busybox also asks the terminal for the
    # cursor, ESC[6n): --prompt makes them count as seen lines.
    dom0_prompt = r"tessera-dom0:\S*# "
    console = ["--smp", "1", "--mem", "1024", "--qemu-arg=-vga", "--qemu-arg=none",
               "--append", "debug_exit dom0_console_raw dom0_mem=512M",
               "--module", vmlinux + " console=hvc0 loglevel=4", "--module", initrd,
               "--prompt", dom0_prompt + r"(\x1b\[6n)?$", "--prompt", r"/ # (\x1b\[6n)?$",
               "--in-order",
               "--send", dom0_prompt + r"=>tl create -c /etc/tessera/examples/debian-pv.cfg\r",
               "--send", r"(?m)^/ # =>echo DOMU-$((6*7))-$(hostname)\r",
               "--send", r"DOMU-42-tessera-domu=>(sleep 5; echo LATER-$((6*7))-$(hostname)) &\r",
               "--send", r"(?m)/ # (\x1b\[6n)?$=>\x1d",
               "--send", dom0_prompt + r"=>echo BACK-$?-$(hostname)\r",
               "--send", r"BACK-0-tessera-dom0=>tl console debian-pv\r",
               "--send", r"LATER-42-tessera-domu=>echo AGAIN-$((6*7))-$(hostname)\r",
               "--send", r"AGAIN-42-tessera-domu=>\x1d",
               "--send", dom0_prompt + r"=>echo LEFT-$?-$(hostname); tl destroy debian-pv; "
                                       r"echo DOMAINS-$(tl list | wc -l)\r",
               "--send", r"DOMAINS-\d+=>exit\r",
               "--expect", r"DOMU-42-tessera-domu", "--expect", r"BACK-0-tessera-dom0",
               "--expect", r"LATER-42-tessera-domu", "--expect", r"AGAIN-42-tessera-domu",
               "--expect", r"LEFT-0-tessera-dom0", "--expect", r"DOMAINS-2\b",
               "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
               "--reject", REJECT, "--stop-on", r"domain 0 .*shut down: ",
               "--timeout", "240"]
    # A domU flooding its console (dom0-domu-console.sh): dom0 answers, a
    # second domU boots meanwhile, tessera-consoled lives on with a bounded
    # size, its log is cut, memory comes back after the destroys.
    with open(os.path.join(PATCHES, "dom0-domu-console.sh")) as f:
        flood = f.read()
    flood_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                  "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
                  "--timeout", "300", "--cmd", flood]
    # The ends of a domU's life (dom0-domu-life.sh): 20 creates destroyed
    # while booting, reboot (restarted by tl's monitor), shutdown -w, a
    # crash, a create that fails half way; free memory back after each.
    with open(os.path.join(PATCHES, "dom0-domu-life.sh")) as f:
        life = f.read()
    life_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                 "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                 "--timeout", "600", "--cmd", life]
    # A disk through dom0's xen-blkback (dom0-domu-disk.sh): an ext4 image
    # made by mke2fs -d as the domU's xvdb over a loop device tl sets up;
    # the domU reads dom0's file, writes and syncs one, is destroyed right
    # after, and the write is in the image; a second domU reads it, writes
    # and powers off; no nodes or loop devices left; tl's refusals.
    with open(os.path.join(PATCHES, "dom0-domu-disk.sh")) as f:
        disk = f.read()
    disk_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                 "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
                 "--timeout", "300", "--cmd", disk]
    # Networking through dom0's xen-netback (dom0-domu-net.sh): two domUs
    # on xenbr0 with DHCP from dom0, pings both ways and between them, a
    # file over HTTP from dom0 and one by nc between the domUs; refusals;
    # no vif device or node left, memory back.
    with open(os.path.join(PATCHES, "dom0-domu-net.sh")) as f:
        net = f.read()
    net_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                "--timeout", "400", "--cmd", net]
    # A malicious front end against dom0's blkback and netback
    # (dom0-domu-hostile.sh): the PV test kernel tests/guests/hostile_front
    # as a domU of tl with two disks and seven vifs, beside a normal domU;
    # every attack answered as Linux's back ends should, destroyed in the
    # middle of I/O; nothing written outside its own page of its disk, no
    # back end, vif, loop device or memory left.
    with open(os.path.join(PATCHES, "dom0-domu-hostile.sh")) as f:
        hostile = f.read()
    hostile_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                    "--file", os.path.join(GUESTS, "hostile_front.elf") +
                    "=/etc/tessera/hostile_front.elf",
                    "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
                    "--timeout", "300", "--cmd", hostile]
    # Every tl subcommand on one live two-vCPU domU, each checked by its
    # effect in the hypervisor and in the guest (dom0-domu-cmds.sh).
    with open(os.path.join(PATCHES, "dom0-domu-cmds.sh")) as f:
        cmds = f.read()
    cmds_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                 "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                 "--timeout", "600", "--cmd", cmds]
    # Debian's unchanged xl 4.17 in the Debian tools image drives the example
    # domU (dom0-xl-check.sh): info, list, create -c, pause, shutdown -w,
    # destroy, free memory back, and no failed hypercall xl does not expect.
    # The image is built when this case runs (XL_IMAGE stands for it here).
    with open(os.path.join(PATCHES, "dom0-xl-check.sh")) as f:
        xl_check = f.read()
    xl_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", XL_IMAGE,
               "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
               "--timeout", "400", "--cmd", xl_check]
    with open(os.path.join(PATCHES, "dom0-devices.sh")) as f:
        devices = f.read()
    # dom0 on QEMU's real devices (docs/interrupts.md): an AHCI disk holding
    # known.txt (its interrupt an MSI) and an e1000 on QEMU's user network
    # (a level-triggered GSI; QEMU's DHCP server and gateway only, never an
    # outside address).
    devices_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                    "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                    "--qemu-arg=-device", "--qemu-arg=ahci,id=ahci0",
                    "--qemu-arg=-drive",
                    "--qemu-arg=if=none,id=disk0,format=raw,file=" + DEVICES_DISK,
                    "--qemu-arg=-device", "--qemu-arg=ide-hd,drive=disk0,bus=ahci0.0",
                    "--qemu-arg=-nic", "--qemu-arg=user,model=e1000",
                    "--timeout", "400", "--cmd", devices]
    with open(os.path.join(PATCHES, "dom0-msix.sh")) as f:
        msix = f.read()
    # dom0 on QEMU's virtio devices, whose interrupts are MSI-X (docs/interrupts.md):
    # a virtio-blk-pci disk holding known.txt and a virtio-net-pci NIC on
    # QEMU's user network (its DHCP server and gateway only).
    msix_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                 "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                 "--qemu-arg=-drive",
                 "--qemu-arg=if=none,id=vdisk0,format=raw,file=" + MSIX_DISK,
                 "--qemu-arg=-device", "--qemu-arg=virtio-blk-pci,drive=vdisk0",
                 # Not -nic: QEMU 7.2 builds a NIC from -nic user,model=virtio-net-pci
                 # without its MSI-X BAR (the driver then uses INTx).
                 "--qemu-arg=-netdev", "--qemu-arg=user,id=net0",
                 "--qemu-arg=-device", "--qemu-arg=virtio-net-pci,netdev=net0",
                 "--timeout", "300", "--cmd", msix]
    # libvirt's Xen driver in the libvirt image drives the example domU
    # through virsh (dom0-virt-check.sh): list, create, dominfo, console,
    # destroy; libvirtd and Debian's daemons traced from dom0's /init.
    with open(os.path.join(PATCHES, "dom0-virt-check.sh")) as f:
        virt_check = f.read()
    virt_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", VIRT_IMAGE,
                 "--smp", "1", "--mem", "1024", "--append", "dom0_mem=512M",
                 "--linux-args", "console=hvc0 loglevel=4 tessera.trace_daemons",
                 "--timeout", "400", "--cmd", virt_check]
    # A qcow2 disk through QEMU's qdisk backend, started by tl
    # (dom0-domu-qcow2.sh): read, write, destroy, read back; the refusals.
    with open(os.path.join(PATCHES, "dom0-domu-qcow2.sh")) as f:
        qcow2 = f.read()
    qcow2_args = ["--hypervisor", IMAGE, "--kernel", vmlinux, "--initrd", initrd,
                  "--file", QEMU_TAR + "=/tmp/qemu-dm.tar",
                  "--file", QCOW2 + "=/var/lib/tessera/domu.qcow2",
                  "--smp", "2", "--mem", "1024", "--append", "dom0_mem=512M",
                  "--timeout", "400", "--cmd", qcow2]
    return [("linux-dom0-image-smp1", "commands", commands),
            ("linux-dom0-devices", "commands", devices_args),
            ("linux-dom0-msix", "commands", msix_args),
            ("linux-dom0-image-shell-smp1", "shell", shell),
            ("linux-domu-bootmodule", "shell", domu),
            ("linux-tl-domu-smp1", "commands", tl_domu(1)),
            ("linux-tl-domu-smp2", "commands", tl_domu(2)),
            ("linux-tl-console-smp1", "shell", console),
            ("linux-tl-console-flood", "commands", flood_args),
            ("linux-tl-domu-life", "commands-domu-crash", life_args),
            ("linux-tl-domu-cmds", "commands", cmds_args),
            ("linux-tl-domu-disk", "commands", disk_args),
            ("linux-xl-domu", "commands", xl_args),
            ("linux-virt-domu", "commands", virt_args),
            ("linux-tl-domu-net", "commands", net_args),
            ("linux-tl-hostile-front", "commands", hostile_args),
            ("linux-tl-domu-qcow2", "commands", qcow2_args)]


DEVICES_DISK = os.path.join(WORK, "devices-disk.img")
MSIX_DISK = os.path.join(WORK, "msix-disk.img")


def devices_disk(path=DEVICES_DISK):
    """The disk of linux-dom0-devices (AHCI) or -msix (virtio): ext2 made by mke2fs -d, holding known.txt."""
    root = os.path.join(WORK, "devices-disk-root")
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "known.txt"), "w") as f:
        f.write("TESSERA-AHCI-KNOWN-FILE 4711\n")
    if os.path.exists(path):
        os.remove(path)
    subprocess.check_call(["/usr/sbin/mke2fs", "-q", "-t", "ext2", "-d", root, path, "16M"],
                          stdout=subprocess.DEVNULL)


def domu_initramfs(dom0_initrd):
    """The example domU's initramfs, taken out of the dom0 image that carries it."""
    member = "etc/tessera/examples/domu-initramfs.cpio.gz"
    out = os.path.join(WORK, "domu-initramfs.cpio.gz")
    if os.path.exists(out) and os.path.getmtime(out) >= os.path.getmtime(dom0_initrd):
        return
    tmp = os.path.join(WORK, "domu-extract")
    subprocess.check_call(["rm", "-rf", tmp])
    os.makedirs(tmp)
    subprocess.check_call("zcat %s | cpio -i --quiet -d %s" % (os.path.abspath(dom0_initrd), member),
                          shell=True, cwd=tmp)
    os.rename(os.path.join(tmp, member), out)
    subprocess.check_call(["rm", "-rf", tmp])


def run_qemu_case(timeout, args, log):
    """(passed, lines to print under its result line): run-qemu.py's verdict;
    a failure shows its reasons and the log's tail."""
    p = subprocess.run([sys.executable, RUNNER, "--kernel", IMAGE, "--timeout", str(timeout),
                        "--quiet", "--log", log] + args,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       errors="replace")
    if p.returncode == 0:
        return True, []
    with open(log, errors="replace") as f:
        return False, ["  " + l for l in p.stdout.splitlines()] + log_tail(f.read())


def run_image_case(kind, args, log):
    """(passed, lines to print under its result line)."""
    if kind == "shell":
        return run_qemu_case(150, args, log)
    p = subprocess.run([sys.executable, DOM0_RUNNER, "--log", log] + args,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                       errors="replace")
    rc = p.returncode
    with open(log, errors="replace") as f:
        text = f.read()
    problems = [l for l in p.stderr.splitlines() if l.strip() and rc != CHECK_STATUS]
    if rc != CHECK_STATUS:
        problems.append("run-dom0.py exited %d, not the commands' %d" % (rc, CHECK_STATUS))
    # Each script's own word: dom0-domu-cmds.sh says TESSERA-DOM0-CMDS.
    if not re.search(r"TESSERA-DOM0-(CHECK|CMDS) ok", text):
        m = re.search(r"TESSERA-DOM0-(CHECK|CMDS) .*", text)
        problems.append(m.group(0) if m else "no TESSERA-DOM0-CHECK line")
    m = re.search(REJECT_DOM0_CRASH if kind == "commands-domu-crash" else REJECT, text)
    if m:
        problems.append("saw %r" % m.group(0))
    lines = ["  %s" % p for p in problems]
    if problems:
        lines += log_tail(text)
    return not problems, lines


# Lines of a failed case's log printed under its FAIL line: CI keeps only
# what make check prints, and a hang is found from where the log stops.
FAIL_TAIL_LINES = 40


def log_tail(text):
    lines = [l for l in text.splitlines() if l.strip()][-FAIL_TAIL_LINES:]
    return ["  --- the log's last %d lines" % len(lines)] + \
           ["  | %s" % "".join(c if c.isprintable() else "?" for c in l) for l in lines]


# check-slow repeats every case (--runs, 5 unless given).
SLOW_RUNS = 5
# Cases too long for make check (minutes each): check-slow runs them once,
# --only NAME runs them anywhere. None now: linux-tl-domu-life (~4-6 min)
# joined make check once tl kept decompressed kernels (docs/tl.md).
SLOW_ONLY = set()


# Cases run two at a time: each QEMU's TCG mostly keeps one core busy, and
# this machine, like CI's, has two. Seconds each took alone (make check on
# an idle machine, session 7) order them longest first.
DEFAULT_JOBS = 2
EXPECTED_SECONDS = {
    "linux-tl-domu-life": 105, "linux-tl-hostile-front": 95, "linux-tl-domu-cmds": 90,
    "linux-tl-domu-disk": 86, "linux-tl-domu-qcow2": 80,
    "linux-xl-domu": 76, "linux-virt-domu": 75, "linux-tl-console-flood": 75, "linux-tl-domu-net": 67,
    "linux-dom0-devices": 52, "linux-dom0-msix": 45, "linux-tl-domu-smp1": 44, "linux-tl-domu-smp2": 40, "linux-tl-console-smp1": 40,
}


def record(results, verdict, name):
    if results:
        with open(results, "a") as f:
            f.write("%s boot/%s\n" % (verdict, name))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", action="append")
    p.add_argument("--runs", type=int, default=0, help="runs of each case (1; --slow: %d)" % SLOW_RUNS)
    p.add_argument("--slow", action="store_true", help="check-slow: every case %d times" % SLOW_RUNS)
    p.add_argument("--list", action="store_true", help="print the case names and stop")
    p.add_argument("--jobs", type=int, default=DEFAULT_JOBS,
                   help="cases run at once (%d: one emulator per core here)" % DEFAULT_JOBS)
    a = p.parse_args()
    if a.list:
        names = [c[0] for c in cases("vmlinux", "initrd")]
        names += [c[0] for c in image_cases("vmlinux", "initrd")
                  if a.slow or a.only or c[0] not in SLOW_ONLY]
        for name in names:
            if not a.only or name in a.only:
                print(name)
        return 0
    results = os.environ.get("RESULTS")
    try:
        built = artifacts()
    except subprocess.CalledProcessError as e:
        print("FAIL boot/linux-artifacts: %s" % e)
        record(results, "FAIL", "linux-artifacts")
        return 1
    if not built:
        print("FAIL boot/linux-kernel: no /boot/vmlinuz-* on this machine")
        record(results, "FAIL", "linux-kernel")
        return 1
    runs = a.runs or (SLOW_RUNS if a.slow else 1)
    jobs = []   # (name, log, function returning (passed, lines))
    def log_of(name, run, n):
        return os.path.join(WORK, "%s%s.log" % (name, "" if n == 1 else "-%d" % run))
    for name, args in cases(*built):
        if a.only and name not in a.only:
            continue
        for run in range(runs):
            log = log_of(name, run, runs)
            jobs.append((name, log, lambda args=args, log=log: run_qemu_case(120, args, log)))
    failed = 0
    try:
        image = dom0_image()
        domu_initramfs(image[1])
        devices_disk()
        devices_disk(MSIX_DISK)
    except subprocess.CalledProcessError as e:
        print("FAIL boot/linux-dom0-image-build: %s" % e)
        record(results, "FAIL", "linux-dom0-image-build")
        image = None
        failed += 1
    for name, kind, args in image_cases(*image) if image else []:
        if a.only and name not in a.only:
            continue
        if name in SLOW_ONLY and not a.slow and not a.only:
            continue
        late = [x for x in args if x in LATE_IMAGES]
        try:
            args = [LATE_IMAGES[x]() if x in LATE_IMAGES else x for x in args]
            if any(QEMU_TAR in x or QCOW2 in x for x in args):
                late = ["QEMU's files"]
                tar, qcow2 = qdisk_files()
                args = [x.replace(QEMU_TAR, tar).replace(QCOW2, qcow2) for x in args]
        except subprocess.CalledProcessError as e:
            print("FAIL boot/%s: %s did not build: %s" % (name, late[0], e))
            failed += 1
            record(results, "FAIL", name)
            continue
        n = 1 if name in SLOW_ONLY and not a.runs else runs
        for run in range(n):
            log = log_of(name, run, n)
            jobs.append((name, log, lambda kind=kind, args=args, log=log:
                         run_image_case(kind, args, log)))
    # The longest cases first, so that the last one to finish is short.
    jobs.sort(key=lambda j: -EXPECTED_SECONDS.get(j[0], 60))
    lock = threading.Lock()
    def run_job(job):
        name, log, fn = job
        t0 = time.monotonic()
        try:
            ok, lines = fn()
        except Exception as e:   # a runner that cannot start is this case's failure
            ok, lines = False, ["  %s: %s" % (type(e).__name__, e)]
        with lock:
            print("%s boot/%s (%.1f s, log %s)" % ("PASS" if ok else "FAIL", name,
                                                  time.monotonic() - t0, log))
            for l in lines:
                print(l)
            sys.stdout.flush()
            record(results, "PASS" if ok else "FAIL", name)
        return ok
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as pool:
        failed += sum(not ok for ok in pool.map(run_job, jobs))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
