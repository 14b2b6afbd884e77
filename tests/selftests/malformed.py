#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""malformed.py: sends malformed and hostile IPv4 packets at a director.

  malformed.py corpus --side client|rs --ifname IF --dst-mac MAC [--seed N]
                      [--count N] [--flag-bits N] [topology options]
  malformed.py flood --ifname IF --dst-mac MAC [--seed N] [--count N]
                     [--ack N | --then-ack N] [--net 172.16.0.0/12] [--vip A]
                     [--port P]

Frames go out of an AF_PACKET socket bound to IF, so no local stack
sanitises them; the Ethernet header carries MAC (the director's) as its
destination. Everything is built here with struct, and the same seed gives
the same packets.

"corpus" sends at least --count packets of many kinds: truncated IP
headers, lying IHL and total lengths, bad checksums, IP options, every TCP
flag combination, lying TCP data offsets, truncated TCP and UDP headers,
lying UDP lengths, fragments (partial first ones, lone middle and last ones,
overlapping, tiny, oversized, complete ones), ICMP errors whose quoted
packet is garbage, truncated, nested ICMP, another protocol, or a
connection of the virtual service, every IP protocol number, and random
bytes. With --side client it first opens connections from client ports
--cport .. --cport+63 to the services (SYN or a UDP datagram); those are
the connections the ICMP errors and, with --side rs, the forged replies of
a real server (source --rs, destination the client) point to. Its
exhaustive part sends every combination of the low --flag-bits TCP flags
(default 8, all of them; 6 leaves ECE and CWR, which neither nfvs nor
conntrack looks at, to the random draws).

"flood" sends --count SYNs to VIP:PORT from distinct random addresses of
--net (one connection each); with --ack N, it sends instead an ACK for the
first N of those same connections; with --then-ack N, the SYNs and then
those ACKs (a report for each).

Prints "# ..." lines: what was sent, by kind. Exits 0 when every frame was
sent, 1 otherwise.
"""

import argparse
import errno
import ipaddress
import random
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800

# TCP flags, low bits first: FIN SYN RST PSH ACK URG ECE CWR.
FIN, SYN, RST, PSH, ACK, URG, ECE, CWR = (1 << i for i in range(8))

ICMP_ECHOREPLY, ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH = 0, 3, 4
ICMP_REDIRECT, ICMP_ECHO, ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB = 5, 8, 11, 12
ICMP_ERRORS = [ICMP_DEST_UNREACH, ICMP_SOURCE_QUENCH, ICMP_REDIRECT,
               ICMP_TIME_EXCEEDED, ICMP_PARAMETERPROB]


def a2b(addr):
    return socket.inet_aton(addr)


def mac2b(mac):
    return bytes(int(x, 16) for x in mac.split(":"))


def csum(data):
    """The Internet checksum of DATA, as an int to pack with '!H'."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, payload, ihl=None, tot_len=None, ttl=64, ident=None,
        frag=0, tos=0, opts=b"", version=4, bad_csum=False, rng=None):
    """An IPv4 packet. IHL and total length are right unless given; the
    header checksum is right for the IHL*4 bytes the receiver will sum
    (whatever IHL says), unless bad_csum."""
    if len(opts) % 4:
        opts += b"\0" * (4 - len(opts) % 4)
    if ihl is None:
        ihl = 5 + len(opts) // 4
    if ident is None:
        ident = rng.getrandbits(16) if rng else 0
    length = 20 + len(opts) + len(payload)
    if tot_len is None:
        tot_len = length
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | (ihl & 0xF), tos,
                      tot_len & 0xFFFF, ident, frag, ttl, proto & 0xFF, 0,
                      src, dst)
    pkt = bytearray(hdr + opts + payload)
    c = csum(bytes(pkt[:max(ihl * 4, 20)]))
    if bad_csum:
        c ^= 1 + (rng.getrandbits(15) if rng else 0x1234)
    struct.pack_into("!H", pkt, 10, c)
    return bytes(pkt)


def l4sum(src, dst, proto, seg, length=None):
    if length is None:
        length = len(seg)
    pseudo = src + dst + struct.pack("!BBH", 0, proto, length & 0xFFFF)
    return csum(pseudo + seg)


def tcp(src, dst, sport, dport, flags, seq=0, ack=0, doff=None, opts=b"",
        payload=b"", win=65535, urg=0, res=0, check="good", rng=None):
    """A TCP segment (header, options, payload)."""
    if len(opts) % 4:
        opts += b"\1" * (4 - len(opts) % 4)
    if doff is None:
        doff = 5 + len(opts) // 4
    seg = bytearray(struct.pack("!HHIIBBHHH", sport & 0xFFFF, dport & 0xFFFF,
                                seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                                ((doff & 0xF) << 4) | (res & 0xF),
                                flags & 0xFF, win, 0, urg) + opts + payload)
    if check == "good":
        c = l4sum(src, dst, 6, bytes(seg))
    elif check == "bad":
        c = l4sum(src, dst, 6, bytes(seg)) ^ (1 + rng.getrandbits(15))
    else:
        c = check
    struct.pack_into("!H", seg, 16, c)
    return bytes(seg)


def udp(src, dst, sport, dport, payload=b"", length=None, check="good",
        rng=None):
    real = 8 + len(payload)
    if length is None:
        length = real
    seg = bytearray(struct.pack("!HHHH", sport & 0xFFFF, dport & 0xFFFF,
                                length & 0xFFFF, 0) + payload)
    if check == "good":
        c = l4sum(src, dst, 17, bytes(seg), length) or 0xFFFF
    elif check == "bad":
        c = (l4sum(src, dst, 17, bytes(seg), length) ^ (1 + rng.getrandbits(15))) or 1
    elif check == "zero":
        c = 0
    else:
        c = check
    struct.pack_into("!H", seg, 6, c)
    return bytes(seg)


