#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare a capture with the expected frames, packet by packet.

Usage: pcap_cmp.py EXPECTED.pcap CAPTURED.pcap

Both are classic pcap files (tcpdump -w writes one). Prints "same N" when
the captured frames are the expected ones, byte for byte and in order
(Ethernet padding of short frames ignored); otherwise the first
difference, and exits 1.
"""
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def main():
    want, got = frames(sys.argv[1]), frames(sys.argv[2])
    if len(want) != len(got):
        print(f"count: expected {len(want)}, captured {len(got)}")
    for i, (w, g) in enumerate(zip(want, got)):
        if g[:len(w)] != w or any(g[len(w):]):
            k = next((j for j in range(min(len(w), len(g))) if w[j] != g[j]), min(len(w), len(g)))
            print(f"frame {i}: differs at byte {k} (expected {len(w)} bytes, got {len(g)})")
            print(" want", w.hex())
            print(" got ", g.hex())
            sys.exit(1)
    if len(want) != len(got):
        sys.exit(1)
    print(f"same {len(want)}")


main()
