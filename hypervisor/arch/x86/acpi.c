/*
 * Reading the firmware's ACPI tables: which CPUs and I/O APICs exist and
 * how ISA IRQs reach the latter (MADT), and how to
 * power off and reset (FADT, and the \_S5 package in the DSDT). Every
 * table is length- and checksum-checked before a field is read.
 */
#include <stdbool.h>
#include <stdint.h>
#include <asm/acpi.h>
#include <asm/paging.h>
#include <tessera/errno.h>
#include <tessera/log.h>
#include <tessera/string.h>

struct acpi_info acpi;

struct __attribute__((packed)) rsdp {
    char signature[8];
    uint8_t checksum;
    char oem_id[6];
    uint8_t revision;
    uint32_t rsdt;
    uint32_t length;       /* revision >= 2 from here on */
    uint64_t xsdt;
    uint8_t ext_checksum;
    uint8_t reserved[3];
};

struct __attribute__((packed)) sdt_header {
    char signature[4];
    uint32_t length;
    uint8_t revision;
    uint8_t checksum;
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
};

/* Tables larger than this are refused as corrupt. */
#define ACPI_TABLE_MAX (16u << 20)
/* Firmware tables live below this; the direct map always covers it. */
#define ACPI_PHYS_LIMIT (1ull << 40)

static bool checksum_ok(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum += b[i];
    return sum == 0;
}


static bool rsdp_valid(const struct rsdp *r);

static const struct rsdp *rsdp_scan(uint64_t start, uint64_t end)
{
    for (uint64_t pa = start; pa + sizeof(struct rsdp) <= end; pa += 16) {
        const struct rsdp *r = phys_to_virt(pa);
        if (rsdp_valid(r)) {
            acpi.rsdp_pa = pa;
            return r;
        }
    }
    return NULL;
}

static bool rsdp_valid(const struct rsdp *r)
{
    if (memcmp(r->signature, "RSD PTR ", 8) != 0 || !checksum_ok(r, 20))
        return false;
    return r->revision < 2 || (r->length >= sizeof(*r) && r->length <= 4096 &&
                               checksum_ok(r, sizeof(*r)));
}

static struct rsdp rsdp_copy;

static const struct rsdp *rsdp_find(const void *from_loader)
{
    if (from_loader) {
        /* The loader's copy; its revision says how much of it there is. */
        memcpy(&rsdp_copy, from_loader, 20);
        if (rsdp_copy.revision >= 2)
            memcpy(&rsdp_copy, from_loader, sizeof(rsdp_copy));
        return rsdp_valid(&rsdp_copy) ? &rsdp_copy : NULL;
    }
    /* The first KiB of the EBDA, then the BIOS ROM area. */
    uint64_t ebda = (uint64_t)*(const uint16_t *)phys_to_virt(0x40E) << 4;
    const struct rsdp *r = NULL;
    if (ebda >= 0x80000 && ebda < 0xA0000)
        r = rsdp_scan(ebda, ebda + 1024);
    return r ? r : rsdp_scan(0xE0000, 0x100000);
}

static const struct sdt_header *table_at(uint64_t pa, const char *sig)
{
    if (pa == 0 || pa >= ACPI_PHYS_LIMIT)
        return NULL;
    const struct sdt_header *h = phys_to_virt(pa);
    if (h->length < sizeof(*h) || h->length > ACPI_TABLE_MAX)
        return NULL;
    if (sig && memcmp(h->signature, sig, 4) != 0)
        return NULL;
    if (!checksum_ok(h, h->length)) {
        log_warn("acpi: table %.4s at %#lx has a bad checksum; ignored\n",
                 h->signature, (unsigned long)pa);
        return NULL;
    }
    return h;
}

/* Walk the RSDT or XSDT for the table with this signature. */
static const struct sdt_header *find_table(const struct rsdp *r, const char *sig)
{
    bool x = r->revision >= 2 && r->xsdt;
    const struct sdt_header *root = x ? table_at(r->xsdt, "XSDT") : table_at(r->rsdt, "RSDT");
    if (!root)
        return NULL;
    unsigned width = x ? 8 : 4;
    unsigned n = (root->length - sizeof(*root)) / width;
    const uint8_t *entries = (const uint8_t *)(root + 1);

    for (unsigned i = 0; i < n; i++) {
        uint64_t pa = 0;
        memcpy(&pa, entries + i * width, width);
        const struct sdt_header *t = table_at(pa, NULL);
        if (t && memcmp(t->signature, sig, 4) == 0)
            return t;
    }
    return NULL;
}

static void add_cpu(uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    /* Bit 0: enabled; bit 1: can be brought online later (not at boot). */
    if (!(flags & 1) || acpi.nr_cpus >= ACPI_MAX_CPUS) {
        acpi.cpus_ignored++;
        return;
    }
    for (unsigned i = 0; i < acpi.nr_cpus; i++)
        if (acpi.cpus[i].apic_id == apic_id)
            return;          /* listed twice (LAPIC and x2APIC entries) */
    acpi.cpus[acpi.nr_cpus++] = (struct acpi_cpu){ apic_id, uid };
}

