/*
 * hvm_spin: a PVH vCPU that computes for a while with a pattern in all
 * sixteen XMM registers, checking them after every step: run beside PV
 * domains on one CPU (boot/hvm-shared-cpu), the scheduler must take it
 * off the CPU and put it back (its slice ends, a PV vCPU's timer wakes
 * it), with its SSE state saved and restored around the PV vCPUs' own.
 * The steps whose time stands far above the quickest are where it was
 * off its CPU; it reports how many.
 */
#include "hvm_guest.h"

#define STEPS 40
#define STEP_WORK 2000000ul

static inline uint64_t rdtsc64(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static void sse_on(void)
{
    unsigned long cr0, cr4;
    __asm__ volatile("mov %%cr0, %0" : "=r"(cr0));
    __asm__ volatile("mov %0, %%cr0" :: "r"((cr0 & ~(1ul << 2)) | (1ul << 1)));   /* EM off, MP on */
    __asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
    __asm__ volatile("mov %0, %%cr4" :: "r"(cr4 | (1ul << 9) | (1ul << 10)));    /* OSFXSR, OSXMMEXCPT */
}

/* XMM n holds bytes n*16 .. n*16+15 of the pattern. */
static uint8_t pattern[256] __attribute__((aligned(16)));
static uint8_t seen[256] __attribute__((aligned(16)));

#define XMM_ALL(op, base) \
    __asm__ volatile(op " 0(%0), %%xmm0\n" op " 16(%0), %%xmm1\n" op " 32(%0), %%xmm2\n"     \
                     op " 48(%0), %%xmm3\n" op " 64(%0), %%xmm4\n" op " 80(%0), %%xmm5\n"    \
                     op " 96(%0), %%xmm6\n" op " 112(%0), %%xmm7\n" op " 128(%0), %%xmm8\n"  \
                     op " 144(%0), %%xmm9\n" op " 160(%0), %%xmm10\n" op " 176(%0), %%xmm11\n" \
                     op " 192(%0), %%xmm12\n" op " 208(%0), %%xmm13\n" op " 224(%0), %%xmm14\n" \
                     op " 240(%0), %%xmm15\n" :: "r"(base) : "memory")
#define XMM_STORE_ALL(base) \
    __asm__ volatile("movdqa %%xmm0, 0(%0)\n movdqa %%xmm1, 16(%0)\n movdqa %%xmm2, 32(%0)\n"     \
                     "movdqa %%xmm3, 48(%0)\n movdqa %%xmm4, 64(%0)\n movdqa %%xmm5, 80(%0)\n"    \
                     "movdqa %%xmm6, 96(%0)\n movdqa %%xmm7, 112(%0)\n movdqa %%xmm8, 128(%0)\n"  \
                     "movdqa %%xmm9, 144(%0)\n movdqa %%xmm10, 160(%0)\n movdqa %%xmm11, 176(%0)\n" \
                     "movdqa %%xmm12, 192(%0)\n movdqa %%xmm13, 208(%0)\n movdqa %%xmm14, 224(%0)\n" \
                     "movdqa %%xmm15, 240(%0)\n" :: "r"(base) : "memory")

void hvm_test_main(const struct hvm_start_info *si)
{
    (void)si;
    uint64_t took[STEPS], least = ~0ull, sum = 0;
    unsigned bad = 0;

    sse_on();
    for (unsigned i = 0; i < sizeof(pattern); i++)
        pattern[i] = (uint8_t)(i * 37 + 11);
    XMM_ALL("movdqa", pattern);
    for (unsigned s = 0; s < STEPS; s++) {
        uint64_t t0 = rdtsc64();
        for (volatile unsigned long k = 0; k < STEP_WORK; k++)
            sum += k ^ s;
        took[s] = rdtsc64() - t0;
        if (took[s] < least)
            least = took[s];
        XMM_STORE_ALL(seen);
        if (memcmp(seen, pattern, sizeof(pattern)))
            bad++;
    }
    unsigned off = 0;
    for (unsigned s = 0; s < STEPS; s++)
        if (took[s] > 3 * least)
            off++;
    printk("hvm_spin: %u steps, %u of them off its CPU for a while, XMM pattern changed "
           "after %u (sum %lu)\n", STEPS, off, bad, (unsigned long)sum);
    check(bad == 0, "XMM registers intact after every step");
}
