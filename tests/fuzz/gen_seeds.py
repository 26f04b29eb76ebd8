#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed inputs of fuzz_events as commented hex text.

The seeds are committed as text (corpus/fuzz_events/*.hex); run_fuzz.sh
turns them into bytes. Rerun this after changing the input format in
fuzz_events.c or struct xhop_event:  tests/fuzz/gen_seeds.py
"""
import ipaddress
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "fuzz_events")

# enum xhop_event_kind
TX, TTL, UNREACH, ECHO, TCP = 1, 2, 3, 4, 5
# op % 6 of fuzz_events.c
SEND, APPLY, APPLY_DST, APPLY_ID, EXPIRE, SETTLED = range(6)


def addr(s):
    a = ipaddress.ip_address(s)
    if a.version == 4:
        return b"\0" * 10 + b"\xff\xff" + a.packed
    return a.packed


def event(kind=0, ts=0, frm="0.0.0.0", dst="0.0.0.0", mpls=(), probe_id=0, ip_len=0,
          ipid=0, q_ipl=0, family=4, proto=0, icmp_type=0, icmp_code=0, reply_ttl=0,
          q_ttl=0, q_tos=0, tcp_flags=0, mpls_count=None):
    """struct xhop_event, 80 bytes, host (little-endian) order"""
    labels = list(mpls) + [0] * (4 - len(mpls))
    if mpls_count is None:
        mpls_count = len(mpls)
    ev = struct.pack("<Q16s16s4IIHHHH12B", ts, addr(frm), addr(dst), *labels, 2, probe_id,
                     ip_len, ipid, q_ipl, kind, family, proto, icmp_type, icmp_code,
                     reply_ttl, 0, q_ttl, q_tos, tcp_flags, mpls_count, 0)
    assert len(ev) == 80
    return ev


def header(family6, method, first, max_ttl, queries, last, stop, no_resolve, src,
           sport=33434, dport=33434, icmp_sum=0x1235, size=60, offset=1_700_000_000 * 10**9):
    h = struct.pack("<8BHHHH16sq", family6, method, first, max_ttl, queries, last, stop,
                    no_resolve, sport, dport, icmp_sum, size, addr(src), offset)
    assert len(h) == 40
    return h


def write(name, what, hdr, records):
    lines = [f"# fuzz_events seed: {what}", "# written by gen_seeds.py; '#' to end of line is a comment",
             "# header", hdr.hex()]
    for op, comment, ev in records:
        lines.append(f"# op {op}: {comment}")
        lines.append(f"{op:02x} {ev.hex()}")
    with open(os.path.join(HERE, name + ".hex"), "w") as f:
        f.write("\n".join(lines) + "\n")


def send(ttl, attempt, deadline=10**10):
    return (SEND, f"send TTL {ttl} attempt {attempt}", event(q_ttl=ttl, q_tos=attempt,
                                                              ts=deadline))


def main():
    os.makedirs(HERE, exist_ok=True)
    dst4, dst6 = "198.19.0.77", "2001:2::77"

    # ICMP, TTL 1-3, 2 queries: hops, an MPLS hop, the target's echo reply
    recs = [send(t, q) for t in (1, 2, 3) for q in (0, 1)]
    recs += [(APPLY_ID, f"TX stamp of probe {i}", event(kind=TX, ts=1000 + i, probe_id=i - 1))
             for i in range(1, 7)]
    recs += [
        (APPLY_DST, "TTL 1 time exceeded", event(kind=TTL, ts=22000, frm="198.18.1.2", probe_id=1,
                                                 icmp_type=11, reply_ttl=63, q_ttl=1, ip_len=88)),
        (APPLY_DST, "TTL 1 again", event(kind=TTL, ts=15000, frm="198.18.1.2", probe_id=2,
                                         icmp_type=11, reply_ttl=63, q_ttl=1, ip_len=88)),
        (APPLY_DST, "TTL 2 with two MPLS labels", event(
            kind=TTL, ts=41000, frm="198.18.2.2", probe_id=3, icmp_type=11, reply_ttl=62,
            mpls=(16 << 12 | 1 << 8 | 1, 17 << 12 | 1), ip_len=148)),
        (APPLY_DST, "TTL 3 echo reply", event(kind=ECHO, ts=51000, frm=dst4, probe_id=5,
                                              reply_ttl=61, ipid=4321, ip_len=60)),
        (APPLY_DST, "duplicate of TTL 3", event(kind=ECHO, ts=52000, frm=dst4, probe_id=5)),
        (EXPIRE, "TTL 2 attempt 1, TTL 3 attempt 1 lost", event(ts=2 * 10**10)),
        (SETTLED, "TTL 2 settled", event(q_ttl=2)),
        (SETTLED, "TTL 3 settled", event(q_ttl=3)),
    ]
    write("v4_icmp_echo", "IPv4 ICMP echo trace, reached at TTL 3",
          header(0, 0, 1, 3, 2, 3, 1, 1, "198.18.1.1"), recs)

    # UDP over IPv6, one query: a hop, then port unreachable with a
    # forged MPLS count past XHOP_MPLS_MAX, and a record for another target
    recs = [send(1, 0), send(2, 0)]
    recs += [
        (APPLY, "not our target: ignored", event(kind=TTL, frm="2001:2::1:1", dst="2001:2::99",
                                                 probe_id=1, family=6, proto=17)),
        (APPLY_DST, "TTL 1 time exceeded", event(kind=TTL, ts=9000, frm="2001:2::1:1", probe_id=1,
                                                 family=6, icmp_type=3, reply_ttl=64)),
        (APPLY_DST, "TTL 2 port unreachable, mpls_count 9", event(
            kind=UNREACH, ts=19000, frm=dst6, probe_id=2, family=6, icmp_type=1, icmp_code=4,
            mpls=(20 << 12 | 1 << 8 | 250,), mpls_count=9)),
        (APPLY_ID, "TX stamp of probe 1", event(kind=TX, ts=1000, probe_id=0)),
        (SETTLED, "TTL 2 settled", event(q_ttl=2)),
    ]
    write("v6_udp_unreach", "IPv6 UDP trace ending in port unreachable",
          header(1, 1, 1, 2, 1, 2, 2, 0, "2001:2::1", size=80), recs)

    # TCP from TTL 2, three queries: a lost hop, a late answer, a RST
    recs = [send(2, q, deadline=100) for q in range(3)] + [send(3, 0)]
    recs += [
        (EXPIRE, "TTL 2 all lost", event(ts=200)),
        (APPLY_DST, "late answer to TTL 2: ignored", event(kind=TTL, ts=300, frm="198.18.5.1",
                                                           probe_id=1)),
        (APPLY_DST, "TTL 3 RST|ACK from the target", event(kind=TCP, ts=400, frm=dst4, probe_id=4,
                                                           tcp_flags=0x14)),
        (SETTLED, "TTL 2 settled", event(q_ttl=2)),
    ]
    write("v4_tcp_lost", "IPv4 TCP trace from TTL 2 with a lost hop",
          header(0, 2, 2, 4, 3, 3, 7, 0, "198.18.1.1", dport=80, size=40), recs)


if __name__ == "__main__":
    main()
