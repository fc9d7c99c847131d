#!/usr/bin/env python3
"""Boot tests: Tessera under QEMU TCG with different CPUs, memory, command
lines and modules, each judged from the serial log by tests/run-qemu.py.

    tests/boot/boot_tests.py [--only NAME] [--list] [--keep-logs DIR]

Appends "PASS boot/NAME" or "FAIL boot/NAME" to $RESULTS when set.
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
WORK = os.path.join(BUILD, "tests", "boot")
RUNNER = os.path.join(TOP, "tests", "run-qemu.py")
GUESTS = os.path.join(BUILD, "guests")   # built by tests/guests (make check builds it first)
HVM_GUESTS = os.path.join(BUILD, "hvm-guests")   # PVH kernels, built by tests/hvm-guests
# Test kernels of tests/guests, each booted as Tessera's initial domain
# (boot_console, two_domains, dying_mapper, hostile and checker have cases of
# their own below).
PV_KERNELS = ["xen_version", "event_channels", "evtchn_fifo", "timers", "vcpus", "traps", "pv_cpu",
              "vcpu_info", "memory", "grant_table", "gnttab_v2", "negative", "pv_mmu", "syscall32",
              "domctl_vcpu", "cpu_policy", "sched_params", "acquire_resource"]

# Power off once booted, and let power-off/panic end QEMU with a status.
AUTO = "on_ready=poweroff debug_exit"
POWEROFF_STATUS = "1"   # isa-debug-exit: (0 << 1) | 1
PANIC_STATUS = "3"      # (1 << 1) | 1
READY = r"Tessera ready: "


def fixture(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def cases():
    garbage = fixture("garbage.bin", bytes(range(256)) * 64)
    empty = fixture("empty.bin", b"")
    elf = fixture("tiny.elf", b"\x7fELF\x02\x01\x01" + b"\0" * 4089)
    elf32 = fixture("tiny32.elf", b"\x7fELF\x01\x01\x01" + b"\0" * 4089)
    bzimage = fixture("fake.bzImage", b"\0" * 0x202 + b"HdrS" + b"\0" * 3578)
    gzdata = fixture("data.gz", b"\x1f\x8b\x08\0" + b"\0" * 4092)
    return [
        ("smp1-128M", ["--smp", "1", "--mem", "128", "--append", AUTO,
                       "--expect", READY + r"1 of 1 CPUs online",
                       "--expect-num", r"ready: .*, (\d+) MiB RAM:100:128",
                       "--exit-code", POWEROFF_STATUS]),
        ("smp2-512M", ["--smp", "2", "--mem", "512", "--append", AUTO,
                       "--expect", READY + r"2 of 2 CPUs online",
                       "--expect", r"hvm: SVM with nested paging \(revision \d+, \d+ ASIDs",
                       "--reject", r"hvm: .* not enabled",
                       "--expect-num", r"ready: .*, (\d+) MiB RAM:480:512",
                       "--exit-code", POWEROFF_STATUS]),
        ("smp4-1G", ["--smp", "4", "--mem", "1024", "--append", AUTO,
                     "--expect", READY + r"4 of 4 CPUs online",
                     "--expect-num", r"ready: .*, (\d+) MiB RAM:980:1024",
                     "--exit-code", POWEROFF_STATUS]),
        # RAM split around the PCI hole: the map has a hole below 4 GiB.
        ("memory-hole-5G", ["--smp", "2", "--mem", "5120", "--append", AUTO,
                            "--expect", r"0000000100000000 - 0000000[0-9a-f]+  usable",
                            "--expect", READY + r"2 of 2 CPUs online",
                            "--expect-num", r"ready: .*, (\d+) MiB RAM:5000:5120",
                            "--exit-code", POWEROFF_STATUS]),
        # SMAP on (QEMU's full model), and the plain qemu64 model (no SMEP/SMAP, NX only).
        ("cpu-max-smap", ["--cpu", "max", "--smp", "2", "--append", AUTO,
                          "--expect", READY + r"2 of 2 CPUs online",
                          "--exit-code", POWEROFF_STATUS]),
        # qemu64 has SVM but no nested paging: no HVM backend.
        ("cpu-qemu64", ["--cpu", "qemu64", "--smp", "2", "--append", AUTO,
                        "--expect", r"hvm: SVM without nested paging: not used",
                        "--expect", r"hvm: none",
                        "--expect", READY + r"2 of 2 CPUs online",
                        "--exit-code", POWEROFF_STATUS]),
        ("maxcpus", ["--smp", "4", "--append", AUTO + " maxcpus=2",
                     "--expect", READY + r"2 of 4 CPUs online",
                     "--expect", r"not started \(limit of 2 CPUs\)",
                     "--exit-code", POWEROFF_STATUS]),
        ("xapic-forced", ["--smp", "2", "--append", AUTO + " no-x2apic",
                          "--expect", r"apic: xAPIC mode",
                          "--expect", READY + r"2 of 2 CPUs online",
                          "--exit-code", POWEROFF_STATUS]),
        ("unknown-option", ["--append", AUTO + " frobnicate=7 loglvl=bogus",
                            "--expect", r"unknown option 'frobnicate'",
                            "--expect", r"loglvl.*bogus",
                            "--expect", READY,
                            "--exit-code", POWEROFF_STATUS]),
        ("loglvl-debug", ["--smp", "2", "--append", AUTO + " loglvl=all",
                          "--expect", r"smp: CPU 1 \(APIC id 1\) online",
                          "--exit-code", POWEROFF_STATUS]),
        # A timer armed through an IPI on every CPU must fire there.
        ("timers-all-cpus", ["--smp", "4", "--append", AUTO + " selftest=timers",
                             "--expect", r"selftest: timers fired on all 4 CPUs",
                             "--reject", r"fired early|fired on only",
                             "--exit-code", POWEROFF_STATUS]),
        ("exception-report", ["--append", "debug_exit selftest=fault",
                              "--expect", r"Hypervisor exception on CPU 0: #PF page fault",
                              "--expect", r"Page fault at ffff87ffdead0000: not present, write",
                              "--expect", r"RIP: \[<ffff82d04[0-9a-f]+>\] selftest_fault\+0x",
                              "--expect", r"\] start_hypervisor\+0x",
                              "--expect", r"System halted",
                              "--reject", READY,
                              "--exit-code", PANIC_STATUS]),
        ("panic", ["--smp", "2", "--append", "debug_exit selftest=panic",
                   "--expect", r"PANIC on CPU 0: self-test panic requested",
                   "--exit-code", PANIC_STATUS]),
        ("modules-bad", ["--append", AUTO,
                         "--module", garbage + " garbage-module",
                         "--module", empty + " empty-module",
                         "--module", elf + " elf-module",
                         "--expect", r"module 0 \('garbage-module'\): ignored: not a kernel",
                         "--expect", r"module 1 \('empty-module'\): ignored: it is empty",
                         "--expect", r"module 2: 4096 bytes, ELF64 image, 'elf-module'",
                         "--expect", READY,
                         "--expect", r"domain 0: kernel rejected: ",
                         "--expect", r"domain 0 not started \(error -\d+\); the hypervisor keeps running",
                         "--exit-code", POWEROFF_STATUS]),
        # Modules that build nothing say why, and what to do about it.
        ("modules-unused", ["--append", AUTO,
                            "--module", bzimage + " bz",
                            "--module", gzdata + " its-initrd",
                            "--module", elf32 + " elf32",
                            "--expect", r"module 0: not used: a bzImage is not loaded by Tessera's "
                                        r"builder, which takes ELF kernels: extract its ELF with "
                                        r"guest-patches/extract-vmlinux.py",
                            "--expect", r"module 1: not used: gzip data with no kernel module right "
                                        r"before it",
                            "--expect", r"module 2: not used: a 32-bit ELF kernel",
                            "--expect", READY,
                            "--exit-code", POWEROFF_STATUS]),
        # A domain that does not fit says what it asked for and what is free.
        ("pv-domain-too-big", ["--mem", "256", "--append", AUTO + " dom0_mem=1G",
                               "--module", GUESTS + "/boot_console.elf",
                               "--expect", r"domain 0: building failed \(error -\d+\): it asked "
                                           r"for 1024 MiB, \d+ MiB are free",
                               "--expect", r"domain 0 not started",
                               "--expect", READY,
                               "--exit-code", POWEROFF_STATUS]),
        # PV test kernels (tests/guests, proven on real Xen) as the initial domain.
        # Without dom0_mem= it gets what Xen gives: all that is free but a
        # reserve of 1/16 (at most 128 MiB): 256 MiB less the hypervisor's
        # own use leave about 250 MiB free, so a reserve of 15 MiB.
        ("pv-boot-console", ["--smp", "2", "--mem", "256", "--append", "debug_exit",
                             "--module", GUESTS + "/boot_console.elf console=hvc0 x=1",
                             "--expect", r"domain 0: \d+ MiB, all but a reserve of \d+ MiB of the "
                                         r"\d+ MiB free \(no dom0_mem= given\)",
                             "--expect-num", r"all but a reserve of (\d+) MiB:14:16",
                             "--expect-num", r"domain 0 \('Domain-0'\): (\d+) MiB:220:240",
                             "--expect", r"\(d0\) boot_console: cmdline 'console=hvc0 x=1'",
                             "--expect", r"\(d0\) Test result: SUCCESS",
                             "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
                             "--reject", r"Test result: (FAILURE|ERROR)",
                             "--reject", r"perfc:",      # counters only when asked for
                             "--exit-code", POWEROFF_STATUS]),
        # perfc: the counters' table at power-off (pv/perf.c): a total and
        # rows for the hypercalls event_channels makes.
        ("pv-perfc", ["--smp", "1", "--mem", "256", "--append", "debug_exit perfc dom0_mem=32M",
                      "--module", GUESTS + "/event_channels.elf",
                      "--expect", r"\(d0\) Test result: SUCCESS",
                      "--expect", r"perfc: [1-9]\d* cycles handling PV guests",
                      "--expect", r"perfc: hypercall +event_channel_op +[1-9]\d* calls +[1-9]\d* cycles",
                      "--expect", r"perfc: hypercall +console_io +[1-9]\d* calls",
                      "--expect", r"perfc: hypercall +sched_op +[1-9]\d* calls",
                      "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                      "--exit-code", POWEROFF_STATUS]),
        # Several domains at once from boot modules: the first is the control
        # domain, the others unprivileged, printing through console rings.
        # dom0's default memory leaves the others theirs (16 + 32 MiB) first.
        ("pv-several-domains", ["--smp", "3", "--mem", "256", "--append", "debug_exit",
                                "--module", GUESTS + "/boot_console.elf",
                                "--module", GUESTS + "/boot_console.elf name=second mem=16M -- x=2",
                                "--module", GUESTS + "/event_channels.elf",
                                "--expect", r"domain 0: \d+ MiB, all but a reserve of \d+ MiB of the "
                                            r"\d+ MiB free after the other boot domains",
                                "--expect-num", r"domain 0 \('Domain-0'\): (\d+) MiB:185:195",
                                "--expect", r"domain 1 \('second'\): 16 MiB, 1 vCPU",
                                "--expect", r"\(d1\) boot_console: domU, console ring frame",
                                "--expect", r"\(d1\) boot_console: cmdline 'x=2'",
                                "--expect", r"\(d0\) Test result: SUCCESS",
                                "--expect", r"\(d1\) Test result: SUCCESS",
                                "--expect", r"\(d2\) Test result: SUCCESS",
                                "--expect", r"domain 2 \('boot-2'\) shut down: poweroff",
                                "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                                "--exit-code", POWEROFF_STATUS]),
        # vCPUs share physical CPUs through the scheduler: three domains on
        # one CPU, two vCPUs of one domain on one CPU. (Several `timers`
        # and `event_channels` domains on one CPU wait for those kernels to
        # check for their timer event with events masked: as on Xen, an
        # event that comes while a preempted vCPU is between its check and
        # SCHEDOP_block is delivered before the block, which then sleeps.)
        ("pv-several-domains-smp1", ["--smp", "1", "--mem", "512", "--append", "debug_exit dom0_mem=64M",
                                     "--module", GUESTS + "/boot_console.elf",
                                     "--module", GUESTS + "/boot_console.elf name=second mem=16M -- x=2",
                                     "--module", GUESTS + "/event_channels.elf",
                                     "--expect", r"Tessera ready: 1 of 1 CPUs online",
                                     "--expect", r"\(d0\) Test result: SUCCESS",
                                     "--expect", r"\(d1\) boot_console: cmdline 'x=2'",
                                     "--expect", r"\(d1\) Test result: SUCCESS",
                                     "--expect", r"\(d2\) Test result: SUCCESS",
                                     "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                                     "--exit-code", POWEROFF_STATUS]),
        # Two domains from boot modules, roles on their command lines:
        # event channels and grants between them (map, copy, unmap), and a
        # mapper that crashes holding a mapping the hypervisor must release.
    ] + [("pv-" + t.replace("_", "-") + "-pair", ["--smp", "2", "--mem", "512",
                                                   "--append", "debug_exit dom0_mem=32M",
                                                   "--module", GUESTS + "/%s.elf role=server peer=1" % t,
                                                   "--module", GUESTS + "/%s.elf mem=32M -- role=client peer=0" % t,
                                                   "--expect", r"\(d0\) Test result: SUCCESS",
                                                   "--expect", r"\(d1\) Test result: SUCCESS",
                                                   "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                                                   "--exit-code", POWEROFF_STATUS])
          for t in ("two_domains", "dying_mapper")] + [
        # Foreign memory (tests/guests/foreign): the control domain works on
        # the other domain's memory as a builder does (reservations for it,
        # its frames mapped writable and read-only through mmu_update's
        # foreigndom, its tables pinned and refused writable, its grant table
        # set up and seeded, a port allocated in it), with the memory audit
        # after every hypercall; the other domain, unprivileged, is refused
        # every foreign path into the control domain.
        ("pv-foreign-pair", ["--smp", "2", "--mem", "512",
                             "--append", "debug_exit dom0_mem=32M pv_audit=1",
                             "--module", GUESTS + "/foreign.elf target=1 no-create",
                             "--module", GUESTS + "/foreign.elf mem=16M -- peer=0",
                             # Both modules' pages go to the allocator once built, and the
                             # memory audit after every hypercall counts them free.
                             "--expect", r"boot modules: [1-9]\d* KiB given back",
                             "--expect", r"\(d0\) foreign: existing domain 1",
                             "--expect", r"\(d1\) foreign: unprivileged checks done",
                             "--expect", r"pv_audit: 1 audits clean",
                             "--expect", r"\(d0\) Test result: SUCCESS",
                             "--expect", r"\(d1\) Test result: SUCCESS",
                             "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                             "--exit-code", POWEROFF_STATUS]),
        # The foreign-memory kernel as the toolstack of a domain it creates
        # (the path it takes on Xen 4.17): createdomain, populate, map,
        # pin, destroy while a frame is mapped (a zombie until the unmap,
        # then its memory back), with the memory audit after every call.
        ("pv-foreign-create", ["--smp", "2", "--mem", "512",
                               "--append", "debug_exit dom0_mem=64M pv_audit=1",
                               "--module", GUESTS + "/foreign.elf",
                               "--expect", r"\(d0\) foreign: created domain 1",
                               "--expect", r"domain 1 destroyed",
                               "--expect", r"\(d0\) foreign: free pages \d+ while mapped, \d+ after the unmap",
                               "--expect", r"pv_audit: 1 audits clean",
                               "--expect", r"\(d0\) Test result: SUCCESS",
                               "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                               "--exit-code", POWEROFF_STATUS]),
        # The unprivileged side of the negative tests (dom0's objects out of
        # reach) and the memory, grant and page-table kernels as domUs, next
        # to each other on one CPU.
        ("pv-unprivileged-smp1", ["--smp", "1", "--mem", "512",
                                  "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=1",
                                  "--module", GUESTS + "/xen_version.elf",
                                  "--module", GUESTS + "/negative.elf mem=16M --",
                                  "--module", GUESTS + "/memory.elf mem=16M --",
                                  "--module", GUESTS + "/grant_table.elf mem=16M --",
                                  "--module", GUESTS + "/pv_mmu.elf mem=16M --",
                                  "--expect", r"\(d1\) negative: unprivileged checks done",
                                  "--expect", r"\(d0\) Test result: SUCCESS",
                                  "--expect", r"\(d1\) Test result: SUCCESS",
                                  "--expect", r"\(d2\) Test result: SUCCESS",
                                  "--expect", r"\(d3\) Test result: SUCCESS",
                                  "--expect", r"\(d4\) Test result: SUCCESS",
                                  "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                                  "--exit-code", POWEROFF_STATUS]),
        # The toolstack's domctl/sysctl (tests/guests/domctl_life as dom0):
        # create, info, limits, pause counts, destroy with VIRQ_DOM_EXC and
        # 20 create/destroy rounds with free memory back where it was, while
        # an unprivileged boot domain (domctl_deny) is refused every domctl
        # and sysctl number, on two CPUs.
        ("pv-domctl-smp2", ["--smp", "2", "--mem", "512",
                            "--append", "debug_exit dom0_mem=64M",
                            "--module", GUESTS + "/domctl_life.elf",
                            "--module", GUESTS + "/domctl_deny.elf mem=16M --",
                            "--expect", r"\(d1\) domctl_deny: 251 of 251 calls refused",
                            "--expect", r"\(d1\) Test result: SUCCESS",
                            "--expect", r"\(d0\) free pages: \d+ before the first domain, \d+ after",
                            "--expect", r"\(d0\) Test result: SUCCESS",
                            "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                            "--exit-code", POWEROFF_STATUS]),
        # The hostile guest (tests/guests/hostile): a fixed seed of random
        # hypercalls, PTE and descriptor writes from an unprivileged domain,
        # with the hypervisor's memory audit on (pv_audit), next to a control
        # domain that checks its own memory and grants it pages read-only.
        # Every shape is in, the escapes of issue 9 items 1 and 3 included
        # (the audit found both before their fixes).
        ("pv-hostile-audit", ["--smp", "2", "--mem", "256",
                              "--append", "debug_exit dom0_mem=32M pv_audit=50",
                              "--module", GUESTS + "/checker.elf peer=1",
                              "--module", GUESTS + "/hostile.elf mem=16M -- seed=1 calls=30000",
                              "--expect", r"pv_audit: 1 audits clean",
                              # It stops at the first step that reaches 30000 calls, and a
                              # step may make several: the count ends within one step of it.
                              "--expect", r"\(d1\) hostile: done: seed 1, \d+ steps, 300\d\d calls",
                              "--expect", r"\(d1\) Test result: SUCCESS",
                              "--expect", r"\(d0\) checker: \d+ rounds over \d+ ms, 0 words changed",
                              "--expect", r"\(d0\) Test result: SUCCESS",
                              "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                              "--exit-code", POWEROFF_STATUS]),
        # Two vCPUs of one domain bounce events while each blocks in between:
        # a woken vCPU is picked on the other CPU right after its pick here,
        # which must wait until this CPU has saved its state (the benchmark
        # kernel's ping-pong found the race; it ran a vCPU on stale registers).
        ("pv-block-wake-2vcpus", ["--smp", "2", "--mem", "512", "--append", "debug_exit dom0_mem=32M",
                                  "--module", GUESTS + "/bench_hypercall.elf",
                                  "--expect", r"bench: evtchn_round_trip_2vcpu \d+ cycles",
                                  "--expect", r"\(d0\) Test result: SUCCESS",
                                  "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crash",
                                  "--exit-code", POWEROFF_STATUS]),
        # Four vCPUs of one domain on two CPUs block on near timers, poll, yield
        # and IPI each other while the scheduler moves them between CPUs; first
        # vCPU 1 waits for a "spinlock" in SCHEDOP_poll while vCPU 0 IPIs it
        # (Linux's two-CPU stall: a poll that slept with an upcall pending
        # deadlocked them, round 50-175 before the fix).
        ("pv-timer-wake-smp2", ["--smp", "2", "--mem", "512",
                                "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=4",
                                "--module", GUESTS + "/timer_wake.elf seconds=4",
                                "--expect", r"timer_wake: \d+ IPI-against-poll handshakes",
                                "--expect", r"\(d0\) Test result: SUCCESS",
                                "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crash",
                                "--exit-code", POWEROFF_STATUS]),
        # The same through the FIFO ABI, consumed as Linux consumes it (Linux
        # dom0 and domUs use FIFO): the timer and IPI events of four vCPUs
        # linked into their queues while the guest unlinks them.
        ("pv-timer-wake-fifo-smp2", ["--smp", "2", "--mem", "512",
                                     "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=4",
                                     "--module", GUESTS + "/timer_wake.elf seconds=4 fifo=1",
                                     "--expect", r"timer_wake: FIFO event channels, 4 control blocks",
                                     "--expect", r"timer_wake: \d+ IPI-against-poll handshakes",
                                     "--expect", r"\(d0\) Test result: SUCCESS",
                                     "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crash",
                                     "--exit-code", POWEROFF_STATUS]),
        # VCPUOP_down of the last vCPU up powers the domain off, as on Xen 4.17
        # ("Hardware Dom0 halted"); it used to stay with no vCPU up (a hang).
        ("pv-vcpu-down-last", ["--smp", "2", "--mem", "512", "--append", "debug_exit dom0_mem=32M",
                               "--module", GUESTS + "/vcpu_down_last.elf go",
                               "--expect", r"vcpu_down_last: vCPU 0 is down; vCPU 1 goes down last",
                               "--expect", r"domain 0 \('Domain-0'\) shut down: poweroff",
                               "--reject", r"still running|Test result|PANIC|crash",
                               "--exit-code", POWEROFF_STATUS]),
        # A control domain of most of the machine's memory: no aligned block
        # that large exists, so it is built from several (the kernel checks
        # that its p2m and the m2p agree on every page).
        ("pv-dom0-most-memory", ["--smp", "2", "--mem", "1024", "--append", "debug_exit dom0_mem=700M",
                                 "--module", GUESTS + "/memory.elf",
                                 "--expect", r"domain 0 \('Domain-0'\): 700 MiB",
                                 "--expect", r"\(d0\) Test result: SUCCESS",
                                 "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                                 "--exit-code", POWEROFF_STATUS]),
        # What Linux's early PV boot does (segment-base MSRs, CR2/CR4, giving
        # up the builder's L4, vCPU 1's areas while down, the user GS
        # selector, an initrd by PFN, the PV CPUID view), with its initrd as
        # the module after the kernel.
        ("pv-linux-early", ["--smp", "2", "--mem", "512", "--append", "debug_exit dom0_mem=32M",
                            "--module", GUESTS + "/linux_early.elf",
                            "--module", os.path.join(TOP, "tests", "guests", "linux_early", "initrd.txt"),
                            "--expect", r"module 1: \d+ bytes, data, the initrd of module 0",
                            "--expect", r"\(d0\) Test result: SUCCESS",
                            "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                            "--exit-code", POWEROFF_STATUS]),
        # Serial input reaches the control domain: VIRQ_CONSOLE, CONSOLEIO_read.
        ("pv-console-input", ["--smp", "1", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                              "--module", GUESTS + "/boot_console.elf read_console",
                              "--send", r"boot_console: type a line=>hello tessera\r",
                              "--expect", r"\(d0\) boot_console: read 'hello tessera'",
                              "--expect", r"\(d0\) Test result: SUCCESS",
                              "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                              "--exit-code", POWEROFF_STATUS]),
        # The control domain shuts down a domain that would block for ever
        # (whether or not it ran yet): the machine can only power off once
        # that domain is stopped.
        ("pv-remote-shutdown", ["--smp", "2", "--mem", "512", "--append", "debug_exit dom0_mem=32M",
                                "--module", GUESTS + "/negative.elf victim=1",
                                "--module", GUESTS + "/selftest_hang.elf mem=16M --",
                                "--expect", r"\(d0\) negative: shut down domain 1",
                                "--expect", r"domain 1 \('boot-1'\) shut down: poweroff",
                                "--expect", r"\(d0\) Test result: SUCCESS",
                                "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                                "--exit-code", POWEROFF_STATUS]),
        ("pv-vcpus-smp1", ["--smp", "1", "--mem", "512",
                           "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=2",
                           "--module", GUESTS + "/vcpus.elf",
                           "--expect", r"Tessera ready: 1 of 1 CPUs online",
                           "--expect", r"domain 0 \('Domain-0'\): 32 MiB, 2 vCPUs",
                           "--expect", r"\(d0\) Test result: SUCCESS",
                           "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                           "--exit-code", POWEROFF_STATUS]),
        # Two vCPUs initialise each of thirty down vCPUs at the same moment:
        # exactly one call may succeed each time.
        ("pv-vcpu-race", ["--smp", "2", "--mem", "512",
                          "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=32",
                          "--module", GUESTS + "/vcpu_race.elf",
                          "--expect", r"domain 0 \('Domain-0'\): 32 MiB, 32 vCPUs",
                          "--expect", r"\(d0\) vcpu_race: 30 rounds",
                          "--expect", r"\(d0\) Test result: SUCCESS",
                          "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                          "--exit-code", POWEROFF_STATUS]),
        # Exceptions whose bounce frame cannot go on the guest's stack (a
        # non-canonical or an unmapped RSP): those domains crash, as on Xen
        # 4.17, and the control domain runs on.
        ("pv-bad-stack-smp1", ["--smp", "1", "--mem", "512",
                               "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=1",
                               "--module", GUESTS + "/xen_version.elf",
                               "--module", GUESTS + "/traps.elf mem=16M -- bad_stack=noncanonical",
                               "--module", GUESTS + "/traps.elf mem=16M -- bad_stack=unmapped",
                               "--expect", r"domain 1 vCPU 0 crashed: #UD .*rsp 0x8000000000000000",
                               "--expect", r"domain 2 vCPU 0 crashed: #UD .*rsp 0x40000000000",
                               "--expect", r"\(d0\) Test result: SUCCESS",
                               "--reject", r"Test result: (FAILURE|ERROR)|PANIC|still running after",
                               "--exit-code", POWEROFF_STATUS]),
        # A selector that no longer loads when vCPU 0 comes back after vCPU 1
        # had the one CPU: the failsafe callback, with ES in its frame.
        ("pv-failsafe-smp1", ["--smp", "1", "--mem", "512",
                              "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=2",
                              "--module", GUESTS + "/failsafe.elf",
                              "--expect", r"domain 0 \('Domain-0'\): 32 MiB, 2 vCPUs",
                              "--expect", r"\(d0\) failsafe: 1 callback\(s\); DS 0x0 ES 0x23",
                              "--expect", r"\(d0\) Test result: SUCCESS",
                              "--reject", r"Test result: (FAILURE|ERROR|SKIP)|PANIC|crashed",
                              "--exit-code", POWEROFF_STATUS]),
        # Long batches give the CPU up: vCPU 1 must run on the one CPU while
        # vCPU 0's multicall of a million m2p updates is in the hypervisor.
        ("pv-preempt-smp1", ["--smp", "1", "--mem", "512", "--timeout", "120",
                             "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=2",
                             "--module", GUESTS + "/preempt.elf",
                             "--expect", r"domain 0 \('Domain-0'\): 32 MiB, 2 vCPUs",
                             "--expect", r"\(d0\) preempt: multicall of 16 x 65536 requests -> 0",
                             "--expect", r"\(d0\) Test result: SUCCESS",
                             "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                             "--exit-code", POWEROFF_STATUS]),
        # Five kernels that trap, emulate, switch their FPU (fpu_taskswitch,
        # clts) and register vcpu_info and runstate areas, all on one CPU
        # and then on two.
    ] + [("pv-shared-cpus-smp%d" % n, ["--smp", str(n), "--mem", "512",
                                       "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=2",
                                       "--module", GUESTS + "/vcpus.elf",
                                       "--module", GUESTS + "/timers.elf mem=16M --",
                                       "--module", GUESTS + "/event_channels.elf mem=16M --",
                                       "--module", GUESTS + "/timers.elf mem=16M --",
                                       "--module", GUESTS + "/event_channels.elf mem=16M --",
                                       "--expect", r"\(d0\) Test result: SUCCESS",
                                       "--expect", r"\(d1\) Test result: SUCCESS",
                                       "--expect", r"\(d2\) Test result: SUCCESS",
                                       "--expect", r"\(d3\) Test result: SUCCESS",
                                       "--expect", r"\(d4\) Test result: SUCCESS",
                                       "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                                       "--exit-code", POWEROFF_STATUS])
           for n in (1, 2)
    ] + [("pv-mixed-smp%d" % n, ["--smp", str(n), "--mem", "512",
                                  "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=1",
                                  "--module", GUESTS + "/pv_cpu.elf",
                                  "--module", GUESTS + "/traps.elf mem=16M --",
                                  "--module", GUESTS + "/vcpu_info.elf mem=16M --",
                                  "--module", GUESTS + "/xen_version.elf mem=16M --",
                                  "--module", GUESTS + "/pv_cpu.elf mem=16M --",
                                  "--expect", r"pv: vCPU x87/SSE state switching checked",
                                  "--expect", r"\(d0\) Test result: SUCCESS",
                                  "--expect", r"\(d1\) Test result: SUCCESS",
                                  "--expect", r"\(d2\) Test result: SUCCESS",
                                  "--expect", r"\(d3\) Test result: SUCCESS",
                                  "--expect", r"\(d4\) Test result: SUCCESS",
                                  "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed",
                                  "--exit-code", POWEROFF_STATUS])
          for n in (1, 2)] + [
        # Scheduler options per boot domain: a weighted and a capped domain
        # on one CPU are built with them and finish; bad values leave that
        # domain unbuilt. (How weights and caps share CPU time is shown by
        # the scheduler's own simulation tests, tests/unit.)
        ("pv-domain-sched-options", ["--smp", "1", "--mem", "512",
                                     "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=1",
                                     "--module", GUESTS + "/vcpu_info.elf",
                                     "--module", GUESTS + "/vcpu_info.elf mem=16M weight=1024 --",
                                     "--module", GUESTS + "/traps.elf mem=16M cap=5 --",
                                     "--module", GUESTS + "/xen_version.elf mem=16M cap=101 --",
                                     "--module", GUESTS + "/xen_version.elf mem=16M weight=0 --",
                                     "--module", GUESTS + "/xen_version.elf mem=16M weight=65536 --",
                                     "--expect", r"domain 1: scheduler weight 1024, cap 0%",
                                     "--expect", r"domain 2: scheduler weight 256, cap 5%",
                                     "--expect", r"domain 3: bad options in 'mem=16M cap=101 --'",
                                     "--expect", r"domain 4: bad options in 'mem=16M weight=0 --'",
                                     "--expect", r"domain 5: bad options in 'mem=16M weight=65536 --'",
                                     "--expect", r"\(d0\) Test result: SUCCESS",
                                     "--expect", r"\(d1\) Test result: SUCCESS",
                                     "--expect", r"\(d2\) Test result: SUCCESS",
                                     "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|\(d[345]\)",
                                     "--exit-code", POWEROFF_STATUS]),
        ("pv-domain-options-bad", ["--smp", "2", "--append", "debug_exit on_ready=poweroff dom0_mem=64M",
                                   "--module", GUESTS + "/xen_version.elf",
                                   "--module", GUESTS + "/xen_version.elf mem=1K -- x",
                                   "--expect", r"domain 1: bad options in 'mem=1K -- x'",
                                   "--expect", r"\(d0\) Test result: SUCCESS",
                                   "--exit-code", POWEROFF_STATUS]),
        ("shell", ["--smp", "2", "--append", "debug_exit",
                   "--send", r"tessera> =>cpus\r",
                   "--send", r"CPU 1: APIC id 1, online=>frob\r",
                   "--send", r"unknown command 'frob'=>poweroff\r",
                   "--expect", r"2 of 2 CPUs online",
                   "--expect", r"Powering off",
                   "--exit-code", POWEROFF_STATUS]),
        ("reboot", ["--append", "on_ready=reboot",
                    "--expect", r"Rebooting",
                    "--exit-code", "0"]),
    ] + [("pv-" + t.replace("_", "-"), ["--smp", "2", "--mem", "512",
                                          "--append", "debug_exit dom0_mem=32M",
                                          "--module", GUESTS + "/" + t + ".elf",
                                          "--expect", r"domain 0 \('Domain-0'\): 32 MiB, 2 vCPUs",
                                          "--expect", r"\(d0\) Test result: SUCCESS",
                                          "--reject", r"Test result: (FAILURE|ERROR)|PANIC",
                                          "--exit-code", POWEROFF_STATUS])
          for t in PV_KERNELS] + hvm_cases()


def hvm_cases():
    """PVH test kernels (tests/hvm-guests) as boot domains on SVM with nested
    paging (the runner's default -cpu max,-smap has it; docs/hvm.md), beside a
    PV dom0."""
    pvh = HVM_GUESTS + "/%s.elf type=pvh name=%s mem=16M -- %s"
    return [
        # Long mode by its own page tables, Xen's CPUID leaves, MSRs, CR0, port
        # 0xe9 and a dead port, hypercalls by VMMCALL and the hypercall page.
        ("hvm-basic", ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                       "--module", GUESTS + "/boot_console.elf",
                       "--module", pvh % ("hvm_basic", "hvm_basic", "hello-pvh"),
                       "--expect", r"hvm: SVM with nested paging",
                       "--expect", r"domain 1 \('hvm_basic'\): PVH, 16 MiB, .* entry 0x[0-9a-f]+ "
                                   r"\(PHYS32_ENTRY\)",
                       "--expect", r"\(d1\) command line: 'hello-pvh'",
                       "--expect", r"\(d1\) CPUID 0x40000000: 'XenVMMXenVMM'",
                       "--expect", r"\(d1\) CR0 0x80000011$",
                       "--expect", r"\(d1\) ok: CR0\.NE cleared and read back",
                       "--expect", r"\(d1\) xen_version by VMMCALL: 4\.17",
                       "--expect", r"domain 1: port 0x80 read, 1 byte: nothing there",
                       "--expect", r"\(d1\) ok: xen_version through the hypercall page",
                       "--expect", r"\(d0\) Test result: SUCCESS",
                       "--expect", r"\(d1\) Test result: SUCCESS",
                       "--expect", r"domain 1 \('hvm_basic'\) shut down: poweroff",
                       "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:",
                       "--reject", r"port 0x80 written",
                       "--exit-code", POWEROFF_STATUS]),
        # Bad hypercall arguments and refused MSRs fail at the guest, which goes on.
        ("hvm-bad-hypercalls", ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                                "--module", GUESTS + "/boot_console.elf",
                                "--module", pvh % ("hvm_negative", "neg", "hypercalls"),
                                "--expect", r"\(d1\) extraversion to an address its page tables do "
                                            r"not map: -14",
                                "--expect", r"\(d1\) extraversion to guest-physical memory it does "
                                            r"not have: -14",
                                "--expect", r"\(d1\) ok: EFER with a reserved bit: #GP",
                                "--expect", r"\(d1\) Test result: SUCCESS",
                                "--expect", r"domain 1 \('neg'\) shut down: poweroff",
                                "--expect", r"\(d0\) Test result: SUCCESS",
                                "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:",
                                "--exit-code", POWEROFF_STATUS]),
    ] + [
        # The PVH guest crashes; the hypervisor reports it and goes on, and
        # dom0 (waiting for a console line, typed only once the crash is in
        # the log) reads and prints it afterwards.
        ("hvm-" + case, ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                         "--module", GUESTS + "/boot_console.elf read_console",
                         "--module", pvh % ("hvm_negative", "neg", arg),
                         "--send", r"domain 1 \('neg'\) shut down: crash=>after the crash\r",
                         "--expect", r"domain 1 vCPU 0 crashed: " + why,
                         "--expect", r"d1 v0: rip [0-9a-f]{16} rsp",
                         "--expect", r"d1 v0: cr0 [0-9a-f]{16} cr2",
                         "--expect", r"\(d0\) boot_console: read 'after the crash'",
                         "--expect", r"\(d0\) Test result: SUCCESS",
                         "--reject", r"still running after|PANIC|Test result: (FAILURE|ERROR)",
                         "--exit-code", POWEROFF_STATUS])
        for case, arg, why in [
            ("npf", "npf", r"nested page fault at guest-physical 0x20000000 \(read, error "
                           r"0x[0-9a-f]+\): outside its 16 MiB"),
            ("triple-fault", "triple", r"triple fault"),
            # XSETBV: the intercepted exit on hardware; QEMU's TCG runs it
            # without one, which the hypervisor sees as a changed XCR0.
            ("unhandled-exit", "xsetbv", r"(exit 0x8d \(XSETBV\)|XSETBV ran without its "
                                         r"intercepted exit \(XCR0 0x1, put back to 0x[0-9a-f]+\):) "
                                         r"not handled")]
    ] + [
        # HLT with interrupts off: nothing can wake the vCPU; the domain is powered off.
        ("hvm-halt", ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                      "--module", GUESTS + "/boot_console.elf",
                      "--module", pvh % ("hvm_negative", "neg", "halt"),
                      "--expect", r"\(d1\) hvm_negative: cli; hlt",
                      "--expect", r"domain 1 vCPU 0: halted with interrupts off",
                      "--expect", r"domain 1 \('neg'\) shut down: poweroff",
                      "--expect", r"\(d0\) Test result: SUCCESS",
                      "--reject", r"still running after|PANIC|crashed|Test result: (FAILURE|ERROR)",
                      "--exit-code", POWEROFF_STATUS]),
        # From the 32-bit entry to real mode and back: port I/O, CPUID and
        # VMMCALL with CS 0xFFFF, paging and protection off.
        ("hvm-realmode", ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                          "--module", GUESTS + "/boot_console.elf",
                          "--module", pvh % ("hvm_realmode", "rm", "x"),
                          "--expect", r"\(d1\) hvm_realmode: in real mode, CS 0xffff",
                          "--expect", r"\(d1\) hvm_realmode: CPUID 0x40000000 EBX in real mode "
                                      r"'XenV', xen_version 0x40011",
                          "--expect", r"\(d1\) Test result: SUCCESS",
                          "--expect", r"\(d0\) Test result: SUCCESS",
                          "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:",
                          "--exit-code", POWEROFF_STATUS]),
        # One CPU for a PVH vCPU that computes with all XMM registers in use
        # and two PV domains using the FPU and timers: switched both ways,
        # its SSE state comes back intact every time.
        ("hvm-shared-cpu", ["--smp", "1", "--mem", "256", "--timeout", "120",
                            "--append", "debug_exit dom0_mem=32M dom0_max_vcpus=1",
                            "--module", GUESTS + "/pv_cpu.elf",
                            "--module", pvh % ("hvm_spin", "spin", "x"),
                            "--module", GUESTS + "/timers.elf mem=16M",
                            "--expect", r"\(d1\) hvm_spin: 40 steps, \d+ of them off its CPU for a "
                                        r"while, XMM pattern changed after 0",
                            "--expect", r"\(d0\) Test result: SUCCESS",
                            "--expect", r"\(d1\) Test result: SUCCESS",
                            "--expect", r"\(d2\) Test result: SUCCESS",
                            "--expect-num", r"sched: CPU 0: \d+ picks .*?, (\d+) switches:4:100000",
                            "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:",
                            "--exit-code", POWEROFF_STATUS]),
        # Events as Linux's PVH boot uses them: shared_info, the upcall vector,
        # VIRQ_TIMER and its singleshot timer (due, and 5 ms ahead through a
        # blocking HLT), the APIC to x2APIC mode and a self-IPI.
        ("hvm-events", ["--smp", "2", "--mem", "256", "--append", "debug_exit dom0_mem=32M",
                        "--module", GUESTS + "/boot_console.elf",
                        "--module", pvh % ("hvm_events", "events", "x"),
                        "--expect", r"\(d1\) segment-base and SYSCALL MSRs: 8 of 8 read back",
                        "--expect", r"\(d1\) grant table: \d+ of at most \d+ frames",
                        "--expect", r"\(d1\) ok: grant frame 0 mapped outside its RAM",
                        "--expect", r"domain 1: event upcall on vector 0xf3",
                        "--expect", r"\(d1\) timer already due: 1 upcall\(s\)",
                        "--expect", r"\(d1\) timer 5 ms ahead: woke after \d+ us",
                        "--expect", r"\(d1\) x2APIC id 0, version 0x50014",
                        "--expect", r"\(d1\) self-IPI: 1 delivered",
                        "--expect", r"\(d0\) Test result: SUCCESS",
                        "--expect", r"\(d1\) Test result: SUCCESS",
                        "--expect", r"domain 1 \('events'\) shut down: poweroff",
                        "--reject", r"Test result: (FAILURE|ERROR)|PANIC|crashed|FAIL:",
                        "--exit-code", POWEROFF_STATUS]),
        hvm_linux_pvh_case(),
        # No nested paging (qemu64): the PVH domain is refused, dom0 runs.
        ("hvm-refused-no-npt", ["--cpu", "qemu64", "--smp", "2", "--mem", "256",
                                "--append", "debug_exit dom0_mem=32M",
                                "--module", GUESTS + "/boot_console.elf",
                                "--module", pvh % ("hvm_basic", "hvm_basic", "x"),
                                "--expect", r"hvm: none",
                                "--expect", r"domain 1: a PVH domain needs SVM with nested paging",
                                "--expect", r"domain 1 not started",
                                "--expect", r"\(d0\) Test result: SUCCESS",
                                "--reject", r"\(d1\)|PANIC",
                                "--exit-code", POWEROFF_STATUS]),
    ]


def hvm_linux_pvh_case():
    """Debian's own kernel (linux_tests.py's vmlinux ELF and probe initramfs) as
    a PVH boot module beside boot_console's PV dom0: its PVH entry, its early
    console on port 0xe9, Xen's CPUID leaves and hypercall page, shared_info
    in its memory, FIFO event channels with the upcall on Xen's callback
    vector, an MP table and its local APIC (xAPIC page, then x2APIC), Xen's
    clocksource and timer, hvc0 on the console ring, the initramfs's /init,
    and its power-off.
    Without a kernel in /boot the module is missing and the case fails."""
    sys.path.insert(0, HERE)
    import linux_tests
    try:
        built = linux_tests.artifacts()
    except (OSError, subprocess.CalledProcessError) as e:
        print("hvm-linux-pvh: no Linux kernel or initramfs built: %s" % e, file=sys.stderr)
        built = None
    vmlinux, initrd = built if built else ("/boot/no-vmlinuz", "/boot/no-initrd")
    return ("hvm-linux-pvh", [
        "--smp", "2", "--mem", "512", "--timeout", "80", "--append", "debug_exit dom0_mem=32M",
        "--module", GUESTS + "/boot_console.elf",
        "--module", vmlinux + " type=pvh name=linux mem=128M -- earlyprintk=xen console=hvc0",
        "--module", initrd,
        "--expect", r"domain 1 \('linux'\): PVH, 128 MiB, .* \(PHYS32_ENTRY\)",
        "--expect", r"domain 1: initrd at 0x[0-9a-f]+, [1-9]\d+ KiB \(start info module 0\)",
        # Port 0xe9 before hvc0: Xen's CPUID leaves found, the version read.
        "--expect", r"\(d1\) \[ *0\.0+\] Hypervisor detected: Xen HVM",
        "--expect", r"\(d1\) \[ *[0-9.]+\] Booting kernel on Xen PVH",
        "--expect", r"\(d1\) \[ *[0-9.]+\] xen:events: Using FIFO-based ABI",
        "--expect", r"domain 1: event upcall on vector 0xf3",
        "--expect", r"\(d1\) \[ *[0-9.]+\] xen:events: Xen HVM callback vector for event "
                    r"delivery is enabled",
        "--expect", r"\(d1\) \[ *[0-9.]+\] printk: console \[hvc0\] enabled",
        # Its grant table's first frame put outside its RAM (add_to_physmap).
        "--expect", r"\(d1\) \[ *[0-9.]+\] xen:grant_table: Grant tables using version 1 layout",
        # The MP table and the emulated APIC: xAPIC page first, then x2APIC mode.
        "--expect", r"\(d1\) \[ *[0-9.]+\] found SMP MP-table at \[mem 0x000f0000-0x000f000f\]",
        "--expect", r"\(d1\) \[ *[0-9.]+\] x2apic enabled",
        # Xen's pvclock and VCPUOP timer (ticks wake the idle vCPU).
        "--expect", r"\(d1\) \[ *[0-9.]+\] clocksource: Switched to clocksource xen",
        "--expect", r"\(d1\) TESSERA-LINUX-INIT uptime=[0-9.]+ hypervisor=xen kernel=\S+ cpus=1 "
                    r"evtchn=fifo",
        # /init's poweroff -f: with no ACPI Linux halts with interrupts off.
        "--expect", r"domain 1 vCPU 0: halted with interrupts off",
        "--expect", r"domain 1 \('linux'\) shut down: poweroff",
        # Everything it asks for is offered; no refused MSR the policy hides.
        "--reject", r"Kernel panic|BUG:|Oops|WARNING:|crashed|PANIC|\(d0\) Test result: "
                    r"(FAILURE|ERROR)|MSR access error: .*(0xfe|0x179|0x17a|0xc0000103) |"
                    r"not offered to HVM guests|grant table add_to_physmap failed",
        "--exit-code", POWEROFF_STATUS])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--only", action="append")
    p.add_argument("--list", action="store_true")
    p.add_argument("--keep-logs", default=os.path.join(WORK, "logs"))
    a = p.parse_args()
    os.makedirs(a.keep_logs, exist_ok=True)
    results = os.environ.get("RESULTS")
    failed = 0
    for name, args in cases():
        if a.list:
            print(name)
            continue
        if a.only and name not in a.only:
            continue
        log = os.path.join(a.keep_logs, name + ".log")
        cmd = [sys.executable, RUNNER, "--kernel", IMAGE, "--timeout", "90", "--quiet",
               "--log", log] + args
        t0 = time.monotonic()
        rc = subprocess.call(cmd)
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
