# What a stalled Tessera boot is doing, read by gdb through QEMU's gdb stub
# (nothing in the hypervisor changes, so it costs a run nothing):
#
#   tests/run-qemu.py ... --qemu-arg=-gdb --qemu-arg=tcp::1234 &
#   gdb -batch -ex "target remote :1234" -ex "source tests/harness/gdb_state.py" \
#       -ex "thread apply all bt 10" build/hypervisor/tessera.elf
#
# Prints per CPU what runs there, its pending softirqs and pick, its timer
# queue (deadline, callback) and the deadline its local APIC was given;
# each scheduler queue; and per domain and vCPU the run state, its three
# timers and its upcall flags. A vCPU blocked with an upcall pending and
# unmasked, or a queue whose earliest deadline is long past while its CPU
# halts, is the usual sign of a lost wake-up (docs/testing.md).
import gdb


def val(expr):
    return gdb.parse_and_eval(expr)


def func_name(ptr):
    text = str(ptr)
    return text[text.find("<") + 1:text.find(">")] if "<" in text else text


def show_cpus():
    print("CPUs online: %s" % val("nr_cpus_online"))
    for i in range(int(val("nr_cpus_online"))):
        c = val("percpu_table[%d]" % i)
        if int(c) == 0:
            continue
        c = c.dereference()
        print("CPU%d current=%s resched=%s softirqs=%s apic_deadline_ns=%d irqs=%d" % (
            i, c["current"], c["resched"], c["softirq_pending"], int(c["lapic_deadline_ns"]),
            int(c["irq_count"])))
        q = c["timers"]
        for k in range(int(q["nr"])):
            t = q["heap"][k].dereference()
            print("   timer %d: expires %d %s(%s)" % (k, int(t["expires"]), func_name(t["fn"]),
                                                   t["data"]))


def show_runqueues():
    for i in range(int(val("sched_nr_online"))):
        rq = val("sched_cpus[%d]" % i)
        print("runqueue %d: curr=%s queued per class %s" % (
            i, rq["curr"], [int(rq["cls"][p]["nr"]) for p in range(3)]))
    print("idle mask: %s" % val("sched_idle_mask"))


def show_domains():
    d = val("domain_list")
    while int(d) != 0:
        dom = d.dereference()
        print("domain %d (%s)" % (int(dom["domain_id"]), dom["state"]))
        for k in range(int(dom["max_vcpus"])):
            vp = dom["vcpus"][k]
            if int(vp) == 0:
                continue
            v = vp.dereference()
            a = v["arch"].dereference()
            flags = "no vcpu_info"
            if int(v["vcpu_info"]) != 0:
                info = v["vcpu_info"].dereference()
                flags = "upcall pending=%d masked=%d" % (int(info["evtchn_upcall_pending"]),
                                                         int(info["evtchn_upcall_mask"]))
            print("  vCPU %d: %s on CPU %s, poll_active=%s, %s" % (
                k, v["run_state"], v["processor"], a["poll_active"], flags))
            for name in ("singleshot_timer", "periodic_timer", "poll_timer"):
                t = a[name]
                armed = int(t["index"]) != 0xffffffff
                print("    %s: %s, expires %d, CPU %d" % (
                    name, "armed" if armed else "idle", int(t["expires"]), int(t["cpu"])))
        d = dom["next"]


show_cpus()
show_runqueues()
show_domains()
