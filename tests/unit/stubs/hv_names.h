/*
 * Forced into every hypervisor source compiled for the host tests: renames
 * the hypervisor's functions that share a C library name, so the test
 * binary links both and the tests can compare them.
 */
#ifndef TESSERA_TEST_HV_NAMES_H
#define TESSERA_TEST_HV_NAMES_H

#define memcpy  hv_memcpy
#define memmove hv_memmove
#define memset  hv_memset
#define memcmp  hv_memcmp
#define strlen  hv_strlen
#define strnlen hv_strnlen
#define strcmp  hv_strcmp
#define strncmp hv_strncmp
#define strchr  hv_strchr
#define strrchr hv_strrchr
#define strlcpy hv_strlcpy

#endif
