/* Offsets into struct percpu that assembly uses (checked in asm/percpu.h). */
#ifndef ASM_PERCPU_OFFSETS_H
#define ASM_PERCPU_OFFSETS_H

#define PERCPU_SYSCALL_STACK_TOP 0
#define PERCPU_SYSCALL_SCRATCH   8

#endif