def icmp(itype, code, rest=b"\0\0\0\0", payload=b"", bad_csum=False, rng=None):
    msg = bytearray(struct.pack("!BBH", itype & 0xFF, code & 0xFF, 0) + rest[:4]
                    + payload)
    c = csum(bytes(msg))
    if bad_csum:
        c ^= 1 + rng.getrandbits(15)
    struct.pack_into("!H", msg, 2, c)
    return bytes(msg)


class Sender:
    """Frames out of one interface, counted by kind."""

    def __init__(self, ifname, dst_mac, src_mac=None, dry=False):
        self.dry = dry
        self.sock = None
        if not dry:
            self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            self.sock.bind((ifname, 0))
            if src_mac is None:
                src_mac = ":".join("%02x" % b for b in self.sock.getsockname()[4])
        self.eth = mac2b(dst_mac) + mac2b(src_mac or "02:00:00:00:00:01")
        self.kinds = {}
        self.sent = 0
        self.failed = 0
        self.errors = {}

    def frame(self, kind, data, ethertype=ETH_P_IP):
        self.raw(kind, self.eth + struct.pack("!H", ethertype) + data)

    def raw(self, kind, frame):
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if self.dry:
            self.sent += 1
            return
        for attempt in range(50):
            try:
                self.sock.send(frame)
                self.sent += 1
                return
            except OSError as e:
                if e.errno in (errno.ENOBUFS, errno.EAGAIN) and attempt < 49:
                    time.sleep(0.002)
                    continue
                self.failed += 1
                name = errno.errorcode.get(e.errno, str(e.errno))
                self.errors[name] = self.errors.get(name, 0) + 1
                return

    def report(self, what):
        print("# %s: %d frames sent, %d failed" % (what, self.sent, self.failed))
        if self.errors:
            print("# send errors: %s" % ", ".join(
                "%s %d" % kv for kv in sorted(self.errors.items())))
        kinds = sorted(self.kinds.items())
        for i in range(0, len(kinds), 6):
            print("#   " + ", ".join("%s %d" % kv for kv in kinds[i:i + 6]))


