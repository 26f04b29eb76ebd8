#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A blind, off-path forger of traceroute answers, for tests/e2e/test_hostile.sh.

Usage (inside the attacker's namespace):
  forge.py IFNAME GW_MAC VICTIM4 VICTIM6 STATE_FILE [--min N] [--max-seconds S]
           [--rate PPS] [--kinds KIND,...] [--targets4 PFX,...] [--targets6 PFX,...]

Sends, as Ethernet frames on IFNAME to the router GW_MAC (which must route
them to the victim), every kind of answer a traceroute accepts: ICMP and
ICMPv6 Time Exceeded, Destination Unreachable (host, port, no route, admin),
Echo Replies, TCP SYN-ACK and RST. They quote or echo guessed probe fields:
the lab's real targets (198.19.0.77, 198.19.1.9, 2001:2:0:100::77,
2001:2:0:101::9), the TTLs a router quotes (1), and for the 16-bit fields
the usual guesses in turn: sequential small ids 1..100, 0, 0xffff, 0x8000,
the default ports, and random values. Sources are the lab's real router
and destination addresses and fake ones, all in 198.18.0.0/15 and
2001:2::/48. Every checksum is right, so the victim's kernel and any XDP
program see well-formed packets; only the secrets are guessed.

--targets4/--targets6: quote (or echo from) random addresses of these
prefixes instead of the fixed targets: a scan's own targets.

