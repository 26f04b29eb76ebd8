#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Pair traceroute probes with their replies in a capture and compare the
RTTs that tools print with the RTTs on the wire.

  bench_rtt_analyze.py marker PCAP
      exit 0 when PCAP holds the flush marker (a UDP datagram to port 9
      whose payload starts with "xhopmark"), 1 otherwise.

  bench_rtt_analyze.py report [--dump FILE] MANIFEST
      MANIFEST: one run per line, tab-separated:
        tool  cond  format  pcap  output  status
      format: xhop-json | scamper-json | traceroute | mtr-raw
      status: "ok" or why the run failed (shown as n/a).
      Prints the per-probe error table on stdout.

The capture is taken in the first router, on its interface facing the
prober. There a probe is stamped when it arrives and its reply when it
leaves, so reply time minus probe time is the RTT with the first link's
two veth crossings and the prober's own stack left out: the RTT a perfect
tool would report. Error = tool RTT - wire RTT (positive: the tool reports
more than the wire).

Pairing, wire side: an Echo Request from the prober is a probe, keyed by
(ICMP id, ICMP seq). A Time Exceeded or Unreachable quotes the probe's IP
header and first 8 bytes (RFC 792): its key is the quoted (id, seq) and the
quoted IP ID must equal the probe's; an Echo Reply echoes (id, seq). The
probe's TTL is its IP TTL as it reaches r1 (nothing decremented it yet).

Pairing, tool side: every tool prints (TTL, attempt, RTT) triples, the
attempt being the probe's rank among the probes of its TTL in sending
order. The wire probes of one TTL, sorted by the time they reached r1,
give the same rank. mtr prints the ICMP seq of each probe, so mtr pairs
by seq instead. The others number their ICMP seq by probe (xhop: its probe
id 1 + (ttl - first) * q + (attempt - 1); traceroute the same; scamper
with -Q the same from 0): the rank pairing is checked against that and
any disagreement is reported.
"""
import json
import math
import re
import struct
import sys

SRC = "198.18.1.1"
MARKER = b"xhopmark"

# --- capture files -----------------------------------------------------------


def read_pcap(path):
    """Yield (time_ns, frame) from a pcap (us or ns) or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic == b"\x0a\x0d\x0d\x0a":
        yield from _read_pcapng(data)
        return
    for endian in "<>":
        m = struct.unpack(endian + "I", magic)[0]
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError(f"{path}: not a pcap or pcapng file")
    frac = 1000 if m == 0xA1B2C3D4 else 1
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        raise ValueError(f"{path}: link type {linktype}, expected Ethernet (1)")
    off = 24
    while off + 16 <= len(data):
        sec, sub, incl, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        yield sec * 1_000_000_000 + sub * frac, data[off:off + incl]
        off += incl


