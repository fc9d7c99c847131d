/*
 * xmalloc: size-class slabs for small objects, page runs for big ones.
 *
 * Every allocation is found again from its pointer alone: its header sits
 * at the start of the page holding the byte just before it. A slab page
 * starts with struct slab and its objects begin at offset >= 64; a page
 * run keeps struct big_hdr in the page just before the returned pointer
 * (the run's first page unless the alignment asked for is above a page).
 */
#include <stdbool.h>
#include <tessera/bitmap.h>
#include <tessera/compiler.h>
#include <tessera/heap.h>
#include <tessera/panic.h>
#include <tessera/spinlock.h>
#include <tessera/string.h>

#define SLAB_MAGIC     0x534c4142u   /* "SLAB" */
#define BIG_MAGIC      0x42494721u   /* "BIG!" */
#define BIG_FREED      0x46524545u   /* "FREE" */
#define HDR_SIZE       64u
#define NO_OBJ         0xffffu
#define MAX_OBJS       ((HEAP_PAGE_SIZE - HDR_SIZE) / 16)

struct slab {
    uint32_t magic;
    uint16_t cls;
    uint16_t nr_free;
    uint16_t free_head;             /* index of the first free object */
    uint16_t nr_objs;
    uint16_t first;                 /* byte offset of object 0 */
    uint16_t on_list;               /* linked in its class's partial list */
    struct slab *next, *prev;       /* the class's slabs with free objects */
    unsigned long used[BITS_TO_LONGS(256)];   /* allocated objects */
};

struct big_hdr {
    uint32_t magic;
    uint32_t order;
    void *user;                     /* the pointer handed out */
    void *run;                      /* first page of the run */
    size_t bytes;                   /* whole run, for the statistics */
};

_Static_assert(sizeof(struct slab) <= HDR_SIZE, "slab header must fit before the objects");
_Static_assert(sizeof(struct big_hdr) <= HDR_SIZE, "big header must fit in 64 bytes");
_Static_assert(MAX_OBJS <= 256, "the used bitmap holds 256 objects");

static spinlock_t heap_lock = SPINLOCK_INIT;
static struct heap_page_source source;          /* [heap_lock] */
static bool ready;                              /* [heap_lock] */
static struct slab *partial[HEAP_NR_CLASSES];   /* [heap_lock] */
static struct heap_stats stats;                 /* [heap_lock] */
static heap_error_fn error_fn;                  /* [heap_lock] */

static size_t class_size(unsigned cls)
{
    return (size_t)16 << cls;
}

static unsigned class_of(size_t size)
{
    unsigned cls = 0;

    while (class_size(cls) < size)
        cls++;
    return cls;
}

static void *take_pages(unsigned order)
{
    void *p = source.alloc_pages(source.ctx, order);

    if (p) {
        stats.pages_in_use += 1u << order;
        if (stats.pages_in_use > stats.peak_pages)
            stats.peak_pages = stats.pages_in_use;
    }
    return p;
}

static void give_pages(void *p, unsigned order)
{
    source.free_pages(source.ctx, p, order);
    stats.pages_in_use -= 1u << order;
}

static void list_add(unsigned cls, struct slab *s)
{
    s->prev = NULL;
    s->next = partial[cls];
    if (s->next)
        s->next->prev = s;
    partial[cls] = s;
    s->on_list = 1;
}

static void list_del(unsigned cls, struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
    s->next = s->prev = NULL;
    s->on_list = 0;
}

static uint16_t *obj_link(struct slab *s, unsigned i)
{
    return (uint16_t *)((char *)s + s->first + (size_t)i * class_size(s->cls));
}

static struct slab *new_slab(unsigned cls)
{
    struct slab *s = take_pages(0);
    size_t size = class_size(cls);

    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    s->magic = SLAB_MAGIC;
    s->cls = (uint16_t)cls;
    s->first = (uint16_t)(size > HDR_SIZE ? size : HDR_SIZE);
    s->nr_objs = (uint16_t)((HEAP_PAGE_SIZE - s->first) / size);
    s->nr_free = s->nr_objs;
    for (unsigned i = 0; i < s->nr_objs; i++)
        *obj_link(s, i) = (uint16_t)(i + 1 < s->nr_objs ? i + 1 : NO_OBJ);
    s->free_head = 0;
    stats.slabs[cls]++;
    list_add(cls, s);
    return s;
}

static void *small_alloc(unsigned cls)
{
    struct slab *s = partial[cls];

    if (!s && !(s = new_slab(cls)))
        return NULL;
    unsigned i = s->free_head;
    s->free_head = *obj_link(s, i);
    s->nr_free--;
    bitmap_set(s->used, i);
    if (s->nr_free == 0)
        list_del(cls, s);
    stats.small_in_use++;
    stats.bytes_in_use += class_size(cls);
    return obj_link(s, i);
}

static unsigned order_for_pages(uint64_t pages)
{
    unsigned order = 0;

    while ((1ull << order) < pages)
        order++;
    return order;
}