static void parse_madt(const struct sdt_header *madt)
{
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt);
    const uint8_t *end = (const uint8_t *)madt + madt->length;
    uint32_t lapic32;

    if (p + 8 > end)
        return;
    memcpy(&lapic32, p, 4);
    acpi.lapic_pa = lapic32;
    p += 8;
    while (p + 2 <= end) {
        uint8_t type = p[0], len = p[1];
        if (len < 2 || p + len > end) {
            log_warn("acpi: MADT entry of length %u overruns the table; rest ignored\n", len);
            break;
        }
        if (type == 0 && len >= 8) {          /* processor local APIC */
            uint32_t flags;
            memcpy(&flags, p + 4, 4);
            add_cpu(p[3], p[2], flags);
        } else if (type == 9 && len >= 16) {  /* processor local x2APIC */
            uint32_t id, flags, uid;
            memcpy(&id, p + 4, 4);
            memcpy(&flags, p + 8, 4);
            memcpy(&uid, p + 12, 4);
            add_cpu(id, uid, flags);
        } else if (type == 1 && len >= 12) {  /* I/O APIC */
            if (acpi.nr_ioapics < ACPI_MAX_IOAPICS) {
                struct acpi_ioapic *io = &acpi.ioapics[acpi.nr_ioapics++];
                io->id = p[2];
                memcpy(&io->address, p + 4, 4);
                memcpy(&io->gsi_base, p + 8, 4);
            } else {
                log_warn("acpi: more than %u I/O APICs; the rest ignored\n", ACPI_MAX_IOAPICS);
            }
        } else if (type == 2 && len >= 10) {  /* interrupt source override */
            if (p[2] == 0 && acpi.nr_overrides < ACPI_MAX_OVERRIDES) {   /* bus 0: ISA */
                struct acpi_override *o = &acpi.overrides[acpi.nr_overrides++];
                o->isa_irq = p[3];
                memcpy(&o->gsi, p + 4, 4);
                memcpy(&o->flags, p + 8, 2);
            }
        } else if (type == 5 && len >= 12) {  /* local APIC address override */
            memcpy(&acpi.lapic_pa, p + 4, 8);
        }
        p += len;
    }
}

/* AML: a PkgLength's total size in bytes (1-4), from its lead byte. */
static unsigned pkg_length_bytes(uint8_t lead)
{
    return 1 + (lead >> 6);
}

/* AML: an integer constant (ZeroOp, OneOp, BytePrefix n); false if other. */
static bool aml_byte_const(const uint8_t **pp, const uint8_t *end, uint8_t *out)
{
    const uint8_t *p = *pp;
    if (p >= end)
        return false;
    if (*p == 0x00 || *p == 0x01) {
        *out = *p;
        *pp = p + 1;
        return true;
    }
    if (*p == 0x0A && p + 1 < end) {
        *out = p[1];
        *pp = p + 2;
        return true;
    }
    return false;
}

/* Find "Name(_S5_, Package(){a, b, ...})" in the DSDT's AML. */
static void parse_s5(const struct sdt_header *dsdt)
{
    const uint8_t *aml = (const uint8_t *)dsdt + sizeof(*dsdt);
    const uint8_t *end = (const uint8_t *)dsdt + dsdt->length;

    for (const uint8_t *p = aml; p + 4 < end; p++) {
        if (memcmp(p, "_S5_", 4) != 0)
            continue;
        const uint8_t *q = p + 4;
        if (q >= end || *q != 0x12)          /* PackageOp */
            continue;
        q++;
        if (q >= end)
            return;
        q += pkg_length_bytes(*q);
        q++;                                 /* NumElements */
        if (aml_byte_const(&q, end, &acpi.slp_typa) &&
            aml_byte_const(&q, end, &acpi.slp_typb))
            acpi.s5_valid = true;
        return;
    }
}

static void parse_fadt(const struct sdt_header *fadt)
{
    const uint8_t *f = (const uint8_t *)fadt;
    uint32_t len = fadt->length, v32;
    uint64_t dsdt_pa = 0;

    if (len >= 44) {
        memcpy(&v32, f + 40, 4);
        dsdt_pa = v32;
    }
    if (len >= 53) {
        memcpy(&v32, f + 48, 4);
        acpi.smi_cmd = (uint16_t)v32;
        acpi.acpi_enable = f[52];
    }
    if (len >= 72) {
        memcpy(&v32, f + 64, 4);
        acpi.pm1a_cnt = (uint16_t)v32;
        memcpy(&v32, f + 68, 4);
        acpi.pm1b_cnt = (uint16_t)v32;
    }
    if (len >= 129) {
        uint32_t flags;
        memcpy(&flags, f + 112, 4);
        if (flags & (1u << 10)) {            /* RESET_REG_SUP */
            acpi.reset_valid = true;
            acpi.reset_space = f[116];
            memcpy(&acpi.reset_addr, f + 120, 8);
            acpi.reset_value = f[128];
        }
    }
    if (len >= 148) {
        uint64_t x;
        memcpy(&x, f + 140, 8);
        if (x)
            dsdt_pa = x;
    }
    const struct sdt_header *dsdt = table_at(dsdt_pa, "DSDT");
    if (dsdt)
        parse_s5(dsdt);
}

int acpi_init(const void *rsdp_from_loader)
{
    const struct rsdp *r = rsdp_find(rsdp_from_loader);
    if (!r)
        return -ENOENT;
    memcpy(acpi.oem_id, r->oem_id, 6);
    acpi.oem_id[6] = '\0';

    const struct sdt_header *madt = find_table(r, "APIC");
    if (madt)
        parse_madt(madt);
    else
        log_warn("acpi: no MADT; only the boot CPU will run\n");
    const struct sdt_header *fadt = find_table(r, "FACP");
    if (fadt)
        parse_fadt(fadt);
    log_info("acpi: RSDP %s %#lx (%s, revision %u), %u CPUs listed%s, power-off %s\n",
             rsdp_from_loader ? "from the loader, tables at" : "at",
             (unsigned long)(rsdp_from_loader ? (r->revision >= 2 && r->xsdt ? r->xsdt : r->rsdt)
                                              : acpi.rsdp_pa),
             acpi.oem_id, r->revision, acpi.nr_cpus,
             acpi.cpus_ignored ? " (some disabled)" : "",
             acpi.s5_valid ? "via ACPI S5" : "unavailable");
    return 0;
}