def _read_pcapng(data):
    off = 0
    endian = "<"
    ifaces = []  # (linktype, ticks per second)
    while off + 12 <= len(data):
        btype = struct.unpack(endian + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            endian = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(endian + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            raise ValueError("pcapng: bad block length")
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            linktype = struct.unpack(endian + "H", body[:2])[0]
            res = 1_000_000
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(endian + "HH", body[o:o + 4])
                if code == 0:
                    break
                if code == 9 and olen >= 1:  # if_tsresol
                    v = body[o + 4]
                    res = 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
                o += 4 + ((olen + 3) & ~3)
            ifaces.append((linktype, res))
        elif btype == 6:  # enhanced packet
            ifid, hi, lo, caplen, _ = struct.unpack(endian + "IIIII", body[:20])
            linktype, res = ifaces[ifid]
            if linktype != 1:
                raise ValueError(f"pcapng: link type {linktype}, expected Ethernet")
            ticks = (hi << 32) | lo
            yield ticks * 1_000_000_000 // res, body[20:20 + caplen]
        off += blen


def ipv4_of(frame):
    """The IPv4 packet in an Ethernet frame (one 802.1Q tag allowed)."""
    if len(frame) < 14:
        return None
    etype = struct.unpack("!H", frame[12:14])[0]
    off = 14
    if etype == 0x8100 and len(frame) >= 18:
        etype = struct.unpack("!H", frame[16:18])[0]
        off = 18
    if etype != 0x0800:
        return None
    return frame[off:]


def ip_fields(ip):
    """(header length, proto, ttl, ip id, src, dst) or None."""
    if len(ip) < 20 or ip[0] >> 4 != 4:
        return None
    ihl = (ip[0] & 0x0F) * 4
    if ihl < 20 or len(ip) < ihl:
        return None
    ipid = struct.unpack("!H", ip[4:6])[0]
    src = ".".join(map(str, ip[12:16]))
    dst = ".".join(map(str, ip[16:20]))
    return ihl, ip[9], ip[8], ipid, src, dst


def has_marker(path):
    for _, frame in read_pcap(path):
        ip = ipv4_of(frame)
        f = ip and ip_fields(ip)
        if not f or f[1] != 17:
            continue
        udp = ip[f[0]:]
        if len(udp) >= 8 + len(MARKER) and struct.unpack("!H", udp[2:4])[0] == 9 \
                and udp[8:8 + len(MARKER)] == MARKER:
            return True
    return False


class Probe:
    __slots__ = ("t", "ttl", "ipid", "icmp_id", "seq", "rtt_ns", "rank", "kind")

    def __init__(self, t, ttl, ipid, icmp_id, seq):
        self.t, self.ttl, self.ipid, self.icmp_id, self.seq = t, ttl, ipid, icmp_id, seq
        self.rtt_ns = None
        self.rank = None
        self.kind = None


def wire_probes(path, src=SRC):
    """All ICMP echo probes from src in the capture, each with its wire RTT
    (None: no reply seen) and its rank within its TTL. Returns (probes,
    notes)."""
    probes = []
    by_key = {}
    notes = {"replies": 0, "unmatched_replies": 0, "ipid_mismatch": 0, "dup_keys": 0}
    for t, frame in read_pcap(path):
        ip = ipv4_of(frame)
        f = ip and ip_fields(ip)
        if not f or f[1] != 1:
            continue
        ihl, _, ttl, ipid, s, d = f
        icmp = ip[ihl:]
        if len(icmp) < 8:
            continue
        typ = icmp[0]
        if s == src and typ == 8:
            icmp_id, seq = struct.unpack("!HH", icmp[4:8])
            p = Probe(t, ttl, ipid, icmp_id, seq)
            key = (icmp_id, seq)
            if any(q.rtt_ns is None for q in by_key.get(key, [])):
                notes["dup_keys"] += 1
            by_key.setdefault(key, []).append(p)
            probes.append(p)
            continue
        if d != src:
            continue
        qipid = None
        if typ == 0:
            key = struct.unpack("!HH", icmp[4:8])
        elif typ in (3, 11):
            inner = icmp[8:]
            fi = ip_fields(inner)
            if not fi or fi[1] != 1 or fi[4] != src or len(inner) < fi[0] + 8:
                continue
            qi = inner[fi[0]:]
            if qi[0] != 8:
                continue
            key = struct.unpack("!HH", qi[4:8])
            qipid = fi[3]
        else:
            continue
        notes["replies"] += 1
        # The oldest unanswered probe with this key sent before the reply
        cands = [p for p in by_key.get(key, []) if p.rtt_ns is None and p.t <= t]
        if qipid is not None:
            same = [p for p in cands if p.ipid == qipid]
            if cands and not same:
                notes["ipid_mismatch"] += 1
            cands = same
        if not cands:
            notes["unmatched_replies"] += 1
            continue
        p = cands[0]
        p.rtt_ns = t - p.t
        p.kind = typ
    by_ttl = {}
    for p in probes:
        by_ttl.setdefault(p.ttl, []).append(p)
    for lst in by_ttl.values():
        lst.sort(key=lambda p: p.t)
        for i, p in enumerate(lst):
            p.rank = i
    return probes, notes


# --- tool outputs ------------------------------------------------------------
# Each parser returns a list of dicts: ttl, rank (0-based attempt), rtt_us,
# and optionally seq (the ICMP seq the tool names) or xhop_id.


def parse_trace_json(text, seq_base):
    """scamper trace JSON (xhop's and scamper's). Both number their ICMP
    seq by probe: xhop 1 + (ttl - first) * q + (attempt - 1) (its probe
    id), scamper (with -Q, every attempt sent) the same from 0; kept as a
    check of the rank pairing."""
    res = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        if obj.get("type") != "trace":
            continue
        q = obj.get("attempts")
        first = obj.get("firsthop", 1)
        for h in obj.get("hops", []):
            if "rtt" not in h:
                continue
            # a finer field, if the tool has one, beats rtt's 1 us rounding
            rtt_us = h["rtt_ns"] / 1000.0 if "rtt_ns" in h else h["rtt"] * 1000.0
            r = {"ttl": h["probe_ttl"], "rank": h["probe_id"] - 1, "rtt_us": rtt_us}
            if q:
                r["seq"] = seq_base + (h["probe_ttl"] - first) * q + (h["probe_id"] - 1)
            res.append(r)
    return res


TR_LINE = re.compile(r"^\s*(\d+)\s+(.*)$")


def parse_traceroute(text):
    """Debian traceroute: ' 3  198.18.3.2  0.022 ms  *  0.016 ms ...';
    each 'X ms' or '*' is one probe, in sending order. Its ICMP seq is
    its probe index + 1, (ttl - 1) * q + attempt: kept as a check."""
    res = []
    q = 0
    for line in text.splitlines():
        m = TR_LINE.match(line)
        if not m:
            continue
        ttl = int(m.group(1))
        toks = m.group(2).split()
        rank = 0
        i = 0
        while i < len(toks):
            tok = toks[i]
            if tok == "*":
                rank += 1
            elif i + 1 < len(toks) and toks[i + 1] == "ms":
                try:
                    rtt = float(tok)
                except ValueError:
                    rtt = None
                if rtt is not None:
                    res.append({"ttl": ttl, "rank": rank, "rtt_us": rtt * 1000.0})
                    rank += 1
                    i += 1
            i += 1
        q = max(q, rank)
    for r in res:
        r["seq"] = (r["ttl"] - 1) * q + r["rank"] + 1
    return res


def parse_mtr_raw(text):
    """mtr --raw: 'x HOP SEQ' (sent), 'p HOP RTT_US SEQ' (answered); HOP is
    TTL - 1; SEQ is the ICMP seq on the wire."""
    sent = {}
    res = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] == "x":
            sent.setdefault(int(f[1]) + 1, []).append(int(f[2]))
        elif len(f) >= 4 and f[0] == "p":
            res.append({"ttl": int(f[1]) + 1, "rtt_us": float(f[2]), "seq": int(f[3])})
    for r in res:
        lst = sorted(sent.get(r["ttl"], []))
        r["rank"] = lst.index(r["seq"]) if r["seq"] in lst else None
    return res


PARSERS = {
    "xhop-json": lambda t: parse_trace_json(t, 1),
    "scamper-json": lambda t: parse_trace_json(t, 0),
    "traceroute": parse_traceroute,
    "mtr-raw": parse_mtr_raw,
}


def pair(fmt, tool_rows, probes):
    """[(tool row, wire probe)], problems: list of strings."""
    problems = []
    by_rank = {(p.ttl, p.rank): p for p in probes}
    by_seq = {}
    for p in probes:
        by_seq.setdefault(p.seq, []).append(p)
    pairs = []
    seq_checked = seq_bad = 0
    for r in tool_rows:
        if fmt in ("mtr-raw", "xhop-json"):
            # both name the ICMP seq of each probe: mtr prints it, xhop's
            # seq is its probe id by design (and its warm-up probes, seq
            # 0xffff, are named by no row, so they never pair)
            cands = [p for p in by_seq.get(r["seq"], []) if p.ttl == r["ttl"]]
            p = cands[0] if len(cands) == 1 else None
            if p is None:
                problems.append(f"{fmt} seq {r['seq']} ttl {r['ttl']}: {len(cands)} wire probes")
                continue
        else:
            p = by_rank.get((r["ttl"], r["rank"]))
            if p is None:
                problems.append(f"ttl {r['ttl']} attempt {r['rank'] + 1}: no wire probe")
                continue
            if "seq" in r:
                seq_checked += 1
                if p.seq != r["seq"]:
                    seq_bad += 1
        if p.rtt_ns is None:
            problems.append(f"ttl {r['ttl']} attempt {r['rank'] + 1}: tool has an RTT, wire no reply")
            continue
        pairs.append((r, p))
    if seq_bad:
        problems.append(f"rank pairing disagrees with the ICMP seq for {seq_bad}/{seq_checked}")
    return pairs, problems, seq_checked - seq_bad, seq_checked


# --- statistics --------------------------------------------------------------


def median(xs):
    s = sorted(xs)
    n = len(s)
    return (s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2) if n else None


def pct(xs, q):
    """Nearest-rank percentile."""
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)] if s else None


