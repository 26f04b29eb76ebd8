#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fill a device's tcx ingress or egress hook with do-nothing programs.

Usage (inside the device's namespace): tcx_fill.py IFNAME ingress|egress

Loads two-instruction sched_cls programs (r0 = TC_ACT_UNSPEC; exit) and
attaches each through a tcx bpf_link (BPF_LINK_CREATE, BPF_TCX_INGRESS or
BPF_TCX_EGRESS), as a hostile neighbour would, until the kernel refuses
with ERANGE: a tcx hook holds a bounded number of programs (BPF_MPROG_MAX),
so any further tcx attach, xhop's included, fails the same way. Prints
"ready N ID..." (how many it attached, their program ids), then holds the
links until stdin closes or SIGTERM; the links go with this process.
Debian 12's bpftool (7.1) cannot attach tcx, hence raw bpf(2) here.
"""
import ctypes
import errno
import os
import signal
import socket
import struct
import sys

BPF_PROG_LOAD = 5
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_LINK_CREATE = 28
BPF_PROG_TYPE_SCHED_CLS = 3
BPF_TCX_INGRESS = 46
BPF_TCX_EGRESS = 47
NR_BPF = {"x86_64": 321, "aarch64": 280}


def bpf(libc, nr, cmd, attr):
    buf = ctypes.create_string_buffer(attr, 144)
    ret = libc.syscall(nr, cmd, buf, 144)
    if ret < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"bpf cmd {cmd}: {os.strerror(err)}")
    return ret, buf


def main():
    nr = NR_BPF.get(os.uname().machine)
    if nr is None:
        sys.exit(f"tcx_fill.py: unknown bpf syscall on {os.uname().machine}")
    libc = ctypes.CDLL(None, use_errno=True)
    ifindex = socket.if_nametoindex(sys.argv[1])
    hook = {"ingress": BPF_TCX_INGRESS, "egress": BPF_TCX_EGRESS}[sys.argv[2]]
    # r0 = -1 (TC_ACT_UNSPEC: next program, then the stack); exit
    insns = struct.pack("=BBhi", 0xB7, 0, 0, -1) + struct.pack("=BBhi", 0x95, 0, 0, 0)
    ibuf = ctypes.create_string_buffer(insns, len(insns))
    lic = ctypes.create_string_buffer(b"GPL")
    fds, ids = [], []
    for i in range(1000):
        # prog_type, insn_cnt, insns, license, log_level, log_size, log_buf,
        # kern_version, prog_flags, prog_name
        attr = struct.pack("=IIQQIIQII16s", BPF_PROG_TYPE_SCHED_CLS, 2, ctypes.addressof(ibuf),
                           ctypes.addressof(lic), 0, 0, 0, 0, 0, b"tcx_fill%d" % i)
        pfd, _ = bpf(libc, nr, BPF_PROG_LOAD, attr)
        info = ctypes.create_string_buffer(256)
        bpf(libc, nr, BPF_OBJ_GET_INFO_BY_FD,
            struct.pack("=IIQ", pfd, 256, ctypes.addressof(info)))
        ids.append(struct.unpack_from("=I", info.raw, 4)[0])  # bpf_prog_info.id
        # link_create: prog_fd, target_ifindex, attach_type, flags (0: append)
        try:
            lfd, _ = bpf(libc, nr, BPF_LINK_CREATE,
                         struct.pack("=IIII", pfd, ifindex, hook, 0))
        except OSError as e:
            if e.errno != errno.ERANGE:
                raise
            os.close(pfd)
            ids.pop()
            break
        os.close(pfd)  # the link holds the program
        fds.append(lfd)
    print("ready", len(fds), *ids, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sys.stdin.read()  # hold the links until stdin closes


main()
