# Library code of the hypervisor (no hardware, no global state).
HV_SRCS += lib/string.c
HV_SRCS += lib/parse.c
HV_SRCS += lib/format.c
HV_SRCS += lib/bitmap.c
