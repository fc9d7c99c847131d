#!/bin/sh
# The shared guest ELF loader must build as the hypervisor builds its
# common code (freestanding, no libc headers, no SSE) and call nothing but
# the compiler's memory helpers.
#
# usage: freestanding.sh TOP OUTDIR RESULTS
set -u
top=$1 out=$2 results=$3
mkdir -p "$out"
obj=$out/guest_elf.freestanding.o
name=dom0-tools/guest_elf/freestanding-build
if gcc -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding -fno-builtin -nostdinc \
       -isystem "$(gcc -print-file-name=include)" -I"$top/hypervisor/include" -I"$top/pv-abi/include" \
       -fno-stack-protector -fpie -mno-red-zone -mgeneral-regs-only -fno-common \
       -c "$top/hypervisor/common/guest_elf.c" -o "$obj"; then
    echo "PASS $name" >> "$results"
else
    echo "FAIL $name" >> "$results"
    exit 0
fi
# Undefined symbols other than memcpy/memset/memmove/memcmp mean a libc call.
extra=$(nm -u "$obj" | awk '{print $2}' | grep -vxE 'memcpy|memset|memmove|memcmp')
if [ -z "$extra" ]; then
    echo "PASS dom0-tools/guest_elf/no-libc-calls" >> "$results"
else
    echo "guest_elf.c calls: $extra" >&2
    echo "FAIL dom0-tools/guest_elf/no-libc-calls" >> "$results"
fi
