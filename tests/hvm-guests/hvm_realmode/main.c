/*
 * hvm_realmode: a PVH guest drops from its 32-bit entry to real mode and
 * comes back (lib/pvh_head.S calls early32_hook below before long mode).
 * In real mode, with CS = 0xFFFF (the code sits just above 1 MiB), it
 * prints through port 0xe9, runs CPUID 0x40000000 and calls xen_version by
 * VMMCALL or VMCALL (the 32-bit register convention, EAX and EBX), so the
 * hypervisor's exits (the instruction decoder at CS.base + IP, I/O, the
 * hypercall) work with paging and protection off. Back in long mode the
 * results are checked.
 */
#include "hvm_guest.h"

uint32_t rm_signature, rm_version, rm_done;

/* CS and DS are 0xFFFF in real mode: an address there is (linear - 0xFFFF0). */
__asm__(
    "    .pushsection .text.realmode, \"ax\", @progbits\n"
    "    .code32\n"
    "    .globl early32_hook\n"
    "early32_hook:\n"
    "    push %ebp\n"
    "    push %ebx\n"
    "    push %esi\n"
    "    push %edi\n"
    "    mov %esp, rm_saved_esp\n"
    "    ljmp $0x18, $(pm16 - 0x100000)\n"      /* 16-bit protected mode first */
    "    .code16\n"
    "pm16:\n"
    "    mov $0x20, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %es\n"
    "    mov %ax, %ss\n"
    "    mov %cr0, %eax\n"
    "    and $~1, %eax\n"                       /* PE off */
    "    mov %eax, %cr0\n"
    "    ljmp $0xffff, $(rm_entry - 0xffff0)\n"
    "rm_entry:\n"
    "    mov $0xffff, %ax\n"
    "    mov %ax, %ds\n"
    "    mov %ax, %ss\n"
    "    mov $(rm_stack_top - 0xffff0), %sp\n"
    "    mov $(rm_text - 0xffff0), %si\n"
    "1:  lodsb\n"
    "    test %al, %al\n"
    "    jz 2f\n"
    "    out %al, $0xe9\n"
    "    jmp 1b\n"
    "2:  movl $0x40000000, %eax\n"
    "    xorl %ecx, %ecx\n"
    "    cpuid\n"
    "    movl %ebx, (rm_signature - 0xffff0)\n"
    "    movl $17, %eax\n"                      /* xen_version(XENVER_version) */
    "    xorl %ebx, %ebx\n"
    "    xorl %ecx, %ecx\n"
    "    cmpb $0, (hypercall_by_vmcall - 0xffff0)\n"
    "    jne 3f\n"
    "    vmmcall\n"
    "    jmp 4f\n"
    "3:  vmcall\n"
    "4:  movl %eax, (rm_version - 0xffff0)\n"
    "    movl $1, (rm_done - 0xffff0)\n"
    "    lgdtl (gdt_desc - 0xffff0)\n"
    "    mov %cr0, %eax\n"
    "    or $1, %eax\n"                         /* PE on */
    "    mov %eax, %cr0\n"
    "    ljmpl $0x28, $pm32_back\n"
    "    .code32\n"
    "pm32_back:\n"
    "    mov $0x10, %eax\n"
    "    mov %eax, %ds\n"
    "    mov %eax, %es\n"
    "    mov %eax, %ss\n"
    "    mov rm_saved_esp, %esp\n"
    "    pop %edi\n"
    "    pop %esi\n"
    "    pop %ebx\n"
    "    pop %ebp\n"
    "    ret\n"
    "rm_text:\n"
    "    .asciz \"hvm_realmode: in real mode, CS 0xffff\\n\"\n"
    "    .balign 4\n"
    "rm_saved_esp:\n"
    "    .long 0\n"
    "rm_stack:\n"
    "    .skip 512\n"
    "rm_stack_top:\n"
    "    .code64\n"
    "    .popsection\n");

void hvm_test_main(const struct hvm_start_info *si)
{
    (void)si;
    check(rm_done == 1, "the real-mode trip ran to its end");
    char sig[5] = { 0 };
    memcpy(sig, &rm_signature, 4);
    printk("hvm_realmode: CPUID 0x40000000 EBX in real mode '%s', xen_version %#x\n", sig,
           rm_version);
    check(!memcmp(sig, "XenV", 4), "CPUID 0x40000000 in real mode");
    long v = hvm_hypercall2(__HYPERVISOR_xen_version, XENVER_version, 0);
    check(rm_version == (uint32_t)v, "xen_version by VMMCALL/VMCALL in real mode");
}
