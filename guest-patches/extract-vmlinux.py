#!/usr/bin/env python3
"""Writes the ELF kernel inside a Linux bzImage (what a PV builder loads).

    extract-vmlinux.py BZIMAGE OUT_ELF

The x86 boot header says where the compressed payload is (setup sectors,
payload offset and length at 0x248); it is decompressed by its magic: xz
and gzip with Python's own modules, zstd and lz4 with the tools of the
same name. Exits non-zero with a message if the image is not a bzImage,
the format is unknown, or the result is not an ELF64 file.
"""
import gzip
import lzma
import shutil
import struct
import subprocess
import sys


def payload_of(image):
    if len(image) < 0x250 or image[0x202:0x206] != b"HdrS":
        sys.exit("not a bzImage (no HdrS boot header)")
    setup_sectors = image[0x1F1] or 4
    offset, length = struct.unpack_from("<II", image, 0x248)
    start = (setup_sectors + 1) * 512 + offset
    if length == 0 or start + length > len(image):
        sys.exit("the boot header's payload lies outside the file")
    return image[start:start + length]


def with_tool(tool, data):
    if not shutil.which(tool):
        sys.exit("the payload needs '%s' (Debian package %s)" % (tool, tool))
    done = subprocess.run([tool, "-dc"], input=data, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if not done.stdout:
        sys.exit("%s failed: %s" % (tool, done.stderr.decode().strip()))
    return done.stdout


def decompress(payload):
    if payload.startswith(b"\xfd7zXZ\x00"):
        # The kernel's xz stream may be followed by padding: read one stream.
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(payload)
    if payload.startswith(b"\x1f\x8b"):
        return gzip.decompress(payload)
    if payload.startswith(b"\x28\xb5\x2f\xfd"):
        return with_tool("zstd", payload)
    if payload.startswith(b"\x02\x21\x4c\x18"):
        return with_tool("lz4", payload)
    sys.exit("unknown payload compression (first bytes %s)" % payload[:6].hex())


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: extract-vmlinux.py BZIMAGE OUT_ELF")
    with open(sys.argv[1], "rb") as f:
        kernel = decompress(payload_of(f.read()))
    if kernel[:5] != b"\x7fELF\x02":
        sys.exit("the payload is not an ELF64 kernel")
    with open(sys.argv[2], "wb") as f:
        f.write(kernel)
    print("%s: %d bytes of ELF64 kernel" % (sys.argv[2], len(kernel)))


if __name__ == "__main__":
    main()
