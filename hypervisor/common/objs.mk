# Common (architecture-independent) hypervisor code.
HV_SRCS += common/log.c
HV_SRCS += common/panic.c
