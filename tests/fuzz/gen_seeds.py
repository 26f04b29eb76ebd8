#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed inputs of fuzz_events, and the list files of
fuzz_targets and fuzz_monitor_args that reach the line reader's bounds.

The seeds are committed as text (corpus/fuzz_events/*.hex); run_fuzz.sh
turns them into bytes. List seeds are plain text, or commented hex where
they hold a NUL byte. Rerun this after changing the input format in
fuzz_events.c, fuzz_targets.c or fuzz_monitor_args.c, struct xhop_event
or LINE_LEN_MAX (user/net/lines.h):  tests/fuzz/gen_seeds.py
"""
import ipaddress
import os
import struct

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
HERE = os.path.join(CORPUS, "fuzz_events")
LINE_LEN_MAX = 1024  # user/net/lines.h

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



def write_list(target, name, what, data):
    """A list seed: text as it is, or commented hex if it holds a NUL"""
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if b"\0" not in data:
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        return
    lines = [f"# {target} seed: {what}", "# written by gen_seeds.py; '#' to end of line is a comment"]
    lines += [data[i:i + 32].hex() for i in range(0, len(data), 32)]
    with open(os.path.join(d, name + ".hex"), "w") as f:
        f.write("\n".join(lines) + "\n")


def padded(head, n):
    """head and a comment of x, n bytes in all, newline not counted"""
    return head + b" #" + b"x" * (n - len(head) - 2)


def list_seeds():
    # fuzz_targets: 8 bytes of seed, flags, le16. Flags '0': default
    # bounds (the 16M entries of --max-targets); '2' (bit 1): lines
    # 1 + b9 % 32, bytes 1 + le16 % 2048, entries b10 % 16.
    dflt = b"xhopseed0AB"
    write_list("fuzz_targets", "line-1024", "a line of exactly LINE_LEN_MAX bytes",
               dflt + b"198.18.0.0/24\n" + padded(b"198.19.0.1", LINE_LEN_MAX) + b"\n")
    write_list("fuzz_targets", "line-1025", "a line one byte over LINE_LEN_MAX",
               dflt + b"198.18.0.0/24\n" + padded(b"198.19.0.1", LINE_LEN_MAX + 1) + b"\n9.9.9.9\n")
    write_list("fuzz_targets", "nul", "a NUL byte in line 2",
               dflt + b"198.18.0.0/24\n198.19.0.1\0/8\n9.9.9.9\n")
    write_list("fuzz_targets", "many-blank", "600 blank and comment lines, then an address",
               dflt + b"\n# c\n  \t\r\n" * 200 + b"9.9.9.9\n")
    # '$' '#': lines 5, bytes 805, entries 3
    write_list("fuzz_targets", "tiny-lines", "the 6th line is one too many",
               b"xhopseed2$#" + b"9.9.9.9\n\n# c\n\n1.1.1.0/24\n\n")
    # '_' ' ': lines 32, bytes 96, entries 0
    write_list("fuzz_targets", "tiny-bytes", "comments past 96 bytes",
               b"xhopseed2_ " + (b"# " + b"c" * 37 + b"\n") * 3)
    # '?' '"': lines 32, bytes 576, entries 2
    write_list("fuzz_targets", "tiny-entries", "a third entry past 2",
               b"xhopseed2?\"" + b"9.9.9.9\n# c\n1.1.1.0/24\n8.8.8.8\n")

    # fuzz_monitor_args: 't' and a --targets file (16384 targets at most)
    write_list("fuzz_monitor_args", "targets-line-1024", "a line of exactly LINE_LEN_MAX bytes",
               b"t198.19.0.1\n" + padded(b"d77.example", LINE_LEN_MAX) + b"\n")
    write_list("fuzz_monitor_args", "targets-line-1025", "a line one byte over LINE_LEN_MAX",
               b"t198.19.0.1\n" + padded(b"d77.example", LINE_LEN_MAX + 1) + b"\nx\n")
    write_list("fuzz_monitor_args", "targets-nul", "a NUL byte in line 2",
               b"t198.19.0.1\nd77\0.example\n")
    write_list("fuzz_monitor_args", "targets-many", "400 lines: blank, comments, CRLF, targets",
               b"t" + b"\n#c\r\n198.19.0.1\r\nd77.example # n\n" * 100)


if __name__ == "__main__":
    main()
    list_seeds()
