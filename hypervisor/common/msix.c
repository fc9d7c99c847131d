/*
 * MSI-X of the control domain's PCI functions (tessera/msix.h): the
 * capability read from configuration space, one record per function with
 * entries mapped (its table mapping, which entries are mapped, the pages
 * dom0 may only read), and the entries' messages and mask bits.
 */
#include <stddef.h>
#include <tessera/arch.h>
#include <tessera/bitmap.h>
#include <tessera/errno.h>
#include <tessera/msix.h>
#include <tessera/spinlock.h>

#define PCI_VENDOR_ID         0x00
#define PCI_STATUS            0x06
#define PCI_STATUS_CAP_LIST   (1u << 4)
#define PCI_BAR0              0x10
#define PCI_CAP_PTR           0x34
#define PCI_CAP_ID_MSIX       0x11
#define PCI_BAR_IO            (1u << 0)
#define PCI_BAR_TYPE_64       (2u << 1)
#define PCI_BAR_TYPE_MASK     (3u << 1)

#define MSIX_CONTROL          2       /* offsets in the capability */
#define MSIX_TABLE            4
#define MSIX_PBA              8
#define MSIX_CTRL_SIZE        0x7FFu  /* table size - 1 */
#define MSIX_CTRL_ENABLE      (1u << 15)
#define MSIX_BIR              7u

#define MSIX_ENTRY_SIZE       16      /* a table entry: */
#define MSIX_ENTRY_ADDR_LO    0
#define MSIX_ENTRY_ADDR_HI    4
#define MSIX_ENTRY_DATA       8
#define MSIX_ENTRY_CTRL       12
#define MSIX_ENTRY_CTRL_MASK  1u

#define PAGE_SHIFT_4K 12

struct msix_dev {
    bool in_use;
    uint8_t bus, devfn;
    unsigned int cap_pos;
    unsigned int nr_entries;
    uint64_t table_pa;                       /* where the table was mapped */
    volatile uint8_t *table;                 /* the hypervisor's mapping of it */
    bool have_pages;                         /* the four frame numbers below are known */
    uint64_t table_first, table_last;        /* the table's frames, read-only to dom0 */
    uint64_t pba_first, pba_last;            /* the PBA's, likewise */
    bool announced;                          /* dom0 told us of the function (pci_device_add) */
    unsigned int live;                       /* entries mapped */
    DECLARE_BITMAP(mapped, MSIX_MAX_ENTRIES);
};

/* All [L], the lock below. A record keeps its table mapping when its last entry goes. */
static struct {
    spinlock_t lock;
    struct msix_dev dev[MSIX_MAX_DEVICES];
} msix = { .lock = SPINLOCK_INIT };

void msix_init(void)
{
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    for (unsigned int i = 0; i < MSIX_MAX_DEVICES; i++)
        msix.dev[i] = (struct msix_dev){ 0 };
    spin_unlock_irqrestore(&msix.lock, flags);
}

