/*
 * libFuzzer target: any bytes a guest leaves at its RIP, decoded as a
 * page-table write. The decoder must never read past its fetch buffer
 * (ASan: the buffer is exactly PT_INSN_BUF_LEN bytes on the heap) and
 * never report an instruction longer than PT_INSN_MAX_LEN.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <asm/pt_insn.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *buf = calloc(1, PT_INSN_BUF_LEN);
    struct pt_insn in;

    if (!buf)
        abort();
    memcpy(buf, data, size < PT_INSN_BUF_LEN ? size : PT_INSN_BUF_LEN);
    if (pt_insn_decode(buf, &in) && (in.len > PT_INSN_MAX_LEN || in.len == 0))
        abort();
    free(buf);
    return 0;
}
