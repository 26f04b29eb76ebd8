#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A point-to-point IP link made of two tun devices, for an interface
without an Ethernet header (like WireGuard, ipip, gre or ppp: generic XDP
sees the IP header first).

Usage: tun_relay.py TUN_HERE OTHER_NETNS_PATH TUN_THERE

Run inside the first namespace (ip netns exec): attaches to the persistent
tun TUN_HERE (ip tuntap add ... mode tun), enters the namespace at
OTHER_NETNS_PATH (/run/netns/NAME), attaches to TUN_THERE there, prints
"ready", and copies every packet from either device to the other until
killed. It lives in the second namespace from then on.
"""
import ctypes
import fcntl
import os
import select
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000
CLONE_NEWNET = 0x40000000


def tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def main():
    libc = ctypes.CDLL(None, use_errno=True)
    here = tun(sys.argv[1])
    ns = os.open(sys.argv[2], os.O_RDONLY)
    if libc.setns(ns, CLONE_NEWNET) != 0:
        sys.exit(f"tun_relay.py: setns {sys.argv[2]}: {os.strerror(ctypes.get_errno())}")
    there = tun(sys.argv[3])
    print("ready", flush=True)
    peer = {here: there, there: here}
    while True:
        ready, _, _ = select.select([here, there], [], [])
        for fd in ready:
            try:
                os.write(peer[fd], os.read(fd, 65536))
            except OSError:
                pass  # EIO while a device is still down: the packet is lost


main()
