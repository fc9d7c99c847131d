/* Offsets into struct hvm_regs (asm/hvm.h) for assembly; checked there. */
#ifndef ASM_HVM_REGS_OFFSETS_H
#define ASM_HVM_REGS_OFFSETS_H
#define HVM_REGS_RAX 0
#define HVM_REGS_RBX 8
#define HVM_REGS_RCX 16
#define HVM_REGS_RDX 24
#define HVM_REGS_RSI 32
#define HVM_REGS_RDI 40
#define HVM_REGS_RBP 48
#define HVM_REGS_RSP 56
#define HVM_REGS_R8  64
#define HVM_REGS_R9  72
#define HVM_REGS_R10 80
#define HVM_REGS_R11 88
#define HVM_REGS_R12 96
#define HVM_REGS_R13 104
#define HVM_REGS_R14 112
#define HVM_REGS_R15 120
#define HVM_REGS_RIP 128
#define HVM_REGS_RFLAGS 136
#endif
