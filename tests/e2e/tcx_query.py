#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the ids of the tcx programs on a device: "ingress: ID... egress: ID...".

Usage (inside the device's namespace): tcx_query.py IFNAME

Debian 12's bpftool (7.1) predates tcx: its "net show" lists only XDP and
cls_bpf, so this asks the kernel directly with BPF_PROG_QUERY.
"""
import ctypes
import os
import socket
import struct
import sys

BPF_PROG_QUERY = 16
BPF_TCX_INGRESS = 46
BPF_TCX_EGRESS = 47
NR_BPF = {"x86_64": 321, "aarch64": 280}


def query(libc, nr, ifindex, attach_type):
    ids = (ctypes.c_uint32 * 64)()
    # union bpf_attr.query: target_ifindex, attach_type, query_flags,
    # attach_flags, prog_ids, prog_cnt, pad, prog_attach_flags, link_ids,
    # link_attach_flags, revision
    attr = ctypes.create_string_buffer(
        struct.pack("=IIIIQII QQQQ", ifindex, attach_type, 0, 0, ctypes.addressof(ids),
                    64, 0, 0, 0, 0, 0), 128)
    if libc.syscall(nr, BPF_PROG_QUERY, attr, 128) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"BPF_PROG_QUERY: {os.strerror(err)}")
    cnt = struct.unpack_from("=I", attr.raw, 24)[0]
    return list(ids[:min(cnt, 64)])


def main():
    nr = NR_BPF.get(os.uname().machine)
    if nr is None:
        sys.exit(f"tcx_query.py: unknown bpf syscall on {os.uname().machine}")
    libc = ctypes.CDLL(None, use_errno=True)
    ifindex = socket.if_nametoindex(sys.argv[1])
    out = []
    for name, at in (("ingress", BPF_TCX_INGRESS), ("egress", BPF_TCX_EGRESS)):
        out.append(f"{name}: " + " ".join(str(i) for i in query(libc, nr, ifindex, at)))
    print(" ".join(out))


main()
