/* Registration of each unit-test file's CUnit suite. */
#ifndef TL_TEST_UNIT_H
#define TL_TEST_UNIT_H

void register_guest_elf_tests(void);
void register_xlcfg_tests(void);
void register_domxml_tests(void);
void register_image_tests(void);
void register_kernel_cache_tests(void);
void register_console_tests(void);
void register_dominfo_tests(void);
void register_json_tests(void);
void register_pvbuild_tests(void);
void register_vdev_tests(void);
void register_nics_tests(void);

#endif
