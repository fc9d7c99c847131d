/* PCI configuration space, mechanism 1 (arch/x86/pci.c). */
#ifndef ASM_PCI_H
#define ASM_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct domain;

/* One register of bus:devfn (size 1, 2 or 4 bytes, naturally aligned). */
uint32_t pci_conf_read(unsigned bus, unsigned devfn, unsigned reg, unsigned size);
void pci_conf_write(unsigned bus, unsigned devfn, unsigned reg, unsigned size, uint32_t value);

/* Whether [port, port + size) touches 0xCF8-0xCFF. */
bool pci_guest_port(unsigned port, unsigned size);
/* The control domain's in (the result) or out (value) there, kept apart from the hypervisor's. */
uint32_t pci_guest_io(struct domain *d, unsigned port, unsigned size, bool out, uint32_t value);

#endif
