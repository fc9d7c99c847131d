#!/usr/bin/env python3
"""Boot cases under Bochs, the emulator with VT-x (VMX, EPT, unrestricted
guest): Tessera from a GRUB ISO (multiboot2, the modules in order) on
Bochs's Haswell model, judged from the serial log by tests/run-bochs.py.
Slow (tens of seconds a case), so they run in make check-slow only.

    tests/boot/bochs_tests.py [--only NAME] [--list] [--keep-logs DIR]

The bochs-hvm-* cases are boot_tests.py's hvm-* (QEMU with SVM) run as they are, with
the same modules and expected lines, on VT-x: the backend's own detection
line and the hypercall instruction a guest names (SVM_TO_VMX) are what
differs, and the end is seen as
"Powering off" (Bochs has no isa-debug-exit to end with a status).
Appends "PASS boot/bochs-NAME" or "FAIL boot/bochs-NAME" to $RESULTS when set.
"""
import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
IMAGE = os.path.join(BUILD, "hypervisor", "tessera")
WORK = os.path.join(BUILD, "tests", "bochs")
RUNNER = os.path.join(TOP, "tests", "run-bochs.py")
MKISO = os.path.join(TOP, "tests", "mkiso.sh")
GUESTS = os.path.join(BUILD, "guests")

sys.path.insert(0, HERE)
import boot_tests  # noqa: E402  (the QEMU cases whose hvm-* part runs here too)

POWERED_OFF = r"Powering off"
VMX_LINE = r"hvm: VMX with EPT and unrestricted guest \(revision 0x[0-9a-f]+, VPID"
TIMEOUT = 600     # a case took 180 s at load 12
# Patterns of a QEMU case that Bochs's CPU model answers differently for
# reasons that have nothing to do with VT-x, and what is asked instead.
# hvm-shared-cpu: pv_cpu and timers only keep hvm_spin's CPU busy; their
# own checks expect QEMU's CPU (a TSC above 100 MHz, XSAVEOPT and XGETBV1 in
# leaf 0xd.1) and fail on Bochs's 50 MHz Haswell (TSC 50 MHz, XSAVEOPT
# only), so only their result lines are asked for, and hvm_spin's SUCCESS.
RELAXED = {
    "hvm-shared-cpu": {
        r"\(d0\) Test result: SUCCESS": r"\(d0\) Test result: ",
        r"\(d2\) Test result: SUCCESS": r"\(d2\) Test result: ",
        r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:":
            r"\(d1\) Test result: (FAILURE|ERROR)|PANIC|crashed|\(d1\) FAIL:",
    },
}
# What differs in the log on VT-x: the backend's line, the hypercall
# instruction the guest names (VMCALL on Intel, VMMCALL on AMD), and the
# exit code XSETBV's crash names (VT-x's basic exit reason 55).
SVM_TO_VMX = [(r"hvm: SVM with nested paging", VMX_LINE), (r"by VMMCALL", r"by VMCALL"),
              (r"exit 0x8d \(XSETBV\)", r"exit 0x37 \(XSETBV\)")]


def from_qemu_case(args, relaxed):
    """A boot_tests.py case's run-qemu.py arguments as (cmdline, modules,
    run-bochs.py arguments), or None when it needs what Bochs cannot give
    (a QEMU CPU model)."""
    cmdline, modules, out = "", [], []
    i = 0
    while i < len(args):
        flag, value = args[i], args[i + 1]
        i += 2
        if flag == "--cpu":
            return None
        if flag == "--append":
            cmdline = value
        elif flag == "--module":
            modules.append(value)
        elif flag == "--exit-code":
            out += ["--expect", POWERED_OFF]
        elif flag == "--expect":
            for svm, vmx in SVM_TO_VMX:
                value = value.replace(svm, vmx)
            out += [flag, relaxed.get(value, value)]
        elif flag == "--reject":
            out += [flag, relaxed.get(value, value)]
        elif flag in ("--smp", "--mem", "--send", "--expect-num"):
            out += [flag, value]
        elif flag == "--timeout":
            pass            # Bochs runs get their own
        else:
            raise SystemExit("bochs_tests.py: no Bochs form for %s" % flag)
    return cmdline, modules, out


def cases():
    own = [
        # The cheapest proof that the ISO path works: GRUB hands Tessera a PV
        # dom0 module, which prints through the hypervisor's console.
        ("bochs-boot-console", ("debug_exit dom0_mem=32M", [GUESTS + "/boot_console.elf"],
                          ["--expect", r"Loader: GRUB .*, multiboot2",
                           "--expect", r"\(d0\) boot_console: a line written with CONSOLEIO_write",
                           "--expect", r"\(d0\) Test result: SUCCESS",
                           "--expect", POWERED_OFF,
                           "--reject", r"PANIC|Test result: (FAILURE|ERROR)"])),
        # Nehalem (Lynnfield) has VMX with EPT but no unrestricted guest: VT-x
        # is refused with the reason, the PVH domain is not built, dom0 runs.
        ("bochs-hvm-refused-no-unrestricted",
         ("debug_exit dom0_mem=32M",
          [GUESTS + "/boot_console.elf",
           boot_tests.HVM_GUESTS + "/hvm_basic.elf type=pvh name=hvm_basic mem=16M -- x"],
          ["--cpu", "corei5_lynnfield_750",
           "--expect", r"hvm: VMX without unrestricted guest: not used",
           "--expect", r"hvm: none",
           "--expect", r"domain 1: a PVH domain needs SVM with nested paging, or VT-x with EPT "
                       r"and unrestricted guest",
           "--expect", r"\(d0\) Test result: SUCCESS",
           "--expect", POWERED_OFF,
           "--reject", r"\(d1\)|PANIC"])),
    ]
    hvm = []
    for name, args in boot_tests.hvm_cases():
        converted = from_qemu_case(args, RELAXED.get(name, {}))
        if converted:
            hvm.append(("bochs-" + name, converted))
    return own + hvm


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", action="append")
    p.add_argument("--list", action="store_true")
    p.add_argument("--keep-logs", default=os.path.join(WORK, "logs"))
    a = p.parse_args()
    results = os.environ.get("RESULTS")
    failed = 0
    for name, (cmdline, modules, args) in cases():
        if a.list:
            print(name)
            continue
        if a.only and name not in a.only:
            continue
        os.makedirs(a.keep_logs, exist_ok=True)
        iso = os.path.join(WORK, name + ".iso")
        log = os.path.join(a.keep_logs, name + ".log")
        t0 = time.monotonic()
        rc = subprocess.call(["sh", MKISO, IMAGE, iso, cmdline] + modules)
        if rc == 0:
            rc = subprocess.call([sys.executable, RUNNER, "--iso", iso, "--timeout", str(TIMEOUT),
                                  "--log", log] + args)
        verdict = "PASS" if rc == 0 else "FAIL"
        failed += rc != 0
        print("%s boot/%s (%.1f s, log %s)" % (verdict, name, time.monotonic() - t0, log),
              flush=True)
        if results:
            with open(results, "a") as f:
                f.write("%s boot/%s\n" % (verdict, name))
    return 1 if failed else 0


if __name__ == "__main__":
    os.makedirs(WORK, exist_ok=True)
    sys.exit(main())