class Corpus:
    """The hostile packets of one side.

    Client side: from the client (sometimes from spoofed addresses) to the
    virtual services, the director's own address, and through it. Real
    server side: "replies" from the real server to the client's connections
    (through the director's FORWARD path), and packets to the VIP and the
    director."""

    def __init__(self, args, out, rng):
        self.a = args
        self.out = out
        self.rng = rng
        self.vip = a2b(args.vip)
        self.client = a2b(args.client)
        self.director = a2b(args.director)
        self.rs = [a2b(x) for x in args.rs.split(",")]
        self.rs_gw = a2b(args.rs_gw)
        self.cports = list(range(args.cport, args.cport + 64))
        self.tcp_svc = [int(x) for x in args.tcp_ports.split(",")]
        self.udp_svc = [int(x) for x in args.udp_ports.split(",")]
        self.side = args.side

    # --- addresses and ports of the side ---------------------------------

    def spoof(self):
        """A random source from the flood range (blackholed by the director)."""
        return struct.pack("!I", 0xAC100000 | self.rng.getrandbits(20))

    def tcp_ends(self):
        """(src, dst, sport, dport) of a TCP packet of this side."""
        r = self.rng
        if self.side == "client":
            src = self.client if r.random() < 0.85 else self.spoof()
            dst = self.vip if r.random() < 0.9 else r.choice([self.director, self.rs[0]])
            sport = r.choice(self.cports) if r.random() < 0.5 else r.randrange(1024, 65536)
            return src, dst, sport, r.choice(self.tcp_svc + [r.randrange(65536)])
        src = self.rs[0] if r.random() < 0.85 else r.choice([self.vip, self.rs[-1], self.spoof()])
        dst = self.client if r.random() < 0.85 else r.choice([self.vip, self.rs_gw, self.director])
        sport = r.choice(self.tcp_svc) if r.random() < 0.9 else r.randrange(65536)
        dport = r.choice(self.cports) if r.random() < 0.8 else r.randrange(65536)
        return src, dst, sport, dport

    def udp_ends(self):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if self.side == "client":
            dport = r.choice(self.udp_svc + [r.randrange(65536)])
        else:
            sport = r.choice(self.udp_svc) if r.random() < 0.9 else r.randrange(65536)
        return src, dst, sport, dport

    def rand(self, n):
        return self.rng.randbytes(n)

    def send_ip(self, kind, pkt):
        self.out.frame(kind, pkt)

    # --- building blocks --------------------------------------------------

    def a_tcp_packet(self, flags=None, payload_len=None):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if flags is None:
            flags = r.choice([SYN, ACK, ACK | PSH, FIN | ACK, RST, SYN | ACK])
        if payload_len is None:
            payload_len = r.choice([0, 0, 1, 20, 200])
        seg = tcp(src, dst, sport, dport, flags, r.getrandbits(32),
                  r.getrandbits(32), payload=self.rand(payload_len), rng=r)
        return src, dst, seg

    def a_udp_packet(self, payload_len=None):
        r = self.rng
        src, dst, sport, dport = self.udp_ends()
        if payload_len is None:
            payload_len = r.choice([0, 1, 12, 100])
        return src, dst, udp(src, dst, sport, dport, self.rand(payload_len), rng=r)

    def an_l4(self):
        """(src, dst, proto, segment) of a valid TCP or UDP packet."""
        if self.rng.random() < 0.6:
            src, dst, seg = self.a_tcp_packet()
            return src, dst, 6, seg
        src, dst, seg = self.a_udp_packet()
        return src, dst, 17, seg

    # --- the director's own connections, for ICMP errors and replies ------

    def prime(self):
        """Connections from the client's ports to every service."""
        r = self.rng
        for cport in self.cports:
            for port in self.tcp_svc:
                self.send_ip("prime-syn", ip4(self.client, self.vip, 6,
                             tcp(self.client, self.vip, cport, port, SYN,
                                 r.getrandbits(32), 0, rng=r), rng=r))
            for port in self.udp_svc:
                self.send_ip("prime-udp", ip4(self.client, self.vip, 17,
                             udp(self.client, self.vip, cport, port, b"prime\n",
                                 rng=r), rng=r))

    # --- IP header ----------------------------------------------------------

    def ip_truncated(self):
        src, dst, proto, seg = self.an_l4()
        pkt = ip4(src, dst, proto, seg, rng=self.rng)
        self.send_ip("ip-truncated", pkt[:self.rng.randrange(0, 20)])

    def ip_ihl_small(self, ihl=None):
        src, dst, proto, seg = self.an_l4()
        if ihl is None:
            ihl = self.rng.randrange(0, 5)
        self.send_ip("ip-ihl<5", ip4(src, dst, proto, seg, ihl=ihl, rng=self.rng))

    def ip_ihl_big(self, ihl=None):
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        if ihl is None:
            ihl = r.randrange(6, 16)
        # Either the packet is shorter than IHL says, or what follows the
        # header is read as options.
        if r.random() < 0.5:
            seg = seg[:max(0, ihl * 4 - 20 - r.randrange(1, 40))]
        self.send_ip("ip-ihl-lies", ip4(src, dst, proto, seg, ihl=ihl, rng=r))

    def ip_totlen(self):
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        real = 20 + len(seg)
        choice = r.randrange(7)
        if choice == 0:
            tl = real + r.randrange(1, 200)            # bigger than the frame
        elif choice == 1:
            tl = r.choice([0, 1, 19, 4, 65535])
        elif choice == 2:
            tl = r.randrange(20, real) if real > 20 else 20  # smaller: trailer
        elif choice == 3:
            tl = 20                                    # no L4 at all
        elif choice == 4:
            tl = real + r.randrange(200, 65536 - real)
        elif choice == 5:
            tl = real                                  # right, trailing garbage
        else:
            tl = 20 + r.randrange(0, 8)                # a stub of the L4 header
        pkt = ip4(src, dst, proto, seg, tot_len=tl, rng=r)
        if choice == 5 or (choice == 2 and r.random() < 0.5):
            pkt += self.rand(r.randrange(1, 64))
        self.send_ip("ip-totlen-lies", pkt)

    def ip_bad_csum(self):
        src, dst, proto, seg = self.an_l4()
        self.send_ip("ip-bad-csum", ip4(src, dst, proto, seg, bad_csum=True, rng=self.rng))

    def ip_version(self):
        src, dst, proto, seg = self.an_l4()
        v = self.rng.choice([0, 1, 5, 6, 7, 15])
        self.send_ip("ip-version", ip4(src, dst, proto, seg, version=v, rng=self.rng))

    def ip_options(self):
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        kinds = [
            b"\x01\x01\x01\x00",                       # NOP NOP NOP EOL
            b"\x00" * 4,
            b"\x94\x04\x00\x00",                       # router alert
            bytes([7, 39, 4]) + b"\0" * 36,            # record route, room for 9
            bytes([7, 7, 4]) + b"\0" * 4,
            bytes([7, 7, 8]) + b"\0" * 4,              # pointer past the end
            bytes([7, 3, 4]),                          # no room at all
            bytes([68, 12, 5, 0]) + b"\0" * 8,         # timestamp
            bytes([68, 12, 5, 1]) + b"\0" * 8,         # timestamp + address
            bytes([68, 36, 13, 3]) + b"\0" * 32,       # prespecified, full
            bytes([68, 4, 5, 0xF0]),                   # overflow nibble set
            bytes([131, 7, 4]) + dst,                  # loose source route
            bytes([137, 11, 4]) + self.director + dst,  # strict source route
            bytes([131, 3, 4]),
            bytes([130, 11]) + b"\0" * 9,              # security
            bytes([134, 10, 0, 0, 0, 1, 1, 4, 0, 0]),  # CIPSO
            bytes([r.randrange(256), 0]),              # length 0
            bytes([r.randrange(256), 1]),              # length 1
            bytes([r.randrange(256), 40]) + b"\0" * 6,  # longer than there is
            bytes([r.randrange(256), r.randrange(256)]) + self.rand(r.randrange(38)),
            self.rand(r.randrange(1, 41)),
        ]
        opts = r.choice(kinds)
        if len(opts) > 40:
            opts = opts[:40]
        if r.random() < 0.2 and len(opts) < 40:
            opts += r.choice(kinds)[:40 - len(opts)]
        self.send_ip("ip-options", ip4(src, dst, proto, seg, opts=opts, rng=r))

    def ip_addresses(self):
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        odd = [a2b("0.0.0.0"), a2b("255.255.255.255"), a2b("127.0.0.1"),
               a2b("224.0.0.1"), a2b("240.0.0.1"), self.vip, self.director,
               a2b("10.0.1.255"), self.client]
        if r.random() < 0.5:
            src = r.choice(odd)
        else:
            dst = r.choice(odd)
        ttl = r.choice([0, 1, 64, 255])
        self.send_ip("ip-odd-addresses", ip4(src, dst, proto, seg, ttl=ttl, rng=r))

    def ip_protocol(self, proto=None):
        r = self.rng
        src, dst, _, _ = self.tcp_ends()
        if proto is None:
            proto = r.randrange(256)
        self.send_ip("ip-every-protocol",
                     ip4(src, dst, proto, self.rand(r.choice([0, 1, 4, 8, 20, 60])), rng=r))

    # --- TCP ------------------------------------------------------------------

    def tcp_flags(self, flags, dport=None, res=0):
        r = self.rng
        src, dst, sport, dp = self.tcp_ends()
        if dport is not None:
            if self.side == "client":
                dst, dp = self.vip, dport
            else:
                sport = dport
        seg = tcp(src, dst, sport, dp, flags, r.getrandbits(32), r.getrandbits(32),
                  res=res, payload=self.rand(r.choice([0, 0, 10])), rng=r)
        self.send_ip("tcp-flags", ip4(src, dst, 6, seg, rng=r))

    def tcp_doff(self, doff=None):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if doff is None:
            doff = r.randrange(16)
        extra = r.choice([0, 0, 4, 8, 20, 40])
        flags = r.choice([SYN, ACK, SYN | ACK, FIN, RST, PSH | ACK])
        seg = tcp(src, dst, sport, dport, flags, r.getrandbits(32), 0, doff=doff,
                  payload=self.rand(extra), rng=r)
        self.send_ip("tcp-doff-lies", ip4(src, dst, 6, seg, rng=r))

    def tcp_truncated(self, n=None):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if n is None:
            n = r.randrange(20)
        seg = tcp(src, dst, sport, dport, r.choice([SYN, ACK, RST, FIN]), rng=r)[:n]
        self.send_ip("tcp-truncated", ip4(src, dst, 6, seg, rng=r))

    def tcp_bad_csum(self):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        seg = tcp(src, dst, sport, dport, r.choice([SYN, ACK, SYN | ACK, RST, FIN | ACK]),
                  r.getrandbits(32), r.getrandbits(32), check=r.choice(["bad", 0, 0xFFFF]),
                  payload=self.rand(r.choice([0, 5])), rng=r)
        self.send_ip("tcp-bad-csum", ip4(src, dst, 6, seg, rng=r))

    def tcp_options(self):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        kinds = [
            b"\x02\x04\x05\xb4", b"\x02\x00", b"\x02\x01", b"\x02\xff\x00\x00",
            b"\x03\x03\xff", b"\x03\x00", b"\x04\x02", b"\x04\x00",
            b"\x05\x0a" + self.rand(8), b"\x05\x03\x00", b"\x05\x22" + self.rand(32),
            b"\x05\x28" + self.rand(38), b"\x08\x0a" + self.rand(8), b"\x08\x09",
            b"\x13\x12" + self.rand(16), b"\x1d\x04\x00\x00", b"\x1e\x03\x00",
            b"\x22\x02", b"\xfe\x04\xf9\x89", b"\x00", b"\x01",
            bytes([r.randrange(256), r.randrange(256)]) + self.rand(r.randrange(10)),
            self.rand(r.randrange(1, 40)),
        ]
        opts = b"".join(r.choice(kinds) for _ in range(r.randrange(1, 5)))[:40]
        flags = r.choice([SYN, SYN | ACK, ACK, SYN | ECE | CWR])
        seg = tcp(src, dst, sport, dport, flags, r.getrandbits(32), 0, opts=opts, rng=r)
        self.send_ip("tcp-options", ip4(src, dst, 6, seg, rng=r))

    def tcp_sequence(self):
        """Several segments of one flow with random flags: the state machine
        walked in odd orders."""
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if self.side == "client" and r.random() < 0.7:
            src, dst, dport = self.client, self.vip, r.choice(self.tcp_svc)
        seq = r.getrandbits(32)
        for i in range(r.randrange(2, 8)):
            flags = SYN if i == 0 and r.random() < 0.7 else r.randrange(256)
            seg = tcp(src, dst, sport, dport, flags, seq + i, r.getrandbits(32), rng=r)
            self.send_ip("tcp-sequence", ip4(src, dst, 6, seg, rng=r))

    def tcp_port_zero(self):
        r = self.rng
        src, dst, sport, dport = self.tcp_ends()
        if r.random() < 0.5:
            sport = 0
        else:
            dport = 0
        seg = tcp(src, dst, sport, dport, r.choice([SYN, ACK, RST]), rng=r)
        self.send_ip("tcp-port-0", ip4(src, dst, 6, seg, rng=r))

    # --- UDP ------------------------------------------------------------------

    def udp_truncated(self, n=None):
        r = self.rng
        src, dst, sport, dport = self.udp_ends()
        if n is None:
            n = r.randrange(8)
        seg = udp(src, dst, sport, dport, b"x", rng=r)[:n]
        self.send_ip("udp-truncated", ip4(src, dst, 17, seg, rng=r))

    def udp_length(self, length=None):
        r = self.rng
        src, dst, sport, dport = self.udp_ends()
        payload = self.rand(r.choice([0, 4, 30]))
        if length is None:
            real = 8 + len(payload)
            length = r.choice([0, r.randrange(1, 8), real - 1 if real > 8 else 8,
                               real + r.randrange(1, 100), 65535, r.randrange(65536)])
        seg = udp(src, dst, sport, dport, payload, length=length,
                  check=r.choice(["good", "zero"]), rng=r)
        self.send_ip("udp-length-lies", ip4(src, dst, 17, seg, rng=r))

    def udp_csum(self):
        r = self.rng
        src, dst, sport, dport = self.udp_ends()
        seg = udp(src, dst, sport, dport, self.rand(r.choice([0, 3, 40])),
                  check=r.choice(["bad", "zero", 0xFFFF]), rng=r)
        self.send_ip("udp-checksum", ip4(src, dst, 17, seg, rng=r))

    def udp_port_zero(self):
        r = self.rng
        src, dst, sport, dport = self.udp_ends()
        if r.random() < 0.5:
            sport = 0
        else:
            dport = 0
        self.send_ip("udp-port-0", ip4(src, dst, 17, udp(src, dst, sport, dport, b"z", rng=r),
                                       rng=r))

    # --- fragments --------------------------------------------------------

    def frag(self, kind, src, dst, proto, data, off, mf, ident, df=False, evil=False):
        f = (off // 8) & 0x1FFF
        if mf:
            f |= 0x2000
        if df:
            f |= 0x4000
        if evil:
            f |= 0x8000
        self.send_ip(kind, ip4(src, dst, proto, data, frag=f, ident=ident))

    def frag_first_partial(self):
        """A first fragment whose L4 header is cut short."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        n = r.randrange(1, 20 if proto == 6 else 8)
        n = max(8, n - n % 8) if r.random() < 0.5 else n
        self.frag("frag-first-partial", src, dst, proto, seg[:n], 0, True,
                  r.getrandbits(16), df=r.random() < 0.2)

    def frag_alone(self):
        """A middle or last fragment whose first never comes."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        off = 8 * r.randrange(1, 200)
        self.frag("frag-alone", src, dst, proto, self.rand(r.choice([8, 16, 100, 1])),
                  off, r.random() < 0.5, r.getrandbits(16), evil=r.random() < 0.1)

    def frag_complete(self):
        """A datagram in fragments that reassemble, in any order, sometimes
        bigger than the MTU once reassembled (to the NAT services)."""
        r = self.rng
        if self.side == "client" and r.random() < 0.6:
            src, dst = self.client, self.vip
            if r.random() < 0.5:
                proto, sport, dport = 6, r.choice(self.cports), 80
                seg = tcp(src, dst, sport, dport, r.choice([SYN, ACK | PSH]),
                          r.getrandbits(32), 0,
                          payload=self.rand(r.choice([16, 200, 2000])), rng=r)
            else:
                proto, sport, dport = 17, r.choice(self.cports), 53
                seg = udp(src, dst, sport, dport, self.rand(r.choice([16, 600, 2900])),
                          rng=r)
        else:
            src, dst, proto, seg = self.an_l4()
        size = r.choice([8, 16, 24, 512, 1400])
        ident = r.getrandbits(16)
        pieces = [(o, seg[o:o + size]) for o in range(0, len(seg), size)]
        order = list(range(len(pieces)))
        if r.random() < 0.5:
            r.shuffle(order)
        if len(pieces) > 100:
            size = 1400
            pieces = [(o, seg[o:o + size]) for o in range(0, len(seg), size)]
            order = list(range(len(pieces)))
        for i in order:
            o, data = pieces[i]
            self.frag("frag-complete", src, dst, proto, data, o,
                      o + len(data) < len(seg), ident)

    def frag_overlap(self):
        """Overlapping fragments: the second rewrites the first's L4 header,
        or the same offset comes twice with different data."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        ident = r.getrandbits(16)
        seg = seg + self.rand(32)
        cut = 16 if len(seg) > 24 else 8
        self.frag("frag-overlap", src, dst, proto, seg[:cut + 8], 0, True, ident)
        if r.random() < 0.5:
            _, _, _, other = self.an_l4()
            self.frag("frag-overlap", src, dst, proto, (other + self.rand(16))[:16], 0,
                      True, ident)
        self.frag("frag-overlap", src, dst, proto, seg[8:], 8, False, ident)

    def frag_tiny(self):
        """8-byte fragments, the L4 header spread over several."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        ident = r.getrandbits(16)
        seg = seg[:r.choice([16, 24, 32, 40])] if r.random() < 0.5 else seg
        offs = list(range(0, len(seg), 8))
        r.shuffle(offs)
        for o in offs[:r.randrange(1, len(offs) + 1)]:
            self.frag("frag-tiny", src, dst, proto, seg[o:o + 8], o,
                      o + 8 < len(seg), ident)

    def frag_oversize(self):
        """A last fragment whose end lies past 65535."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        ident = r.getrandbits(16)
        self.frag("frag-oversize", src, dst, proto, seg[:8], 0, True, ident)
        self.frag("frag-oversize", src, dst, proto, self.rand(r.choice([8, 200, 1000])),
                  8 * 8189, r.random() < 0.5, ident)

    def frag_odd(self):
        """Zero-length fragments, MF on an odd length, DF with MF."""
        r = self.rng
        src, dst, proto, seg = self.an_l4()
        ident = r.getrandbits(16)
        choice = r.randrange(3)
        if choice == 0:
            self.frag("frag-odd", src, dst, proto, b"", 8 * r.randrange(4),
                      r.random() < 0.5, ident)
        elif choice == 1:
            self.frag("frag-odd", src, dst, proto, seg[:r.randrange(1, 8) + 8], 0, True,
                      ident)
        else:
            self.frag("frag-odd", src, dst, proto, seg[:8], 0, True, ident, df=True)
            self.frag("frag-odd", src, dst, proto, seg[8:], 8, False, ident, df=True)

    # --- ICMP -----------------------------------------------------------------

    def conn_quote(self, proto):
        """The quoted packet of a connection of the virtual service, seen
        from this side: what the director sent that the error is about."""
        r = self.rng
        cport = r.choice(self.cports)
        if proto == 6:
            port = r.choice(self.tcp_svc)
        else:
            port = r.choice(self.udp_svc)
        if self.side == "client":
            # The director's reply to the client, or the client's own packet.
            if r.random() < 0.7:
                src, dst, sport, dport = self.vip, self.client, port, cport
            else:
                src, dst, sport, dport = self.client, self.vip, cport, port
        else:
            # The client's packet after NAT, towards this real server.
            rs = self.rs[0] if r.random() < 0.8 else self.rs[-1]
            src, dst, sport, dport = self.client, rs, cport, port
        if proto == 6:
            l4 = tcp(src, dst, sport, dport, r.choice([SYN, ACK, PSH | ACK]),
                     r.getrandbits(32), r.getrandbits(32), rng=r)
        else:
            l4 = udp(src, dst, sport, dport, self.rand(20), rng=r)
        return ip4(src, dst, proto, l4, ttl=r.randrange(1, 65), rng=r)

    def quote(self, depth=0):
        """The packet quoted by an ICMP error, well-formed or not."""
        r = self.rng
        choice = r.randrange(14 if depth < 3 else 12)
        if choice <= 3:
            q = self.conn_quote(r.choice([6, 17]))
            if r.random() < 0.5:
                q = q[:20 + r.choice([8, 8, 0, 1, 4, 7, 12])]
            return q
        if choice == 4:
            return b""
        if choice == 5:
            return self.conn_quote(6)[:r.randrange(1, 20)]      # truncated IP
        if choice == 6:
            q = bytearray(self.conn_quote(r.choice([6, 17])))
            q[0] = (q[0] & 0xF0) | r.choice([0, 1, 4, 6, 15])  # IHL lies
            return bytes(q)
        if choice == 7:
            q = bytearray(self.conn_quote(r.choice([6, 17])))
            struct.pack_into("!H", q, 2, r.choice([0, 1, 20, 27, 65535]))
            return bytes(q)
        if choice == 8:
            src, dst, _, _ = self.tcp_ends()
            return ip4(src, dst, r.choice([47, 50, 132, 4, 41, 255, 0, 2]),
                       self.rand(r.choice([0, 8, 40])), rng=r)
        if choice == 9:
            return self.rand(r.randrange(1, 80))
        if choice == 10:
            # A fragment of a connection's packet, not the first.
            q = bytearray(self.conn_quote(r.choice([6, 17])))
            struct.pack_into("!H", q, 6, r.choice([0x2001, 0x0010, 0x2000]))
            return bytes(q)
        if choice == 11:
            src, dst, _, _ = self.tcp_ends()
            return ip4(src, dst, 1, icmp(ICMP_ECHO, 0, self.rand(4), self.rand(8)), rng=r)
        # Nested: an ICMP error quoting an ICMP error.
        inner = self.icmp_error_msg(depth + 1)
        src, dst = (self.vip, self.client) if self.side == "client" else (self.client, self.rs[0])
        q = ip4(src, dst, 1, inner, rng=r)
        if r.random() < 0.3:
            q = q[:20 + 8]
        return q

    def icmp_error_msg(self, depth=0):
        r = self.rng
        itype = r.choice(ICMP_ERRORS + [ICMP_DEST_UNREACH] * 3 + [ICMP_TIME_EXCEEDED])
        code = r.randrange(16) if r.random() < 0.8 else r.randrange(256)
        rest = self.rand(4)
        if itype == ICMP_DEST_UNREACH:
            code = r.choice([0, 1, 3, 4, 4, 4, 13, code])
            if code == 4:
                rest = struct.pack("!HH", 0, r.choice([0, 1, 68, 67, 500, 576, 1280,
                                                       1500, 65535]))
        return icmp(itype, code, rest, self.quote(depth), bad_csum=r.random() < 0.1, rng=r)

    def icmp_error(self):
        r = self.rng
        if self.side == "client":
            src = self.client if r.random() < 0.7 else r.choice([self.spoof(), a2b("10.0.1.7")])
            dst = self.vip if r.random() < 0.7 else self.director
        else:
            src = self.rs[0] if r.random() < 0.8 else r.choice([self.rs_gw, self.vip,
                                                               a2b("10.0.2.9")])
            dst = self.client if r.random() < 0.6 else r.choice([self.rs_gw, self.vip])
        msg = self.icmp_error_msg()
        self.send_ip("icmp-error", ip4(src, dst, 1, msg, rng=r))

    def icmp_other(self):
        r = self.rng
        src, dst, _, _ = self.tcp_ends()
        itype = r.choice([ICMP_ECHO, ICMP_ECHOREPLY, 13, 14, 15, 17, 9, 10,
                          r.randrange(256)])
        msg = icmp(itype, r.randrange(256) if r.random() < 0.3 else 0, self.rand(4),
                   self.rand(r.choice([0, 8, 56])), bad_csum=r.random() < 0.2, rng=r)
        if r.random() < 0.2:
            msg = msg[:r.randrange(0, 8)]
        self.send_ip("icmp-other", ip4(src, dst, 1, msg, rng=r))

    # --- random bytes -----------------------------------------------------

    def random_ip(self):
        """A valid IPv4 header (to a target of this side), random rest."""
        r = self.rng
        src, dst, _, _ = self.tcp_ends()
        proto = r.choice([6, 17, 1, r.randrange(256)])
        self.send_ip("random-l4", ip4(src, dst, proto, self.rand(r.randrange(0, 200)),
                                      frag=r.choice([0, 0, 0, 0x4000, r.getrandbits(16)]),
                                      rng=r))

    def random_bytes(self):
        """Random bytes after an IPv4 (or another) Ethernet type."""
        r = self.rng
        data = self.rand(r.choice([0, 1, 19, 20, 40, 100, 600, 1500]))
        if data and r.random() < 0.7:
            data = bytes([0x40 | (data[0] & 0xF)]) + data[1:]
        ethertype = ETH_P_IP if r.random() < 0.85 else r.choice([0x86DD, 0x8100, 0x88A8,
                                                                  0x0000, 0xFFFF])
        self.out.frame("random-bytes", data, ethertype)

    # --- the whole corpus -----------------------------------------------------

    def run(self, count):
        r = self.rng
        if self.side == "client":
            self.prime()
        # The exhaustive parts.
        for flags in range(1 << self.a.flag_bits):
            for port in self.tcp_svc:
                self.tcp_flags(flags, port)
        for flags in range(1 << self.a.flag_bits):
            self.tcp_flags(flags, res=r.randrange(1, 16))
        for ihl in range(0, 16):
            for _ in range(4):
                if ihl < 5:
                    self.ip_ihl_small(ihl)
                elif ihl > 5:
                    self.ip_ihl_big(ihl)
        for doff in range(16):
            for _ in range(6):
                self.tcp_doff(doff)
        for n in range(20):
            for _ in range(3):
                self.tcp_truncated(n)
        for n in range(8):
            for _ in range(3):
                self.udp_truncated(n)
        for length in range(0, 16):
            self.udp_length(length)
        for proto in range(256):
            self.ip_protocol(proto)
        # Then random draws, weighted, until the count is reached.
        kinds = [
            (self.ip_truncated, 4), (self.ip_ihl_small, 2), (self.ip_ihl_big, 3),
            (self.ip_totlen, 6), (self.ip_bad_csum, 3), (self.ip_version, 2),
            (self.ip_options, 5), (self.ip_addresses, 3), (self.ip_protocol, 2),
            (lambda: self.tcp_flags(r.randrange(256)), 8), (self.tcp_doff, 5),
            (self.tcp_truncated, 4), (self.tcp_bad_csum, 4), (self.tcp_options, 5),
            (self.tcp_sequence, 6), (self.tcp_port_zero, 1),
            (self.udp_truncated, 3), (self.udp_length, 5), (self.udp_csum, 4),
            (self.udp_port_zero, 1),
            (self.frag_first_partial, 5), (self.frag_alone, 4), (self.frag_complete, 4),
            (self.frag_overlap, 3), (self.frag_tiny, 3), (self.frag_oversize, 2),
            (self.frag_odd, 2),
            (self.icmp_error, 30), (self.icmp_other, 3),
            (self.random_ip, 4), (self.random_bytes, 4),
        ]
        funcs = [k for k, _ in kinds]
        weights = [w for _, w in kinds]
        while self.out.sent + self.out.failed < count:
            r.choices(funcs, weights)[0]()


def flood_tuples(seed, count, net):
    """COUNT distinct (source address, source port) pairs of NET."""
    n = ipaddress.ip_network(net)
    base = int(n.network_address)
    size = n.num_addresses
    rng = random.Random(seed)
    hosts = rng.sample(range(1, size - 1), count)
    return [(struct.pack("!I", base + h), rng.randrange(1024, 65536)) for h in hosts]


def flood(args, ack):
    """The SYNs of the flood, or with ACK an ACK for the first ACK of its
    connections; the report's failures."""
    out = Sender(args.ifname, args.dst_mac, args.src_mac, args.dry_run)
    vip = a2b(args.vip)
    rng = random.Random(args.seed + 1)
    tuples = flood_tuples(args.seed, args.count, args.net)
    if ack:
        for src, sport in tuples[:ack]:
            seg = tcp(src, vip, sport, args.port, ACK, rng.getrandbits(32),
                      rng.getrandbits(32), rng=rng)
            out.frame("ack", ip4(src, vip, 6, seg, rng=rng))
        out.report("ACKs for %d flood connections" % ack)
    else:
        for src, sport in tuples:
            seg = tcp(src, vip, sport, args.port, SYN, rng.getrandbits(32), 0,
                      opts=b"\x02\x04\x05\xb4", rng=rng)
            out.frame("syn", ip4(src, vip, 6, seg, rng=rng))
        out.report("SYN flood from %d addresses of %s" % (args.count, args.net))
    return out.failed


def cmd_flood(args):
    # --then-ack N: the SYNs, then the ACKs of a second run with --ack N
    # (the same frames), in one process: a start of Python less.
    failed = flood(args, args.ack)
    if args.then_ack and not args.ack:
        failed += flood(args, args.then_ack)
    return 0 if failed == 0 else 1


# The classes of "classes": NAME, protocol, and a function of (source,
# destination, source port, destination port, IP ID) that builds the
# packet: a SYN to the TCP service, a datagram to the UDP one.
def _syn(src, dst, sport, dport, **kw):
    return tcp(src, dst, sport, dport, SYN, 1000, 0,
               opts=b"\x02\x04\x05\xb4", **kw)


def _dgram(src, dst, sport, dport, **kw):
    return udp(src, dst, sport, dport, b"q\n", **kw)


CLASSES = [
    ("tcp_good", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i)),
    ("ip_bad_csum", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i,
                                 bad_csum=True)),
    ("ip_truncated", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i)[:16]),
    ("ip_ihl_small", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i,
                                 ihl=4)),
    ("ip_ihl_big", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i,
                                 ihl=15)),
    ("ip_totlen_big", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i,
                                 tot_len=200)),
    # NOPs and a record route option with room for two addresses.
    ("ip_options", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp), ident=i,
                                 opts=b"\x01\x07\x0b\x04" + b"\0" * 8)),
    ("tcp_truncated", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp)[:12], ident=i)),
    ("tcp_doff_small", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, tcp(s, d, sp, dp, SYN, 1000, 0,
                                             doff=4), ident=i)),
    ("tcp_doff_big", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, tcp(s, d, sp, dp, SYN, 1000, 0,
                                             doff=15), ident=i)),
    ("tcp_bad_csum", "tcp",
     lambda s, d, sp, dp, i: ip4(s, d, 6, _syn(s, d, sp, dp, check=0x5a5a),
                                 ident=i)),
    ("udp_good", "udp",
     lambda s, d, sp, dp, i: ip4(s, d, 17, _dgram(s, d, sp, dp), ident=i)),
    ("udp_truncated", "udp",
     lambda s, d, sp, dp, i: ip4(s, d, 17, _dgram(s, d, sp, dp)[:6], ident=i)),
    ("udp_len_big", "udp",
     lambda s, d, sp, dp, i: ip4(s, d, 17, _dgram(s, d, sp, dp, length=100),
                                 ident=i)),
    ("udp_len_small", "udp",
     lambda s, d, sp, dp, i: ip4(s, d, 17, _dgram(s, d, sp, dp, length=4),
                                 ident=i)),
    ("udp_bad_csum", "udp",
     lambda s, d, sp, dp, i: ip4(s, d, 17, _dgram(s, d, sp, dp, check=0x5a5a),
                                 ident=i)),
]