unsigned int pci_capability_offset(unsigned int bus, unsigned int devfn, unsigned int id)
{
    if (arch_pci_conf_read(bus, devfn, PCI_VENDOR_ID, 2) == 0xFFFF)
        return 0;
    if (!(arch_pci_conf_read(bus, devfn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
        return 0;
    unsigned int pos = arch_pci_conf_read(bus, devfn, PCI_CAP_PTR, 1) & 0xFC;
    /* A list that loops is cut short: 48 capabilities fill the 192 bytes. */
    for (unsigned int n = 0; n < 48 && pos >= 0x40; n++) {
        if (arch_pci_conf_read(bus, devfn, pos, 1) == id)
            return pos;
        pos = arch_pci_conf_read(bus, devfn, pos + 1, 1) & 0xFC;
    }
    return 0;
}

int msix_cap_read(unsigned int bus, unsigned int devfn, struct msix_cap *cap)
{
    if (bus > 0xFF || devfn > 0xFF)
        return -ENODEV;
    unsigned int pos = pci_capability_offset(bus, devfn, PCI_CAP_ID_MSIX);
    if (!pos)
        return -ENODEV;
    uint32_t control = arch_pci_conf_read(bus, devfn, pos + MSIX_CONTROL, 2);
    uint32_t table = arch_pci_conf_read(bus, devfn, pos + MSIX_TABLE, 4);
    uint32_t pba = arch_pci_conf_read(bus, devfn, pos + MSIX_PBA, 4);
    *cap = (struct msix_cap){
        .pos = pos,
        .nr_entries = (control & MSIX_CTRL_SIZE) + 1,
        .table_bir = table & MSIX_BIR, .table_offset = table & ~MSIX_BIR,
        .pba_bir = pba & MSIX_BIR, .pba_offset = pba & ~MSIX_BIR,
    };
    return 0;
}

uint64_t msix_bar_address(unsigned int bus, unsigned int devfn, unsigned int bir)
{
    if (bir > 5)
        return 0;
    unsigned int reg = PCI_BAR0 + 4 * bir;
    uint32_t lo = arch_pci_conf_read(bus, devfn, reg, 4);
    if (lo & PCI_BAR_IO)
        return 0;
    uint64_t address = lo & ~0xFu;
    if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64) {
        if (bir == 5)
            return 0;       /* its upper half would be past the last BAR */
        address |= (uint64_t)arch_pci_conf_read(bus, devfn, reg + 4, 4) << 32;
    }
    return address;
}

/* The record of bus:devfn, or NULL. [L] */
static struct msix_dev *find_dev(unsigned int bus, unsigned int devfn)
{
    for (unsigned int i = 0; i < MSIX_MAX_DEVICES; i++) {
        struct msix_dev *m = &msix.dev[i];
        if (m->in_use && m->bus == bus && m->devfn == devfn)
            return m;
    }
    return NULL;
}

/*
 * A record for bus:devfn: its own, else a free one, else one with nothing
 * live (whose table mapping is then given up: the arch keeps mappings for
 * good, so a machine with more than MSIX_MAX_DEVICES MSI-X functions in
 * turn uses up mapping space slowly). [L]
 */
static struct msix_dev *claim_dev(unsigned int bus, unsigned int devfn)
{
    struct msix_dev *m = find_dev(bus, devfn), *idle = NULL;
    if (m)
        return m;
    for (unsigned int i = 0; i < MSIX_MAX_DEVICES; i++) {
        if (!msix.dev[i].in_use) {
            m = &msix.dev[i];
            break;
        }
        if (!idle && msix.dev[i].live == 0 && !msix.dev[i].announced)
            idle = &msix.dev[i];
    }
    m = m ? m : idle;
    if (!m)
        return NULL;
    *m = (struct msix_dev){ .in_use = true, .bus = (uint8_t)bus, .devfn = (uint8_t)devfn };
    return m;
}

static volatile uint32_t *entry_reg(const struct msix_dev *m, unsigned int entry, unsigned int reg)
{
    return (volatile uint32_t *)(m->table + (size_t)entry * MSIX_ENTRY_SIZE + reg);
}

static void set_control_enable(const struct msix_dev *m, bool enable)
{
    uint32_t control = arch_pci_conf_read(m->bus, m->devfn, m->cap_pos + MSIX_CONTROL, 2);
    uint32_t want = enable ? control | MSIX_CTRL_ENABLE : control & ~MSIX_CTRL_ENABLE;
    if (want != control)
        arch_pci_conf_write(m->bus, m->devfn, m->cap_pos + MSIX_CONTROL, 2, want);
}

/*
 * The frames of the table and PBA where the BARs now put them: none while
 * the table's BAR is unassigned; a PBA in an unassigned BAR protects
 * nothing more than the table. [L]
 */
static void take_pages(struct msix_dev *m, const struct msix_cap *cap)
{
    uint64_t table_bar = msix_bar_address(m->bus, m->devfn, cap->table_bir);
    uint64_t pba_bar = msix_bar_address(m->bus, m->devfn, cap->pba_bir);
    m->have_pages = table_bar != 0;
    if (!m->have_pages)
        return;
    uint64_t table_pa = table_bar + cap->table_offset;
    uint64_t table_len = (uint64_t)cap->nr_entries * MSIX_ENTRY_SIZE;
    uint64_t pba_pa = pba_bar ? pba_bar + cap->pba_offset : table_pa;
    uint64_t pba_len = pba_bar ? ((uint64_t)cap->nr_entries + 63) / 64 * 8 : table_len;
    m->table_first = table_pa >> PAGE_SHIFT_4K;
    m->table_last = (table_pa + table_len - 1) >> PAGE_SHIFT_4K;
    m->pba_first = pba_pa >> PAGE_SHIFT_4K;
    m->pba_last = (pba_pa + pba_len - 1) >> PAGE_SHIFT_4K;
}

/*
 * Takes the capability's layout into the record when nothing is live:
 * dom0 may have moved the BAR since the last time. Maps the table unless
 * the mapping made before still covers it. [L]
 */
static int take_layout(struct msix_dev *m, const struct msix_cap *cap, uint64_t table_bar)
{
    uint64_t table_pa = table_bar + cap->table_offset;
    uint64_t table_len = (uint64_t)cap->nr_entries * MSIX_ENTRY_SIZE;

    if (!m->table || m->table_pa != table_pa || m->nr_entries < cap->nr_entries) {
        volatile void *va = arch_msix_table_map(table_pa, (size_t)table_len);
        if (!va)
            return -ENOMEM;
        m->table = va;
        m->table_pa = table_pa;
    }
    m->cap_pos = cap->pos;
    m->nr_entries = cap->nr_entries;
    take_pages(m, cap);
    return 0;
}

void msix_device_announce(unsigned int bus, unsigned int devfn)
{
    struct msix_cap cap;
    if (msix_cap_read(bus, devfn, &cap))
        return;
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    struct msix_dev *m = claim_dev(bus, devfn);
    if (m) {
        m->announced = true;
        if (m->live == 0)
            take_pages(m, &cap);
    }
    spin_unlock_irqrestore(&msix.lock, flags);
}

void msix_device_withdraw(unsigned int bus, unsigned int devfn)
{
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    struct msix_dev *m = find_dev(bus, devfn);
    if (m)
        m->announced = false;
    spin_unlock_irqrestore(&msix.lock, flags);
}

int msix_entry_enable(unsigned int bus, unsigned int devfn, unsigned int entry,
                      uint64_t table_base, unsigned int *vector)
{
    struct msix_cap cap;
    int rc = msix_cap_read(bus, devfn, &cap);
    if (rc)
        return rc;
    if (entry >= cap.nr_entries)
        return -EINVAL;
    uint64_t bar = msix_bar_address(bus, devfn, cap.table_bir);
    if (!bar)
        return -ENXIO;
    if (table_base != bar)
        return -EINVAL;

    unsigned long flags = spin_lock_irqsave(&msix.lock);
    struct msix_dev *m = claim_dev(bus, devfn);
    if (!m) {
        rc = -ENOSPC;
        goto out;
    }
    if (m->live && bitmap_test(m->mapped, entry)) {
        rc = -EEXIST;
        goto out;
    }
    if (m->live == 0) {
        rc = take_layout(m, &cap, bar);
        if (rc)
            goto out;
    } else if (m->table_pa != bar + cap.table_offset || m->nr_entries != cap.nr_entries) {
        rc = -EBUSY;        /* the table moved under live entries: not ours to follow */
        goto out;
    }
    rc = arch_msi_vector_alloc(vector);
    if (rc)
        goto out;

    uint64_t address;
    uint32_t data;
    arch_msi_message(*vector, &address, &data);
    /* Masked before the message changes, and until the PIRQ is bound. */
    *entry_reg(m, entry, MSIX_ENTRY_CTRL) = MSIX_ENTRY_CTRL_MASK;
    *entry_reg(m, entry, MSIX_ENTRY_ADDR_LO) = (uint32_t)address;
    *entry_reg(m, entry, MSIX_ENTRY_ADDR_HI) = (uint32_t)(address >> 32);
    *entry_reg(m, entry, MSIX_ENTRY_DATA) = data;
    bitmap_set(m->mapped, entry);
    m->live++;
    set_control_enable(m, true);
out:
    spin_unlock_irqrestore(&msix.lock, flags);
    return rc;
}

void msix_entry_mask(unsigned int bus, unsigned int devfn, unsigned int entry, bool masked)
{
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    struct msix_dev *m = find_dev(bus, devfn);
    if (m && entry < m->nr_entries && bitmap_test(m->mapped, entry))
        *entry_reg(m, entry, MSIX_ENTRY_CTRL) = masked ? MSIX_ENTRY_CTRL_MASK : 0;
    spin_unlock_irqrestore(&msix.lock, flags);
}

void msix_entry_disable(unsigned int bus, unsigned int devfn, unsigned int entry,
                        unsigned int vector)
{
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    struct msix_dev *m = find_dev(bus, devfn);
    if (m && entry < m->nr_entries && bitmap_test(m->mapped, entry)) {
        *entry_reg(m, entry, MSIX_ENTRY_CTRL) = MSIX_ENTRY_CTRL_MASK;
        bitmap_clear(m->mapped, entry);
        if (--m->live == 0)
            set_control_enable(m, false);
    }
    spin_unlock_irqrestore(&msix.lock, flags);
    arch_msi_vector_free(vector);
}

unsigned int msix_entries_mapped(unsigned int bus, unsigned int devfn)
{
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    const struct msix_dev *m = find_dev(bus, devfn);
    unsigned int n = m ? m->live : 0;
    spin_unlock_irqrestore(&msix.lock, flags);
    return n;
}

bool msix_frame_read_only(uint64_t mfn)
{
    bool ro = false;
    unsigned long flags = spin_lock_irqsave(&msix.lock);
    for (unsigned int i = 0; i < MSIX_MAX_DEVICES && !ro; i++) {
        const struct msix_dev *m = &msix.dev[i];
        ro = m->in_use && (m->live || m->announced) && m->have_pages &&
             ((mfn >= m->table_first && mfn <= m->table_last) ||
              (mfn >= m->pba_first && mfn <= m->pba_last));
    }
    spin_unlock_irqrestore(&msix.lock, flags);
    return ro;
}