KINDS (default all): time_exceeded4, unreach4, echo_reply4, tcp4,
time_exceeded6, unreach6, echo_reply6, tcp6. Runs until SIGTERM or SIGINT,
but at least --min packets (bounded by --max-seconds); --rate 0: as fast as
it can. Writes "sent N" to STATE_FILE about every 1000 packets and
at the end "done N" followed by one "KIND N" line per kind. Needs
CAP_NET_RAW (AF_PACKET).
"""
import array
import ipaddress
import os
import random
import signal
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD

DST4 = ["198.19.0.77", "198.19.1.9"]
DST6 = ["2001:2:0:100::77", "2001:2:0:101::9"]
# Real hops (lab.sh LAB_HOP4/6 and r5, the silent one) and fakes
ROUTERS4 = ["198.18.1.2", "198.18.2.2", "198.18.3.2", "198.18.4.2", "198.18.5.2",
            "198.18.8.2", "198.18.7.2", "198.18.66.6", "198.19.0.78"]
ROUTERS6 = ["2001:2:0:1::2", "2001:2:0:2::2", "2001:2:0:3::2", "2001:2:0:4::2",
            "2001:2:0:5::2", "2001:2:0:8::2", "2001:2:0:7::2", "2001:2:0:66::6",
            "2001:2:0:100::78"]
UDP_DPORTS = [33434, 53, 33435]
TCP_DPORTS = [80, 8080, 443]

stop = False


def on_signal(_sig, _frm):
    global stop
    stop = True


def csum(b):
    """RFC 1071 checksum, as bytes to put in the packet. The one's
    complement sum is the same in either byte order, so summing native
    16-bit words and packing the result natively gives network order."""
    if len(b) & 1:
        b += b"\0"
    s = sum(array.array("H", b))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return struct.pack("=H", ~s & 0xFFFF)


class Guess:
    """The 16-bit values a blind forger tries, one kind after another"""

    FIXED = [0, 1, 2, 0xFFFF, 0x8000, 0x7FFF, 33434, 1234, 4242]

    def __init__(self, rnd):
        self.rnd = rnd
        self.n = 0

    def __call__(self):
        self.n += 1
        k = self.n % 4
        if k == 0:
            return 1 + (self.n // 4) % 100  # probe ids 1..100, the likeliest
        if k == 1:
            return self.FIXED[(self.n // 4) % len(self.FIXED)]
        return self.rnd.getrandbits(16)


class Forger:
    def __init__(self, victim4, victim6, rnd):
        self.v4 = socket.inet_aton(victim4)
        self.v6 = socket.inet_pton(socket.AF_INET6, victim6)
        self.rnd = rnd
        self.g = Guess(rnd)
        self.ipid = 1

    # --- IP headers ------------------------------------------------------

    def ip4(self, src, dst, proto, payload, ttl=60, ipid=None):
        if ipid is None:
            self.ipid = (self.ipid + 1) & 0xFFFF
            ipid = self.ipid
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ipid, 0, ttl, proto, 0,
                        src, dst)
        return h[:10] + csum(h) + h[12:] + payload

    def ip6(self, src, dst, nxt, payload, hlim=60):
        return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nxt, hlim, src, dst) + payload

    def sum6(self, src, dst, nxt, l4):
        return csum(src + dst + struct.pack("!IxxxB", len(l4), nxt) + l4)

    # --- the probe a router would quote ----------------------------------

    def probe_l4(self, proto, v6):
        """Transport header (and a little payload) of a guessed probe"""
        g = self.g
        if proto in (1, 58):  # echo request: type, code, sum, id, seq, payload
            return struct.pack("!BBHHHHH", 128 if v6 else 8, 0, g(), g(), g(), g(), g())
        if proto == 17:  # sport is random per run: guess it
            sport = 1024 + self.rnd.randrange(64512) if self.g.n & 1 else g()
            return struct.pack("!HHHHHH", sport, self.rnd.choice(UDP_DPORTS), 12, g(), g(), g())
        sport = 1024 + self.rnd.randrange(64512) if self.g.n & 1 else g()
        return struct.pack("!HHI", sport, self.rnd.choice(TCP_DPORTS), g() << 16 | g()) + \
            struct.pack("!IBBHHH", 0, 0x50, 0x02, 65535, 0, 0)

    def quote4(self, proto):
        dst = socket.inet_aton(self.rnd.choice(DST4))
        l4 = self.probe_l4(proto, False)
        # the IPv4 ID carries half the ICMP MAC or the UDP/TCP probe id
        return self.ip4(self.v4, dst, proto, l4, ttl=1, ipid=self.g())

    def quote6(self, proto):
        dst = socket.inet_pton(socket.AF_INET6, self.rnd.choice(DST6))
        l4 = self.probe_l4(proto, True)
        return self.ip6(self.v6, dst, proto, l4, hlim=1)

    # --- the answers -----------------------------------------------------

    def icmp4(self, src, typ, code, body, rest=0):
        m = struct.pack("!BBHI", typ, code, 0, rest) + body
        m = m[:2] + csum(m) + m[4:]
        return self.ip4(socket.inet_aton(src), self.v4, 1, m)

    def icmp6(self, src, typ, code, body, rest=0):
        s = socket.inet_pton(socket.AF_INET6, src)
        m = struct.pack("!BBHI", typ, code, 0, rest) + body
        m = m[:2] + self.sum6(s, self.v6, 58, m) + m[4:]
        return self.ip6(s, self.v6, 58, m)

    def time_exceeded4(self):
        return self.icmp4(self.rnd.choice(ROUTERS4), 11, 0,
                          self.quote4(self.rnd.choice((1, 17, 6))))

    def unreach4(self):
        # 3: port (from the target), 1: host (r4), 0: net, 13: admin
        code = self.rnd.choice((3, 3, 1, 0, 13))
        src = self.rnd.choice(DST4) if code == 3 else self.rnd.choice(ROUTERS4)
        return self.icmp4(src, 3, code, self.quote4(self.rnd.choice((1, 17, 6))))

    def echo_reply4(self):
        g = self.g
        payload = struct.pack("!HHHH", g(), g(), g(), g()) + bytes(24)
        return self.icmp4(self.rnd.choice(DST4), 0, 0, payload, g() << 16 | g())

    def time_exceeded6(self):
        return self.icmp6(self.rnd.choice(ROUTERS6), 3, 0,
                          self.quote6(self.rnd.choice((58, 17, 6))))

    def unreach6(self):
        # 4: port (from the target's link address), 0: no route, 1: admin
        code = self.rnd.choice((4, 4, 0, 1))
        src = self.rnd.choice(["2001:2:0:7::2", "2001:2:0:9::2"] + DST6) if code == 4 else \
            self.rnd.choice(ROUTERS6)
        return self.icmp6(src, 1, code, self.quote6(self.rnd.choice((58, 17, 6))))

    def echo_reply6(self):
        g = self.g
        payload = struct.pack("!HHHH", g(), g(), g(), g()) + bytes(24)
        return self.icmp6(self.rnd.choice(DST6), 129, 0, payload, g() << 16 | g())

    def tcp(self, v6):
        g = self.g
        dport = 1024 + self.rnd.randrange(64512) if g.n & 1 else g()
        flags = self.rnd.choice((0x12, 0x14))  # SYN-ACK, RST-ACK
        sport = self.rnd.choice(TCP_DPORTS)
        th = struct.pack("!HHIIBBHHH", sport, dport, self.rnd.getrandbits(32),
                         (g() << 16 | g()) + 1 & 0xFFFFFFFF, 0x50, flags, 65535, 0, 0)
        if v6:
            src = socket.inet_pton(socket.AF_INET6, self.rnd.choice(DST6))
            th = th[:16] + self.sum6(src, self.v6, 6, th) + th[18:]
            return self.ip6(src, self.v6, 6, th)
        src = socket.inet_aton(self.rnd.choice(DST4))
        th = th[:16] + csum(src + self.v4 + struct.pack("!xBH", 6, len(th)) + th) + th[18:]
        return self.ip4(src, self.v4, 6, th)

    def tcp4(self):
        return self.tcp(False)

    def tcp6(self):
        return self.tcp(True)


def main():
    args = sys.argv[1:]
    opts = {"--min": 0, "--max-seconds": 30.0, "--rate": 0, "--kinds": "", "--targets4": "",
            "--targets6": ""}
    pos = []
    while args:
        a = args.pop(0)
        if a in opts:
            opts[a] = type(opts[a])(args.pop(0))
        else:
            pos.append(a)
    ifname, gw_mac, victim4, victim6, state = pos
    # a scan's targets: a sample of each prefix stands in for all of it
    for key, dst in (("--targets4", DST4), ("--targets6", DST6)):
        if opts[key]:
            rnd = random.Random(os.getpid())
            nets = [ipaddress.ip_network(p) for p in opts[key].split(",")]
            dst[:] = [str(n[rnd.randrange(n.num_addresses)]) for n in nets for _ in range(256)]
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifname, 0))
    dmac = bytes.fromhex(gw_mac.replace(":", ""))
    smac = s.getsockname()[4]
    eth4 = dmac + smac + struct.pack("!H", ETH_P_IP)
    eth6 = dmac + smac + struct.pack("!H", ETH_P_IPV6)

    f = Forger(victim4, victim6, random.Random(os.getpid()))
    kinds = [("time_exceeded4", eth4), ("unreach4", eth4), ("echo_reply4", eth4),
             ("tcp4", eth4), ("time_exceeded6", eth6), ("unreach6", eth6),
             ("echo_reply6", eth6), ("tcp6", eth6)]
    if opts["--kinds"]:
        want = opts["--kinds"].split(",")
        bad = [k for k in want if k not in dict(kinds)]
        if bad:
            sys.exit(f"forge.py: unknown kinds {bad}")
        kinds = [(k, e) for k, e in kinds if k in want]
    counts = {k: 0 for k, _ in kinds}
    sent = 0
    start = time.monotonic()
    deadline = start + opts["--max-seconds"]
    gap = 1.0 / opts["--rate"] if opts["--rate"] else 0.0
    next_t = start
    with open(state, "w") as st:
        st.write("sent 0\n")
    while True:
        if stop and sent >= opts["--min"]:
            break
        if time.monotonic() >= deadline:
            break
        for name, eth in kinds:
            frame = eth + getattr(f, name)()
            try:
                s.send(frame)
            except OSError:
                continue  # a full queue: count only what left
            counts[name] += 1
            sent += 1
        if sent % 1000 < len(kinds):
            with open(state + ".tmp", "w") as st:
                st.write(f"sent {sent}\n")
            os.replace(state + ".tmp", state)
        if gap:
            next_t += gap * len(kinds)
            delay = next_t - time.monotonic()
            if delay > 0:
                time.sleep(delay)  # pacing, not synchronisation
    el = time.monotonic() - start
    with open(state + ".tmp", "w") as st:
        st.write(f"done {sent}\nseconds {el:.1f}\n")
        for k, n in counts.items():
            st.write(f"{k} {n}\n")
    os.replace(state + ".tmp", state)


main()