def class_ports(k, cport, n):
    return [cport + 10 * k + j for j in range(n)]


def send_classes(args, method=None):
    """N packets of each class (or of those --only names), from source
    ports CPORT + 10 K + J (class K, packet J) and with IP ID 0x4A00 + K;
    with --list, prints one line per class, "NAME PROTO IPID PORT..." (after
    METHOD when given), and sends nothing."""
    src, vip = a2b(args.client), a2b(args.vip)
    out = None if args.list else Sender(args.ifname, args.dst_mac,
                                         args.src_mac, args.dry_run)
    only = args.only.split(",") if args.only else None
    for k, (name, proto, build) in enumerate(CLASSES):
        if only and name not in only:
            continue
        ports = class_ports(k, args.cport, args.count)
        if args.list:
            print(*([method] if method else []), name, proto, 0x4A00 + k,
                  *ports)
            continue
        dport = args.tcp_port if proto == "tcp" else args.udp_port
        for sport in ports:
            # Bad checksums are fixed values: a stray one must not be
            # right by chance (0x5a5a is not, for these headers).
            pkt = build(src, vip, sport, dport, 0x4A00 + k)
            out.frame(name, pkt)
    if out:
        out.report("%d packets of each of %d classes" % (args.count, len(CLASSES)))
        return 0 if out.failed == 0 else 1
    return 0


