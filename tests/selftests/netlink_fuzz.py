#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""netlink_fuzz.py: sends malformed and random IPVS-protocol generic netlink
messages to a family and checks that every answer is well-formed.

  netlink_fuzz.py --family nfvs [--also IPVS] [--seed N] [--count N]
                  [--time-limit S]

Messages go in small batches, each followed by a GET_INFO sentinel; a batch
is done when the sentinel's answer and a terminal answer (ack, error or
NLMSG_DONE) for every request that asked for an ack have arrived. Every
datagram received is checked: message lengths, our port id, known sequence
numbers, NLMSG_ERROR with a sane errno, the echoed (capped) header equal to
what we sent, well-formed extack TLVs with a NUL-terminated message,
NLMSG_DONE with NLM_F_MULTI, data messages of the family with a genl header
and well-formed (nested) attributes; at most one terminal answer per
request, and none missing for a request that asked for an ack.

Prints "# seed N", a summary and up to 20 problems; exits 0 when there were
none, 1 otherwise. --also sends a share of the messages to a second family
with the same protocol (nfvs's IPVS compat family).
"""

import argparse
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfvs_genl as g  # noqa: E402

SVC_ADDRS = ["10.9.0.1", "10.9.0.2", "10.9.0.3"]
DEST_ADDRS = ["10.9.1.%d" % i for i in range(1, 7)]
PORTS = [80, 81, 0]
SCHEDS = ["rr", "wlc", "rr", "wlc", "sh", "lc", "none", "nosuch", ""]

# Type ranges to draw attribute types from, per level.
TOP_TYPES = list(range(0, g.IPVS_CMD_ATTR_MAX + 3))
SVC_TYPES = list(range(0, g.IPVS_SVC_ATTR_MAX + 3))
DEST_TYPES = list(range(0, g.IPVS_DEST_ATTR_MAX + 3))
DAEMON_TYPES = list(range(0, g.IPVS_DAEMON_ATTR_MAX + 3))


class Fuzzer:
    def __init__(self, rnd, fam_ids):
        self.r = rnd
        self.fam_ids = fam_ids

    # -- values
    def rbytes(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    def rlen(self):
        c = self.r.random()
        if c < 0.15:
            return 0
        if c < 0.75:
            return self.r.choice([1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 17, 20])
        if c < 0.95:
            return self.r.randrange(0, 64)
        return self.r.randrange(64, 1500)

    def rscalar(self):
        c = self.r.random()
        if c < 0.25:
            return struct.pack("=I", self.r.choice(
                [0, 1, 2, 3, 4, 5, 7, 8, 0x7fffffff, 0x80000000, 0xffffffff,
                 self.r.getrandbits(32)]))
        if c < 0.4:
            return struct.pack("=H", self.r.getrandbits(16))
        if c < 0.5:
            return struct.pack("=B", self.r.getrandbits(8))
        if c < 0.6:
            return struct.pack("=Q", self.r.getrandbits(64))
        if c < 0.7:
            s = self.r.choice(SCHEDS + ["lo", "x" * self.r.randrange(1, 40)])
            return s.encode() + (b"\0" if self.r.random() < 0.7 else b"")
        return self.rbytes(self.rlen())

    # -- attributes
    def raw_attr(self, t, payload):
        """An attribute with a possibly lying header and no padding."""
        ln = 4 + len(payload)
        c = self.r.random()
        if c < 0.05:
            ln = self.r.randrange(0, 4)                 # shorter than header
        elif c < 0.10:
            ln = self.r.choice([0xffff, ln + self.r.randrange(1, 64)])  # huge
        elif c < 0.15:
            ln = max(4, ln - self.r.randrange(1, 5))   # truncated payload
        return struct.pack("=HH", ln & 0xffff, t & 0xffff) + payload

    def attr(self, t, payload):
        """Mostly well-formed; sometimes lying, unaligned or flagged."""
        c = self.r.random()
        if c < 0.08:
            t |= self.r.choice([g.NLA_F_NESTED, g.NLA_F_NET_BYTEORDER])
        if self.r.random() < 0.12:
            return self.raw_attr(t, payload)
        return g.nla(t, payload)

    def nested_of(self, types, depth):
        n = self.r.randrange(0, 5)
        return b"".join(self.any_attr(types, depth + 1) for _ in range(n))

    def any_attr(self, types, depth=0):
        t = self.r.choice(types) if self.r.random() < 0.9 else self.r.getrandbits(16)
        if depth < 3 and self.r.random() < 0.2:
            # nested where a scalar may be expected
            return self.attr(t, self.nested_of(self.r.choice(
                [SVC_TYPES, DEST_TYPES, DAEMON_TYPES, TOP_TYPES]), depth))
        return self.attr(t, self.rscalar())

    # -- well-formed building blocks, mutated
    def svc_nest(self, full):
        r = self.r
        if r.random() < 0.25:
            s = g.Service(fwmark=r.choice([1, 2, 3, 0, 0xffffffff]),
                          af=r.choice([socket.AF_INET] * 4 + [socket.AF_INET6]))
        elif r.random() < 0.15:
            s = g.Service(proto=r.choice([6, 17, 132, 0, 255]),
                          addr="[2001:db8::%d]:%d" % (r.randrange(1, 3), r.choice(PORTS)))
        else:
            s = g.Service(proto=r.choice([6, 6, 17, 132, 0, 255, r.getrandbits(16)]),
                          addr="%s:%d" % (r.choice(SVC_ADDRS), r.choice(PORTS)))
        s.sched = r.choice(SCHEDS)
        s.flags = r.choice([0, 1, 2, 4, 8, 0x10, 0x20, 0xffffffff, r.getrandbits(32)])
        s.mask = r.choice([0xffffffff, 0, r.getrandbits(32)])
        s.timeout = r.choice([0, 300, 0xffffffff, r.getrandbits(32)])
        if r.random() < 0.3:
            s.netmask = r.choice([0, 1, 24, 128, 129, 0xffffffff, r.getrandbits(32)])
        if r.random() < 0.1:
            s.pe = r.choice(["sip", "nosuch", ""])
        omit = r.sample(["af", "protocol", "addr", "port", "fwmark", "sched",
                         "flags", "timeout", "netmask"], r.choice([0, 0, 0, 1, 2]))
        body = s.attrs(full, omit)
        return self.mutate_nest(body, SVC_TYPES)

    def dest_nest(self, full):
        r = self.r
        if r.random() < 0.1:
            d = g.Dest("[2001:db8::%d]:%d" % (r.randrange(1, 4), r.choice(PORTS)))
        else:
            d = g.Dest("%s:%d" % (r.choice(DEST_ADDRS), r.choice(PORTS)))
        d.fwd = r.choice([0, 1, 2, 3, 0, 3, 4, 5, 7, 8, 0xffffffff])
        d.weight = r.choice([0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff])
        d.u_thresh = r.choice([0, 0, 10, 0x7fffffff, 0x80000000])
        d.l_thresh = r.choice([0, 0, 5, 20, 0xffffffff])
        if r.random() < 0.2:
            d.addr_af = r.choice([socket.AF_INET, socket.AF_INET6, 0, 99])
        if r.random() < 0.2:
            d.tun_type = r.choice([0, 1, 2, 3, 255])
            d.tun_port = r.choice([0, 6080])
            d.tun_flags = r.choice([0, 1, 2, 3, 0xffff])
        omit = r.sample(["addr", "port", "fwd", "weight", "u-thresh", "l-thresh"],
                        r.choice([0, 0, 0, 1, 2]))
        return self.mutate_nest(d.attrs(full, omit), DEST_TYPES)

    def daemon_nest(self):
        r = self.r
        a = [g.u32(g.IPVS_DAEMON_ATTR_STATE, r.choice([0, 1, 2, 3, 0xffffffff])),
             g.strz(g.IPVS_DAEMON_ATTR_MCAST_IFN, r.choice(["nosuchif0", "x" * 20, ""])),
             g.u32(g.IPVS_DAEMON_ATTR_SYNC_ID, r.getrandbits(32))]
        if r.random() < 0.3:
            a.append(g.nla(g.IPVS_DAEMON_ATTR_MCAST_GROUP, self.rbytes(4)))
        if r.random() < 0.3:
            a.append(g.nla(g.IPVS_DAEMON_ATTR_MCAST_GROUP6, self.rbytes(r.choice([16, 4, 0]))))
        r.shuffle(a)
        return self.mutate_nest(g.nest(g.IPVS_CMD_ATTR_DAEMON, *a), DAEMON_TYPES)

    def mutate_nest(self, body, types):
        """body is one nested attribute; maybe corrupt it."""
        r = self.r
        c = r.random()
        if c < 0.55:
            return body
        if c < 0.65:                                   # extra random member
            inner = body[4:] + self.any_attr(types, 1)
            return g.nla(struct.unpack_from("=H", body, 2)[0], inner)
        if c < 0.75:                                   # flip bytes
            b = bytearray(body)
            for _ in range(r.randrange(1, 4)):
                b[r.randrange(len(b))] ^= 1 << r.randrange(8)
            return bytes(b)
        if c < 0.82:                                   # truncate, no fix-up
            return body[:r.randrange(0, len(body))]
        if c < 0.88:                                   # scalar instead
            return g.nla(struct.unpack_from("=H", body, 2)[0], self.rscalar())
        if c < 0.94:                                   # doubled
            return body + body
        # without NLA_F_NESTED (legacy clients)
        return g.nla(struct.unpack_from("=H", body, 2)[0] & ~g.NLA_F_NESTED, body[4:])

    # -- messages
    def payload(self, cmd):
        r = self.r
        c = r.random()
        parts = []
        if c < 0.6:
            full = cmd in (g.IPVS_CMD_NEW_SERVICE, g.IPVS_CMD_SET_SERVICE) or r.random() < 0.3
            if cmd in (g.IPVS_CMD_NEW_DAEMON, g.IPVS_CMD_DEL_DAEMON, g.IPVS_CMD_GET_DAEMON):
                parts.append(self.daemon_nest())
            elif cmd in (g.IPVS_CMD_SET_CONFIG, g.IPVS_CMD_GET_CONFIG):
                for t in (4, 5, 6):
                    if r.random() < 0.6:
                        parts.append(self.attr(t, struct.pack("=I", r.choice(
                            [0, 1, 60, 900, 0x7fffffff, 0xffffffff, r.getrandbits(32)]))))
            else:
                if r.random() < 0.9:
                    parts.append(self.svc_nest(full))
                if cmd in (5, 6, 7, 8) or r.random() < 0.2:
                    parts.append(self.dest_nest(cmd in (5, 6) or r.random() < 0.3))
            for _ in range(r.choice([0, 0, 0, 1, 2])):
                parts.insert(r.randrange(len(parts) + 1), self.any_attr(TOP_TYPES))
        elif c < 0.9:
            for _ in range(r.randrange(0, 6)):
                parts.append(self.any_attr(TOP_TYPES))
        else:
            parts.append(self.rbytes(self.rlen()))
        return b"".join(parts)

    def message(self, seq, pid):
        """(bytes, info) of one request."""
        r = self.r
        c = r.random()
        if c < 0.85:
            cmd = r.randrange(0, g.IPVS_CMD_MAX + 1)
        elif c < 0.95:
            cmd = r.randrange(g.IPVS_CMD_MAX + 1, 256)
        else:
            cmd = r.choice([0, 255])
        mtype = self.fam_ids[0] if len(self.fam_ids) == 1 or r.random() < 0.8 \
            else r.choice(self.fam_ids[1:])
        flags = g.NLM_F_REQUEST | g.NLM_F_ACK
        c = r.random()
        if c < 0.15:
            flags |= g.NLM_F_DUMP
        elif c < 0.25:
            flags = r.getrandbits(16)
        elif c < 0.30:
            flags = g.NLM_F_REQUEST
        version = g.IPVS_GENL_VERSION if r.random() < 0.9 else r.getrandbits(8)
        body = struct.pack("=BBH", cmd, version, 0 if r.random() < 0.95 else
                           r.getrandbits(16)) + self.payload(cmd)
        c = r.random()
        if c < 0.03:
            body = body[:r.randrange(0, 4)]           # no complete genl header
        hdr_len = 16 + len(body)
        lie = False
        c = r.random()
        if c < 0.03 and len(body) > 12:
            # shorter than sent: a tail of under 16 bytes is ignored (a
            # longer one would be parsed as a message of its own)
            hdr_len -= r.randrange(1, 13)
        elif c < 0.05:
            hdr_len += r.randrange(1, 100)             # longer than sent
            lie = True
        elif c < 0.06:
            hdr_len = r.randrange(0, 16)               # shorter than header
            lie = True
        msg = struct.pack("=IHHII", hdr_len, mtype, flags & 0xffff, seq, pid) + body
        return msg, {"seq": seq, "type": mtype, "flags": flags & 0xffff,
                     "len": hdr_len, "cmd": cmd, "lie": lie}


class Checker:
    def __init__(self, sock, fam_ids, out):
        self.sock = sock
        self.fam_ids = fam_ids
        self.problems = []
        self.out = out
        self.stats = {"sent": 0, "datagrams": 0, "acks": 0, "errors": {},
                      "done": 0, "data": 0}

    def problem(self, text):
        self.problems.append(text)
        if len(self.problems) <= 20:
            print("# PROBLEM: " + text, file=self.out)

    def check_attrs(self, data, nested_types, where):
        try:
            for t, _, p in g.parse_attrs(data):
                if t in nested_types:
                    self.check_attrs(p, nested_types[t], where + "/%d" % t)
        except ValueError as e:
            self.problem("%s: malformed attributes: %s" % (where, e))

    def check_message(self, m, sent):
        """sent: seq -> info for requests in flight. Returns the seq the
        message terminates, or None."""
        if m.pid != self.sock.pid:
            self.problem("answer with nlmsg_pid %d, ours is %d" % (m.pid, self.sock.pid))
        info = sent.get(m.seq)
        if info is None:
            self.problem("answer with unknown seq %d (type %d)" % (m.seq, m.type))
            return None
        if m.type == g.NLMSG_ERROR:
            if len(m.payload) < 4 + 16:
                self.problem("seq %d: short NLMSG_ERROR (%d bytes)" % (m.seq, len(m.payload)))
                return m.seq
            err = struct.unpack_from("=i", m.payload)[0]
            if err > 0 or err < -4095:
                self.problem("seq %d: errno %d out of range" % (m.seq, err))
            echo = g.NLMSG_HDR.unpack_from(m.payload, 4)
            if not m.flags & g.NLM_F_CAPPED and err:
                self.problem("seq %d: error not capped despite NETLINK_CAP_ACK" % m.seq)
            want = (info["len"], info["type"], info["flags"], info["seq"])
            if echo[:4] != want:
                self.problem("seq %d: echoed header %r, sent %r" % (m.seq, echo[:4], want))
            if m.flags & g.NLM_F_ACK_TLVS:
                skip = 16 if m.flags & g.NLM_F_CAPPED else echo[0]
                self.check_ext_ack(m.payload[4 + g.nla_align(skip):], info, m.seq)
            if err:
                self.stats["errors"][-err] = self.stats["errors"].get(-err, 0) + 1
            else:
                self.stats["acks"] += 1
            return m.seq
        if m.type == g.NLMSG_DONE:
            self.stats["done"] += 1
            if len(m.payload) < 4:
                self.problem("seq %d: short NLMSG_DONE" % m.seq)
            else:
                err = struct.unpack_from("=i", m.payload)[0]
                if err > 0 or err < -4095:
                    self.problem("seq %d: NLMSG_DONE errno %d" % (m.seq, err))
                if m.flags & g.NLM_F_ACK_TLVS:
                    self.check_ext_ack(m.payload[4:], info, m.seq)
            if not m.flags & g.NLM_F_MULTI:
                self.problem("seq %d: NLMSG_DONE without NLM_F_MULTI" % m.seq)
            return m.seq
        if m.type != info["type"]:
            self.problem("seq %d: answer of type %d to a request of type %d" %
                         (m.seq, m.type, info["type"]))
            return None
        self.stats["data"] += 1
        if m.cmd is None:
            self.problem("seq %d: data message without genl header" % m.seq)
            return None
        if not 1 <= m.cmd <= g.IPVS_CMD_MAX:
            self.problem("seq %d: reply command %d" % (m.seq, m.cmd))
        stats = {}
        svc = {g.IPVS_SVC_ATTR_STATS: stats, g.IPVS_SVC_ATTR_STATS64: stats}
        dest = {g.IPVS_DEST_ATTR_STATS: stats, g.IPVS_DEST_ATTR_STATS64: stats}
        # which top-level attributes are nests depends on the reply
        nested = {g.IPVS_CMD_NEW_SERVICE: {g.IPVS_CMD_ATTR_SERVICE: svc},
                  g.IPVS_CMD_NEW_DEST: {g.IPVS_CMD_ATTR_DEST: dest},
                  g.IPVS_CMD_NEW_DAEMON: {g.IPVS_CMD_ATTR_DAEMON: {}}}.get(m.cmd, {})
        self.check_attrs(m.attrs, nested, "seq %d cmd %d" % (m.seq, m.cmd))
        return None

    def check_ext_ack(self, tlvs, info, seq):
        try:
            for t, _, p in g.parse_attrs(tlvs):
                if t == g.NLMSGERR_ATTR_MSG:
                    if not p.endswith(b"\0") or b"\0" in p[:-1]:
                        self.problem("seq %d: extack message not one C string: %r" % (seq, p))
                elif t == g.NLMSGERR_ATTR_OFFS:
                    off = struct.unpack("=I", p[:4])[0] if len(p) >= 4 else -1
                    if len(p) != 4 or off >= max(info["len"], 16):
                        self.problem("seq %d: extack offset %d beyond request of %d" %
                                     (seq, off, info["len"]))
        except ValueError as e:
            self.problem("seq %d: malformed extack TLVs: %s" % (seq, e))

    def receive(self, sent, need, sentinel, deadline):
        """Read until the sentinel is answered and every seq in need has a
        terminal answer."""
        terminals = set()
        sentinel_ok = False
        while True:
            if sentinel_ok and need <= terminals:
                return
            try:
                self.sock.sock.settimeout(max(0.1, deadline - time.monotonic()))
                buf = self.sock.recv_raw()
            except socket.timeout:
                self.problem("no answer for seq %s (sentinel %s)" % (
                    sorted(need - terminals), "answered" if sentinel_ok else "unanswered"))
                return
            except OSError as e:
                self.problem("recv: %s" % e)
                return
            self.stats["datagrams"] += 1
            try:
                msgs = g.split_messages(buf)
            except ValueError as e:
                self.problem("malformed datagram: %s: %s" % (e, buf[:64].hex()))
                continue
            for m in msgs:
                seq = self.check_message(m, sent)
                if seq is None:
                    continue
                if seq in terminals and seq != sentinel:
                    self.problem("seq %d: second terminal answer" % seq)
                terminals.add(seq)
                if seq == sentinel:
                    if m.type != g.NLMSG_ERROR or struct.unpack_from("=i", m.payload)[0]:
                        self.problem("sentinel GET_INFO failed: type %d" % m.type)
                    sentinel_ok = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--family", default="nfvs")
    ap.add_argument("--also", action="append", default=[])
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--count", type=int, default=10000)
    # 0: none. make check leaves it so: the guest's per-script timeout stops
    # a fuzzer that hangs, and a slow host must not fail the run.
    ap.add_argument("--time-limit", type=float, default=0)
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else int.from_bytes(os.urandom(4), "little")
    print("# seed %d (NFVS_FUZZ_SEED=%d reproduces)" % (seed, seed))
    rnd = random.Random(seed)

    sock = g.GenlSocket(rcvbuf=4 << 20)
    fam_ids = [sock.family(a.family)[0]] + [sock.family(f)[0] for f in a.also]
    fz = Fuzzer(rnd, fam_ids)
    ck = Checker(sock, fam_ids, sys.stdout)
    start = time.monotonic()
    seq = 1
    sent = {}       # every request, so late parts of a dump are recognised
    while ck.stats["sent"] < a.count:
        if a.time_limit and time.monotonic() - start > a.time_limit:
            ck.problem("time limit of %ds reached after %d messages" %
                       (a.time_limit, ck.stats["sent"]))
            break
        need = set()
        datagrams = []
        exact = False
        batch = 0
        for _ in range(rnd.randrange(1, 9)):
            seq += 1
            pid = 0 if rnd.random() < 0.95 else rnd.getrandbits(32)
            msg, info = fz.message(seq, pid)
            sent[seq] = info
            batch += 1
            if info["flags"] & g.NLM_F_REQUEST and info["flags"] & g.NLM_F_ACK \
                    and not info["lie"] and info["len"] == len(msg) \
                    and info["type"] >= g.NLMSG_MIN_TYPE:
                need.add(seq)
            ok_len = info["len"] == len(msg)
            if datagrams and exact and ok_len and rnd.random() < 0.3:
                # several messages in one datagram (each padded to 4 bytes)
                prev = datagrams[-1]
                datagrams[-1] = prev + b"\0" * (g.nla_align(len(prev)) - len(prev)) + msg
            else:
                datagrams.append(msg)
                exact = ok_len
        for d in datagrams:
            try:
                sock.send_raw(d)
            except OSError as e:
                ck.problem("send: %s" % e)
        ck.stats["sent"] += batch
        seq += 1
        sent[seq] = {"seq": seq, "type": fam_ids[0], "flags": g.NLM_F_REQUEST | g.NLM_F_ACK,
                     "len": 20, "cmd": g.IPVS_CMD_GET_INFO, "lie": False}
        sock.send_raw(g.GenlSocket.build(fam_ids[0], g.NLM_F_REQUEST | g.NLM_F_ACK, seq,
                                         g.IPVS_CMD_GET_INFO))
        ck.receive(sent, need, seq, time.monotonic() + 10)
        if len(ck.problems) > 200:
            break
    el = time.monotonic() - start
    st = ck.stats
    print("# %d messages in %.1fs: %d datagrams received, %d acks, %d data, %d done, "
          "errors %s" % (st["sent"], el, st["datagrams"], st["acks"], st["data"], st["done"],
                         " ".join("%s:%d" % (k, v) for k, v in sorted(st["errors"].items()))))
    print("# %d problems" % len(ck.problems))
    return 0 if not ck.problems else 1


if __name__ == "__main__":
    sys.exit(main())