def report(manifest, dump=None):
    runs = []
    with open(manifest) as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                runs.append(line.split("\t"))
    groups = {}  # (tool, cond) -> dict
    order = []
    dump_f = open(dump, "w") if dump else None
    if dump_f:
        dump_f.write("tool\tcond\trun\tttl\tattempt\tseq\twire_rtt_us\ttool_rtt_us\terr_us\n")
    for i, (tool, cond, fmt, pcap, out, status) in enumerate(runs):
        g = groups.get((tool, cond))
        if g is None:
            g = groups[(tool, cond)] = {"err": [], "wire": [], "why": [], "runs": 0,
                                        "seq_ok": 0, "seq_n": 0, "wire_probes": 0,
                                        "unreported": 0, "per_ttl": {},
                                        "first": [], "rest": []}
            order.append((tool, cond))
        if status != "ok":
            g["why"].append(status)
            continue
        try:
            probes, notes = wire_probes(pcap)
            with open(out, errors="replace") as f:
                rows = PARSERS[fmt](f.read())
        except (OSError, ValueError, KeyError) as e:
            g["why"].append(f"parse: {e}")
            continue
        if not probes:
            g["why"].append("no probes in the capture")
            continue
        if not rows:
            g["why"].append("the tool printed no RTT")
            continue
        pairs, problems, seq_ok, seq_n = pair(fmt, rows, probes)
        if notes["unmatched_replies"] or notes["ipid_mismatch"] or notes["dup_keys"]:
            problems.append("capture: " + ", ".join(f"{k} {v}" for k, v in notes.items() if v))
        if problems:
            g["why"].append("; ".join(problems[:3]) + (" ..." if len(problems) > 3 else ""))
        if not pairs:
            continue
        g["runs"] += 1
        g["seq_ok"] += seq_ok
        g["seq_n"] += seq_n
        g["wire_probes"] += len(probes)
        g["unreported"] += len(probes) - len(pairs)
        t0 = min(p.t for p in probes)
        for r, p in pairs:
            w = p.rtt_ns / 1000.0
            e = r["rtt_us"] - w
            g["first" if p.t == t0 else "rest"].append(e)
            g["err"].append(e)
            g["wire"].append(w)
            g["per_ttl"].setdefault(p.ttl, []).append(e)
            if dump_f:
                dump_f.write(f"{tool}\t{cond}\t{i}\t{p.ttl}\t{p.rank + 1}\t{p.seq}\t"
                             f"{w:.3f}\t{r['rtt_us']:.3f}\t{e:.3f}\n")
    if dump_f:
        dump_f.close()

    def f1(x):
        return "n/a" if x is None else f"{x:.1f}"

    xhop_med = {}
    for (tool, cond), g in groups.items():
        g["abs"] = [abs(e) for e in g["err"]]
        if tool == "xhop" and g["abs"]:
            xhop_med[cond] = median(g["abs"])

    hdr = (f"{'tool':<11} {'cond':<5} {'probes':>6} {'median_err_us':>13} {'p99_err_us':>10} "
           f"{'ratio_vs_xhop':>13} {'bias_us':>8} {'wire_rtt_us(min/med/max)':>25}")
    print(hdr)
    print("-" * len(hdr))
    reasons = []
    notes = []
    for tool, cond in order:
        g = groups[(tool, cond)]
        if not g["abs"]:
            why = "; ".join(g["why"]) or "no data"
            print(f"{tool:<11} {cond:<5} {0:>6} {'n/a':>13} {'n/a':>10} {'n/a':>13} {'n/a':>8} "
                  f"{'n/a':>25}")
            reasons.append(f"{tool}/{cond}: n/a: {why}")
            continue
        med = median(g["abs"])
        xm = xhop_med.get(cond)
        if xm is None:
            ratio = "n/a"
        elif xm == 0:
            ratio = "inf" if med else "1.0"
        else:
            ratio = f"{med / xm:.1f}"
        wire = f"{min(g['wire']):.1f}/{median(g['wire']):.1f}/{max(g['wire']):.1f}"
        print(f"{tool:<11} {cond:<5} {len(g['abs']):>6} {f1(med):>13} {f1(pct(g['abs'], 99)):>10} "
              f"{ratio:>13} {median(g['err']):>+8.1f} {wire:>25}")
        if g["why"]:
            notes.append(f"{tool}/{cond}: " + "; ".join(g["why"]))
    for r in reasons:
        print(r)
    print()
    print("median_err_us, p99_err_us: |tool RTT - wire RTT| per probe (p99 nearest rank);")
    print("bias_us: median of the signed error (tool - wire); ratio: median_err / xhop's.")
    print("Tools print RTTs to 1 us (xhop, traceroute, scamper: ms with 3 decimals; mtr: us),")
    print("so every error carries up to 0.5 us of rounding.")
    all_wire = [w for g in groups.values() for w in g["wire"]]
    if all_wire:
        print(f"wire RTT over all paired probes: {min(all_wire):.1f} .. {max(all_wire):.1f} us "
              f"(median {median(all_wire):.1f})")
    print()
    print("per-TTL median signed error (us), tool - wire:")
    for tool, cond in order:
        g = groups[(tool, cond)]
        if g["per_ttl"]:
            cells = "  ".join(f"ttl{t}:{median(v):+.1f}" for t, v in sorted(g["per_ttl"].items()))
            print(f"  {tool:<11} {cond:<5} {cells}")
    print()
    print("cold start: each trace's first probe against the rest (signed error, us):")
    for tool, cond in order:
        g = groups[(tool, cond)]
        if g["rest"]:
            fm = f"{median(g['first']):+.1f}" if g["first"] else "n/a"
            print(f"  {tool:<11} {cond:<5} first probe median {fm:>7} (n={len(g['first'])}), "
                  f"the rest median {median(g['rest']):+.1f}, "
                  f"p99 |err| {pct([abs(e) for e in g['rest']], 99):.1f}")
    print()
    print("pairing:")
    for tool, cond in order:
        g = groups[(tool, cond)]
        chk = ""
        if g["seq_n"]:
            chk = f", rank agrees with the wire ICMP seq for {g['seq_ok']}/{g['seq_n']}"
        elif tool == "mtr":
            chk = ", paired by the ICMP seq mtr prints"
        print(f"  {tool:<11} {cond:<5} {g['runs']} run(s), {len(g['err'])} of "
              f"{g['wire_probes']} wire probes paired{chk}")
    for r in notes:
        print(f"  note: {r}")
    # the benchmark is about xhop: without its numbers it failed
    return 0 if xhop_med else 1


def main(argv):
    if len(argv) == 3 and argv[1] == "marker":
        try:
            return 0 if has_marker(argv[2]) else 1
        except (OSError, ValueError, struct.error):
            return 1
    if len(argv) >= 3 and argv[1] == "report":
        dump = None
        args = argv[2:]
        if len(args) == 3 and args[0] == "--dump":
            dump = args[1]
            args = args[2:]
        if len(args) == 1:
            return report(args[0], dump)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