def cmd_classes(args):
    """send_classes; with --method (one or more), once for each, as that
    many runs with its --tcp-port, --cport and --only would, in one
    process (a start of Python is dear under emulation)."""
    if not args.method:
        return send_classes(args)
    rc = 0
    for spec in args.method:
        method, tcp_port, cport, only = (spec.split(":") + [""])[:4]
        run = argparse.Namespace(**vars(args))
        run.tcp_port, run.cport = int(tcp_port), int(cport)
        run.only = only or None
        rc |= send_classes(run, method)
    return rc


def cmd_corpus(args):
    out = Sender(args.ifname, args.dst_mac, args.src_mac, args.dry_run)
    rng = random.Random("%s-%d" % (args.side, args.seed))
    start = time.monotonic()
    Corpus(args, out, rng).run(args.count)
    out.report("%s corpus, seed %d, %.1f s" % (args.side, args.seed,
                                              time.monotonic() - start))
    return 0 if out.failed == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("corpus", "flood", "classes"):
        s = sub.add_parser(name)
        s.add_argument("--ifname", required=True)
        s.add_argument("--dst-mac", required=True)
        s.add_argument("--src-mac")
        s.add_argument("--seed", type=int, default=1)
        s.add_argument("--vip", default="10.0.1.100")
        s.add_argument("--dry-run", action="store_true",
                       help="build and count, send nothing")
    c = sub.choices["corpus"]
    c.add_argument("--side", choices=["client", "rs"], required=True)
    c.add_argument("--count", type=int, default=10000)
    c.add_argument("--flag-bits", type=int, choices=range(1, 9), default=8,
                   metavar="1..8")
    c.add_argument("--client", default="10.0.1.2")
    c.add_argument("--director", default="10.0.1.1")
    c.add_argument("--rs", default="10.0.2.2,10.0.3.2",
                   help="real servers, the sending one first")
    c.add_argument("--rs-gw", default="10.0.2.1",
                   help="the director's address on the real server's link")
    c.add_argument("--cport", type=int, default=40000)
    c.add_argument("--tcp-ports", default="80,8080,8081,81")
    c.add_argument("--udp-ports", default="53,5300,54")
    f = sub.choices["flood"]
    f.add_argument("--count", type=int, default=20000)
    f.add_argument("--ack", type=int, default=0)
    f.add_argument("--net", default="172.16.0.0/12")
    f.add_argument("--port", type=int, default=80)
    f.add_argument("--then-ack", type=int, default=0, metavar="N",
                   help="after the SYNs, an ACK for the first N of them")
    k = sub.choices["classes"]
    k.add_argument("--count", type=int, default=3)
    k.add_argument("--client", default="10.0.1.2")
    k.add_argument("--cport", type=int, default=41000)
    k.add_argument("--tcp-port", type=int, default=80)
    k.add_argument("--udp-port", type=int, default=53)
    k.add_argument("--only", help="these classes (NAME,...) only")
    k.add_argument("--list", action="store_true",
                   help="print the classes and their ports, send nothing")
    k.add_argument("--method", action="append",
                   metavar="NAME:TCP_PORT:CPORT[:CLASS,...]",
                   help="a run with these --tcp-port, --cport and --only "
                   "(repeatable; with --list, each line starts with NAME)")
    args = p.parse_args()
    return {"corpus": cmd_corpus, "flood": cmd_flood,
            "classes": cmd_classes}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