static void *big_alloc(size_t size, size_t align)
{
    /* The pointer's offset in the run: past the header, at the alignment. */
    size_t offset = align > HDR_SIZE ? align : HDR_SIZE;
    uint64_t pages = ((uint64_t)offset + size + HEAP_PAGE_SIZE - 1) / HEAP_PAGE_SIZE;
    unsigned order = order_for_pages(pages);

    if (order > HEAP_MAX_ORDER)
        return NULL;
    char *run = take_pages(order);
    if (!run)
        return NULL;
    char *user = run + offset;
    struct big_hdr *h = (struct big_hdr *)ALIGN_DOWN((uintptr_t)(user - 1), (uintptr_t)HEAP_PAGE_SIZE);
    h->magic = BIG_MAGIC;
    h->order = order;
    h->user = user;
    h->run = run;
    h->bytes = (size_t)HEAP_PAGE_SIZE << order;
    stats.big_in_use++;
    stats.bytes_in_use += h->bytes;
    return user;
}

static void *alloc_locked(size_t size, size_t align)
{
    if (!ready || size > ((size_t)HEAP_PAGE_SIZE << HEAP_MAX_ORDER))
        return NULL;
    if (size == 0)
        size = 1;
    /* Slab objects are aligned to their class size, so a big enough class aligns. */
    if (size <= HEAP_MAX_SMALL && align <= HEAP_MAX_SMALL)
        return small_alloc(class_of(size > align ? size : align));
    return big_alloc(size, align);
}

void *xmalloc_aligned(size_t size, size_t align)
{
    bool align_ok = IS_POWER_OF_2(align) &&
                    align <= ((size_t)HEAP_PAGE_SIZE << (HEAP_MAX_ORDER - 1));
    void *p;

    spin_lock(&heap_lock);
    p = align_ok ? alloc_locked(size, align) : NULL;
    if (p)
        stats.allocs++;
    else
        stats.failed_allocs++;
    spin_unlock(&heap_lock);
    return p;
}

void *xmalloc(size_t size)
{
    return xmalloc_aligned(size, 16);
}

void *xzalloc(size_t size)
{
    void *p = xmalloc(size);

    if (p)
        memset(p, 0, size);
    return p;
}

void *xmalloc_array(size_t n, size_t size)
{
    size_t bytes;

    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    return xmalloc(bytes);
}

void *xzalloc_array(size_t n, size_t size)
{
    size_t bytes;

    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    return xzalloc(bytes);
}

/* Returns the problem with freeing ptr, or NULL after freeing it. */
static const char *free_locked(void *ptr)
{
    uintptr_t addr = (uintptr_t)ptr;

    if (!ready || !IS_ALIGNED(addr, 16))
        return "not a heap pointer";
    void *page = (void *)ALIGN_DOWN(addr - 1, (uintptr_t)HEAP_PAGE_SIZE);
    uint32_t magic = *(uint32_t *)page;

    if (magic == SLAB_MAGIC) {
        struct slab *s = page;
        size_t size = class_size(s->cls);
        size_t off = addr - (uintptr_t)s;
        if (s->cls >= HEAP_NR_CLASSES || off < s->first || (off - s->first) % size)
            return "not the start of a heap object";
        unsigned i = (unsigned)((off - s->first) / size);
        if (i >= s->nr_objs)
            return "not the start of a heap object";
        if (!bitmap_test_and_clear(s->used, i))
            return "double free";
        *obj_link(s, i) = s->free_head;
        s->free_head = (uint16_t)i;
        s->nr_free++;
        stats.small_in_use--;
        stats.bytes_in_use -= size;
        if (!s->on_list) {
            list_add(s->cls, s);
        } else if (s->nr_free == s->nr_objs && (s->prev || s->next)) {
            /* Empty, and the class has other room: give the page back. */
            list_del(s->cls, s);
            s->magic = 0;
            stats.slabs[s->cls]--;
            give_pages(s, 0);
        }
        return NULL;
    }
    if (magic == BIG_MAGIC) {
        struct big_hdr *h = page;
        if (h->user != ptr)
            return "not the start of a heap object";
        h->magic = BIG_FREED;
        stats.big_in_use--;
        stats.bytes_in_use -= h->bytes;
        give_pages(h->run, h->order);
        return NULL;
    }
    if (magic == BIG_FREED)
        return "double free";
    return "not a heap pointer";
}

void xfree(void *ptr)
{
    const char *problem;
    heap_error_fn report;

    if (!ptr)
        return;
    spin_lock(&heap_lock);
    problem = free_locked(ptr);
    if (problem)
        stats.bad_frees++;
    else
        stats.frees++;
    report = error_fn;
    spin_unlock(&heap_lock);
    if (problem) {
        if (report)
            report(problem, ptr);
        else
            panic("xfree(%p): %s", ptr, problem);
    }
}

void heap_init(const struct heap_page_source *src)
{
    spin_lock(&heap_lock);
    source = *src;
    memset(partial, 0, sizeof(partial));
    memset(&stats, 0, sizeof(stats));
    ready = true;
    spin_unlock(&heap_lock);
}

void heap_get_stats(struct heap_stats *out)
{
    spin_lock(&heap_lock);
    *out = stats;
    spin_unlock(&heap_lock);
}

void heap_set_error_handler(heap_error_fn fn)
{
    spin_lock(&heap_lock);
    error_fn = fn;
    spin_unlock(&heap_lock);
}
