/*
 * Hardware-assisted guests: choosing the backend and enabling it on every
 * CPU. The vCPU run loop and the exit handlers build on this (docs/hvm.md).
 */
#include <stdbool.h>
#include <stddef.h>
#include <asm/hvm.h>
#include <asm/percpu.h>
#include <tessera/log.h>

extern const struct hvm_ops svm_ops;

const struct hvm_ops *hvm_ops;

void hvm_detect(void)
{
    static const struct hvm_ops *const backends[] = { &svm_ops };

    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        if (backends[i]->detect()) {
            hvm_ops = backends[i];
            return;
        }
    }
    log_info("hvm: none (no HVM or PVH guests)\n");
}

void hvm_cpu_init(void)
{
    if (!hvm_ops)
        return;
    int rc = hvm_ops->cpu_enable();
    if (rc < 0) {
        /* A CPU that cannot run HVM guests while its siblings can is not a
         * machine to schedule them on: turn HVM off for all. */
        log_err("hvm: %s not enabled on CPU %u (error %d); no HVM guests\n", hvm_ops->name,
                this_cpu()->index, rc);
        hvm_ops = NULL;
    }
}
