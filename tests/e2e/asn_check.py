#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Origin AS ground truth of the lab and checks of what shows it.

The truth is a list of "PREFIX/LEN ASN[_ASN...]" lines (the test writes
it); the origin of an address is its longest match, found here with
Python's ipaddress module, apart from xhop's prefix table. From the same
list come the lab DNS server's TXT records (Team Cymru's names and text,
as mtr -z asks them), the CAIDA file and the MaxMind DB's input, so -z
and --asn-db must both give the truth.

  asn_check.py txt TRUTH ADDR...     dnsmasq --txt-record options, one a line
  asn_check.py caida TRUTH           a CAIDA prefix-to-AS file
  asn_check.py mmdb-in TRUTH         mmdb_write.pl's input (first origin)
  asn_check.py MODE TRUTH [--first] < output
      MODE: text (xhop HOST), json (trace or scan objects), mon-text,
      mon-json (xhop monitor's report), metrics (/metrics with
      --metrics-asn: the first origin); --first: only the first origin is
      known (a MaxMind DB has one AS per network)
  asn_check.py mtr TRUTH XHOP_JSON < mtr -z -n -r report
Checks exit 1 with the differences, or when no hop was checked.
"""
import ipaddress
import json
import re
import sys


def load(path):
    nets = []
    for line in open(path):
        line = line.strip()
        if not line or line.startswith('#'):
            continue
        net, asns = line.split()
        nets.append((ipaddress.ip_network(net), [int(a) for a in asns.split('_')]))
    return nets


def origin(nets, addr):
    a = ipaddress.ip_address(addr)
    best = None
    for net, asns in nets:
        if a.version == net.version and a in net:
            if best is None or net.prefixlen > best[0].prefixlen:
                best = (net, asns)
    return best[1] if best else []


def qname(addr):
    a = ipaddress.ip_address(addr)
    if a.version == 4:
        return '.'.join(reversed(addr.split('.'))) + '.origin.asn.cymru.com'
    nibbles = a.exploded.replace(':', '')[:16]  # the top 64 bits
    return '.'.join(reversed(nibbles)) + '.origin6.asn.cymru.com'


def text_of(asns, first):
    if not asns:
        return 'AS???'
    if first:
        return 'AS%d' % asns[0]
    return 'AS' + '/'.join(str(a) for a in asns)


class Checker:
    def __init__(self, nets, first):
        self.nets, self.first, self.n, self.bad = nets, first, 0, []

    def text(self, where, addr, shown):
        want = text_of(origin(self.nets, addr), self.first)
        self.n += 1
        if shown != want:
            self.bad.append('%s %s: shows %s, want %s' % (where, addr, shown, want))

    def json(self, where, addr, obj):
        asns = origin(self.nets, addr)
        want_asn = asns[0] if asns else None
        want_asns = asns if len(asns) > 1 and not self.first else None
        self.n += 1
        if obj.get('asn') != want_asn or obj.get('asns') != want_asns:
            self.bad.append('%s %s: asn %s asns %s, want %s %s' % (
                where, addr, obj.get('asn'), obj.get('asns'), want_asn, want_asns))

    def done(self):
        for b in self.bad:
            print(b)
        print('checked %d hops, %d wrong' % (self.n, len(self.bad)))
        return 1 if self.bad or not self.n else 0


ADDR = r'[0-9a-f.:]+'


def check_text(c, lines):
    # " 1  [AS64501] r1.example (198.18.1.2)  0.1 ms ..." or "[AS...] 198.18.1.2"
    for line in lines:
        m = re.match(r'^\s*(\d+) ', line)
        if not m:
            continue
        for asn, name, addr in re.findall(
                r'\[(AS[^\]]*)\] (\S+)(?: \((' + ADDR + r')\))?', line):
            c.text('ttl ' + m.group(1), addr or name, asn)


def check_json(c, lines):
    for line in lines:
        if not line.strip():
            continue
        o = json.loads(line)
        for h in o.get('hops', []):
            c.json('%s ttl %d' % (o['dst'], h['probe_ttl']), h['addr'], h)


def check_mon_text(c, lines):
    dst = None
    for line in lines:
        m = re.match(r'^xhop monitor to (\S+)', line)
        if m:
            dst = m.group(1)
        m = re.match(r'^\s*(\d+)\.\|-- (AS\S+) (' + ADDR + r')\s', line)
        if m:
            c.text('%s ttl %s' % (dst, m.group(1)), m.group(3), m.group(2))
        m = re.match(r'^\s+\|  `-- (AS\S+) (' + ADDR + r')$', line)
        if m:
            c.text('%s more' % dst, m.group(2), m.group(1))


def check_mon_json(c, lines):
    for line in lines:
        if not line.strip():
            continue
        o = json.loads(line)
        if o.get('type') != 'monitor':
            continue
        for hub in o['hubs']:
            if hub['host'] == '???':
                continue
            c.json('%s ttl %d' % (o['dst'], hub['count']), hub['host'], hub)
            for r in hub['responders']:
                c.json('%s ttl %d responder' % (o['dst'], hub['count']), r['addr'], r)


def check_metrics(c, lines):
    for line in lines:
        if 'responder="' not in line:
            continue
        m = re.search(r'responder="([^"]+)".*,asn="(\d*)"', line)
        if not m:
            c.n += 1
            c.bad.append('no asn label: ' + line)
            continue
        asn = 'AS' + m.group(2) if m.group(2) else 'AS???'
        c.text(line.split('{')[0], m.group(1), asn)


def check_mtr(c, lines, xhop_json):
    """mtr's first AS at each TTL against xhop's at the same TTL (both
    ICMP echo to one target: the same ECMP branch), and against the truth
    where mtr's column can be read (a multi-origin AS runs into the
    address: "AS64505 64506198.18.5.2")."""
    xhop = {}
    for h in json.load(open(xhop_json))['hops']:
        xhop.setdefault(h['probe_ttl'], h)
    for line in lines:
        m = re.match(r'^\s*(\d+)\.\s+AS(\S+)\s+(.*)$', line)
        if not m:
            continue
        ttl = int(m.group(1))
        first = None if m.group(2) == '???' else int(re.match(r'\d+', m.group(2)).group(0))
        x = xhop.get(ttl)
        c.n += 1
        if not x:
            c.bad.append('ttl %d: mtr shows AS%s, xhop has no hop' % (ttl, m.group(2)))
            continue
        if x.get('asn') != first:
            c.bad.append('ttl %d: mtr AS%s, xhop asn %s (%s)' % (ttl, first, x.get('asn'),
                                                               x['addr']))
        a = re.match(r'(' + ADDR + r')\s', m.group(3))
        if a and a.group(1) == x['addr']:
            asns = origin(c.nets, a.group(1))
            if first != (asns[0] if asns else None):
                c.bad.append('ttl %d %s: mtr AS%s, truth %s' % (ttl, a.group(1), first, asns))


def main():
    mode, nets = sys.argv[1], load(sys.argv[2])
    if mode == 'txt':
        for addr in sys.argv[3:]:
            asns = origin(nets, addr)
            if asns:
                a = ipaddress.ip_address(addr)
                net = [n for n, s in nets if a.version == n.version and a in n]
                best = max(net, key=lambda n: n.prefixlen)
                print('--txt-record=%s,%s | %s | ZZ | arin | 2020-01-01' % (
                    qname(addr), ' '.join(str(x) for x in asns), best))
        return 0
    if mode == 'caida':
        for net, asns in nets:
            print('%s\t%d\t%s' % (net.network_address, net.prefixlen,
                                  '_'.join(str(a) for a in asns)))
        return 0
    if mode == 'mmdb-in':
        for net, asns in nets:
            print('%s %d' % (net, asns[0]))
        return 0
    c = Checker(nets, '--first' in sys.argv[3:])
    lines = sys.stdin.read().splitlines()
    if mode == 'text':
        check_text(c, lines)
    elif mode == 'json':
        check_json(c, lines)
    elif mode == 'mon-text':
        check_mon_text(c, lines)
    elif mode == 'mon-json':
        check_mon_json(c, lines)
    elif mode == 'metrics':
        c.first = True
        check_metrics(c, lines)
    elif mode == 'mtr':
        check_mtr(c, lines, sys.argv[3])
    else:
        sys.exit('unknown mode ' + mode)
    return c.done()


if __name__ == '__main__':
    sys.exit(main())
