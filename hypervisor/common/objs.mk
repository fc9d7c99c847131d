# Common (architecture-independent) hypervisor code.
HV_SRCS += common/log.c
HV_SRCS += common/panic.c
HV_SRCS += common/bootinfo.c
HV_SRCS += common/multiboot1.c
HV_SRCS += common/multiboot2.c
HV_SRCS += common/memmap.c
HV_SRCS += common/page_alloc.c
HV_SRCS += common/heap.c
HV_SRCS += common/cmdline.c
HV_SRCS += common/timer.c
HV_SRCS += common/symbols.c
HV_SRCS += common/domain.c
HV_SRCS += common/guest_elf.c
HV_SRCS += common/event_channel.c
HV_SRCS += common/event_channel_2l.c
HV_SRCS += common/event_channel_ops.c
HV_SRCS += common/event_channel_send.c
