# SPDX-License-Identifier: GPL-2.0
"""nfvs_genl_impl.py: a dependency-free generic netlink client for the IPVS
protocol, as spoken by nfvs (family "nfvs", and "IPVS" with ipvs_compat=1)
and by in-tree ip_vs (family "IPVS"). Commands and attributes are those of
include/uapi/linux/ip_vs.h.

Used through nfvs_genl.py, as a library (import nfvs_genl from a sibling
script) and as a CLI:

  nfvs_genl.py [--family NAME] [--json] COMMAND ...

  info                           version and connection table size
  add-service SVC [SVCOPTS]      SVC is "tcp|udp|sctp ADDR:PORT" or
  set-service SVC [SVCOPTS]        "fwmark N" (IPv6: [ADDR]:PORT, --af inet6)
  del-service SVC
  get-service SVC                the service, as list-services prints it
  list-services                  one line per service
  list-conns                     the connection table (nfvs family only)
  add-dest SVC DEST [DESTOPTS]   DEST is ADDR:PORT
  set-dest SVC DEST [DESTOPTS]
  del-dest SVC DEST
  list-dests SVC                 one line per real server
  save                           the table as "ipvsadm -Sn" prints it
  set-config [--tcp N] [--tcpfin N] [--udp N]
  get-config                     "tcp N tcpfin N udp N"
  zero [SVC]
  flush
  new-daemon master|backup --ifn IF [--syncid N] [--maxlen N]
             [--mcast-group ADDR] [--mcast-port N] [--mcast-ttl N]
  del-daemon master|backup
  list-daemons
  raw CMD [--attr-hex HEX] [--dump] [--nlflags N] [--version N]
                                 send an arbitrary payload (CMD is a number
                                 or a command name such as new-service)
  batch DIR                      one command per line of stdin, "NAME
                                 COMMAND ARGS...", run in this process
                                 (after batch's global options); what
                                 each prints and returns goes to
                                 DIR/NAME.out, DIR/NAME.err, DIR/NAME.rc

  SVCOPTS:  --sched NAME (wlc)  --flags N[/MASK] (0/0xffffffff)
            --persistent [T]    --timeout N (0)  --netmask X (v4 dotted or
            prefix length; 255.255.255.255 or 128)  --pe NAME
  DESTOPTS: --fwd nat|masq|local|tun|dr|route|N (dr)  --weight W (1)
            --u-thresh N (0)  --l-thresh N (0)  --tun-type ipip|gue|gre
            --tun-port N  --tun-flags N  --dest-af inet|inet6
  Global:   --legacy-nest sends nests without NLA_F_NESTED (as moby/ipvs,
            kube-proxy's library, does; ipvsadm/libnl >= 3.5 set it)
  Both:     --omit NAME (repeatable) leaves that attribute out, for tests:
            af protocol addr port fwmark sched flags timeout netmask pe /
            fwd weight u-thresh l-thresh dest-af; --no-svc / --no-dest leave
            out the whole nested attribute.

Defaults are ipvsadm's (scheduler wlc, direct routing, weight 1), so what
this tool adds shows identically in "ipvsadm -Ln" and "ipvsadm -Sn".

Exit status: 0 success; 1 usage error or no such family; 2 the kernel
refused, with "error: <strerror> (errno N): <extack message>" on stderr (the
": <extack message>" part only when the kernel sent one).
"""

import argparse
import contextlib
import errno as errno_mod
import io
import json
import os
import shlex
import socket
import struct
import sys

# netlink
NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11

NLMSG_NOOP = 1
NLMSG_ERROR = 2
NLMSG_DONE = 3
NLMSG_OVERRUN = 4
NLMSG_MIN_TYPE = 0x10

NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_ECHO = 0x08
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP_FILTERED = 0x20
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
NLM_F_CAPPED = 0x100        # in NLMSG_ERROR
NLM_F_ACK_TLVS = 0x200      # in NLMSG_ERROR / NLMSG_DONE

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_COOKIE = 3
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

NLA_F_NESTED = 0x8000
NLA_F_NET_BYTEORDER = 0x4000
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xffff

NLMSG_HDR = struct.Struct("=IHHII")
GENL_HDR = struct.Struct("=BBH")
NLA_HDR = struct.Struct("=HH")

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_HDRSIZE = 4
CTRL_ATTR_MAXATTR = 5
CTRL_ATTR_OPS = 6
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2

# IPVS (include/uapi/linux/ip_vs.h)
IPVS_GENL_VERSION = 1
CMDS = [
    "unspec", "new-service", "set-service", "del-service", "get-service",
    "new-dest", "set-dest", "del-dest", "get-dest",
    "new-daemon", "del-daemon", "get-daemon",
    "set-config", "get-config", "set-info", "get-info", "zero", "flush",
]
CMD = {name: i for i, name in enumerate(CMDS)}
IPVS_CMD_NEW_SERVICE = 1
IPVS_CMD_SET_SERVICE = 2
IPVS_CMD_DEL_SERVICE = 3
IPVS_CMD_GET_SERVICE = 4
IPVS_CMD_NEW_DEST = 5
IPVS_CMD_SET_DEST = 6
IPVS_CMD_DEL_DEST = 7
IPVS_CMD_GET_DEST = 8
IPVS_CMD_NEW_DAEMON = 9
IPVS_CMD_DEL_DAEMON = 10
IPVS_CMD_GET_DAEMON = 11
IPVS_CMD_SET_CONFIG = 12
IPVS_CMD_GET_CONFIG = 13
IPVS_CMD_SET_INFO = 14
IPVS_CMD_GET_INFO = 15
IPVS_CMD_ZERO = 16
IPVS_CMD_FLUSH = 17
IPVS_CMD_MAX = 17
# Commands that change state (need CAP_NET_ADMIN).
MUTATING_CMDS = [1, 2, 3, 5, 6, 7, 9, 10, 12, 16, 17]

IPVS_CMD_ATTR_SERVICE = 1
IPVS_CMD_ATTR_DEST = 2
IPVS_CMD_ATTR_DAEMON = 3
IPVS_CMD_ATTR_TIMEOUT_TCP = 4
IPVS_CMD_ATTR_TIMEOUT_TCP_FIN = 5
IPVS_CMD_ATTR_TIMEOUT_UDP = 6
IPVS_CMD_ATTR_MAX = 6

IPVS_SVC_ATTR_AF = 1
IPVS_SVC_ATTR_PROTOCOL = 2
IPVS_SVC_ATTR_ADDR = 3
IPVS_SVC_ATTR_PORT = 4
IPVS_SVC_ATTR_FWMARK = 5
IPVS_SVC_ATTR_SCHED_NAME = 6
IPVS_SVC_ATTR_FLAGS = 7
IPVS_SVC_ATTR_TIMEOUT = 8
IPVS_SVC_ATTR_NETMASK = 9
IPVS_SVC_ATTR_STATS = 10
IPVS_SVC_ATTR_PE_NAME = 11
IPVS_SVC_ATTR_STATS64 = 12
IPVS_SVC_ATTR_MAX = 12
NFVS_SVC_ATTR_HELPER = 13  # nfvs only: ftp or none
# nfvs only: the connection table (include/uapi/linux/nfvs.h)
NFVS_CMD_GET_CONN = 18
NFVS_CMD_ATTR_CONN = 7
(NFVS_CONN_ATTR_AF, NFVS_CONN_ATTR_PROTOCOL, NFVS_CONN_ATTR_CADDR,
 NFVS_CONN_ATTR_CPORT, NFVS_CONN_ATTR_VADDR, NFVS_CONN_ATTR_VPORT,
 NFVS_CONN_ATTR_DADDR, NFVS_CONN_ATTR_DPORT, NFVS_CONN_ATTR_FWD,
 NFVS_CONN_ATTR_STATE, NFVS_CONN_ATTR_EXPIRES, NFVS_CONN_ATTR_FLAGS,
 NFVS_CONN_ATTR_ZONE, NFVS_CONN_ATTR_HELPER,
 NFVS_CONN_ATTR_CONTROLLED) = range(1, 16)

IPVS_DEST_ATTR_ADDR = 1
IPVS_DEST_ATTR_PORT = 2
IPVS_DEST_ATTR_FWD_METHOD = 3
IPVS_DEST_ATTR_WEIGHT = 4
IPVS_DEST_ATTR_U_THRESH = 5
IPVS_DEST_ATTR_L_THRESH = 6
IPVS_DEST_ATTR_ACTIVE_CONNS = 7
IPVS_DEST_ATTR_INACT_CONNS = 8
IPVS_DEST_ATTR_PERSIST_CONNS = 9
IPVS_DEST_ATTR_STATS = 10
IPVS_DEST_ATTR_ADDR_FAMILY = 11
IPVS_DEST_ATTR_STATS64 = 12
IPVS_DEST_ATTR_TUN_TYPE = 13
IPVS_DEST_ATTR_TUN_PORT = 14
IPVS_DEST_ATTR_TUN_FLAGS = 15
IPVS_DEST_ATTR_MAX = 15

IPVS_DAEMON_ATTR_STATE = 1
IPVS_DAEMON_ATTR_MCAST_IFN = 2
IPVS_DAEMON_ATTR_SYNC_ID = 3
IPVS_DAEMON_ATTR_SYNC_MAXLEN = 4
IPVS_DAEMON_ATTR_MCAST_GROUP = 5
IPVS_DAEMON_ATTR_MCAST_GROUP6 = 6
IPVS_DAEMON_ATTR_MCAST_PORT = 7
IPVS_DAEMON_ATTR_MCAST_TTL = 8
IPVS_DAEMON_ATTR_MAX = 8

IPVS_STATS_ATTR_MAX = 11
IPVS_INFO_ATTR_VERSION = 1
IPVS_INFO_ATTR_CONN_TAB_SIZE = 2

IP_VS_STATE_MASTER = 1
IP_VS_STATE_BACKUP = 2

IP_VS_SVC_F_PERSISTENT = 0x0001
IP_VS_SVC_F_ONEPACKET = 0x0004

FWD = {"nat": 0, "masq": 0, "local": 1, "tun": 2, "tunnel": 2, "dr": 3,
       "route": 3, "droute": 3, "bypass": 4}
FWD_NAME = {0: "nat", 1: "local", 2: "tun", 3: "dr", 4: "bypass"}
TUN_TYPE = {"ipip": 0, "gue": 1, "gre": 2}
TUN_NAME = {v: k for k, v in TUN_TYPE.items()}
PROTO = {"tcp": socket.IPPROTO_TCP, "udp": socket.IPPROTO_UDP, "sctp": 132}
PROTO_NAME = {v: k for k, v in PROTO.items()}
AF = {"inet": socket.AF_INET, "inet6": socket.AF_INET6, "4": socket.AF_INET,
      "6": socket.AF_INET6}
AF_NAME = {socket.AF_INET: "inet", socket.AF_INET6: "inet6"}


# ---------------------------------------------------------------- encoding

def nla_align(n):
    return (n + 3) & ~3


def nla(atype, payload=b""):
    """One attribute: header, payload, padding to 4 bytes."""
    ln = NLA_HDR.size + len(payload)
    return NLA_HDR.pack(ln, atype) + payload + b"\0" * (nla_align(ln) - ln)


# libnl >= 3.5 (so ipvsadm, keepalived) sets NLA_F_NESTED on nests; older
# clients (moby/ipvs, as used by kube-proxy and Docker) do not.
NESTED_FLAG = True


def nest(atype, *children, flag=None):
    """A nested attribute, with NLA_F_NESTED unless flag (default
    NESTED_FLAG) is false."""
    if flag is None:
        flag = NESTED_FLAG
    return nla(atype | (NLA_F_NESTED if flag else 0), b"".join(children))


def u8(atype, v):
    return nla(atype, struct.pack("=B", v & 0xff))


def u16(atype, v):
    return nla(atype, struct.pack("=H", v & 0xffff))


def be16(atype, v):
    return nla(atype, struct.pack("!H", v & 0xffff))


def u32(atype, v):
    return nla(atype, struct.pack("=I", v & 0xffffffff))


def strz(atype, s):
    return nla(atype, s.encode() + b"\0")


def inet_addr(af, text):
    """union nf_inet_addr: 16 bytes, IPv4 in the first 4, network order."""
    raw = socket.inet_pton(af, text)
    return raw + b"\0" * (16 - len(raw))


def parse_attrs(data, strict=True):
    """Attributes of a buffer as a list of (type without flags, flags,
    payload). strict: raise ValueError on a malformed TLV or padding."""
    out = []
    off = 0
    while off + NLA_HDR.size <= len(data):
        ln, t = NLA_HDR.unpack_from(data, off)
        if ln < NLA_HDR.size or off + ln > len(data):
            if strict:
                raise ValueError("bad attribute length %d at %d of %d" %
                                 (ln, off, len(data)))
            break
        out.append((t & NLA_TYPE_MASK, t & ~NLA_TYPE_MASK & 0xffff,
                    data[off + NLA_HDR.size:off + ln]))
        off += nla_align(ln)
    if strict and off < len(data) and len(data) - off >= NLA_HDR.size:
        raise ValueError("trailing bytes after attributes")
    return out


def attr_dict(data):
    return {t: p for t, _, p in parse_attrs(data)}


def get_u16(d, t, default=None):
    return struct.unpack("=H", d[t][:2])[0] if t in d else default


def get_be16(d, t, default=None):
    return struct.unpack("!H", d[t][:2])[0] if t in d else default


def get_u32(d, t, default=None):
    return struct.unpack("=I", d[t][:4])[0] if t in d else default


def get_u8(d, t, default=None):
    return d[t][0] if t in d else default


def get_str(d, t, default=None):
    return d[t].split(b"\0", 1)[0].decode(errors="replace") if t in d else default


# ---------------------------------------------------------------- socket

class NetlinkError(Exception):
    """The kernel refused a request: errno and extack message."""

    def __init__(self, err, msg="", offs=None):
        self.errno = err
        self.msg = msg
        self.offs = offs
        super().__init__(self.text())

    def text(self):
        s = "%s (errno %d)" % (os.strerror(self.errno), self.errno)
        return s + (": " + self.msg if self.msg else "")


class Message:
    """A received netlink message."""

    def __init__(self, mtype, flags, seq, pid, payload):
        self.type = mtype
        self.flags = flags
        self.seq = seq
        self.pid = pid
        self.payload = payload
        self.cmd = self.version = None
        self.attrs = b""
        if mtype >= NLMSG_MIN_TYPE and len(payload) >= GENL_HDR.size:
            self.cmd, self.version, _ = GENL_HDR.unpack_from(payload)
            self.attrs = payload[GENL_HDR.size:]


def split_messages(buf):
    """A datagram as a list of Message. Raises ValueError when malformed."""
    msgs = []
    off = 0
    while off < len(buf):
        if len(buf) - off < NLMSG_HDR.size:
            raise ValueError("%d stray bytes after the last message" %
                             (len(buf) - off))
        ln, t, fl, seq, pid = NLMSG_HDR.unpack_from(buf, off)
        if ln < NLMSG_HDR.size or off + ln > len(buf):
            raise ValueError("bad nlmsg_len %d at %d of %d" % (ln, off, len(buf)))
        msgs.append(Message(t, fl, seq, pid, buf[off + NLMSG_HDR.size:off + ln]))
        off += nla_align(ln)
    return msgs


def error_info(msg):
    """(errno (positive), extack message, offset) of an NLMSG_ERROR or
    NLMSG_DONE message."""
    err = struct.unpack_from("=i", msg.payload)[0]
    rest = msg.payload[4:]
    text = ""
    offs = None
    if msg.flags & NLM_F_ACK_TLVS:
        if msg.type == NLMSG_ERROR:
            # echoed request: header only if capped, else all of it
            if len(rest) >= NLMSG_HDR.size:
                ln = NLMSG_HDR.unpack_from(rest)[0]
                skip = NLMSG_HDR.size if msg.flags & NLM_F_CAPPED else ln
                rest = rest[nla_align(skip):]
        for t, _, p in parse_attrs(rest, strict=False):
            if t == NLMSGERR_ATTR_MSG:
                text = p.split(b"\0", 1)[0].decode(errors="replace")
            elif t == NLMSGERR_ATTR_OFFS and len(p) >= 4:
                offs = struct.unpack("=I", p[:4])[0]
    return -err, text, offs


class GenlSocket:
    """A NETLINK_GENERIC socket with extended acks and capped echoes."""

    def __init__(self, rcvbuf=1 << 20, timeout=10.0):
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                  NETLINK_GENERIC)
        for opt in (NETLINK_EXT_ACK, NETLINK_CAP_ACK):
            try:
                self.sock.setsockopt(SOL_NETLINK, opt, 1)
            except OSError:
                pass
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        except OSError:
            pass
        self.sock.bind((0, 0))
        self.pid = self.sock.getsockname()[0]
        self.sock.settimeout(timeout)
        self.seq = 1000

    def close(self):
        self.sock.close()

    def next_seq(self):
        self.seq = (self.seq + 1) & 0xffffffff
        return self.seq

    def send_raw(self, data):
        return self.sock.send(data)

    def recv_raw(self, size=1 << 20):
        return self.sock.recv(size)

    @staticmethod
    def build(mtype, flags, seq, cmd, attrs=b"", version=IPVS_GENL_VERSION,
              pid=0):
        body = GENL_HDR.pack(cmd & 0xff, version & 0xff, 0) + attrs
        return NLMSG_HDR.pack(NLMSG_HDR.size + len(body), mtype, flags, seq,
                              pid) + body

    def request(self, mtype, cmd, attrs=b"", dump=False, flags=None,
                version=IPVS_GENL_VERSION):
        """Send one request and collect its answer: a list of data
        Messages. Raises NetlinkError on a refusal."""
        seq = self.next_seq()
        if flags is None:
            flags = NLM_F_REQUEST | NLM_F_ACK | (NLM_F_DUMP if dump else 0)
        self.send_raw(self.build(mtype, flags, seq, cmd, attrs, version))
        dump = bool(flags & NLM_F_DUMP)
        out = []
        while True:
            for m in split_messages(self.recv_raw()):
                if m.seq != seq:
                    continue
                if m.type == NLMSG_ERROR:
                    err, text, offs = error_info(m)
                    if err:
                        raise NetlinkError(err, text, offs)
                    if not dump:
                        return out
                elif m.type == NLMSG_DONE:
                    err, text, offs = error_info(m)
                    if err:
                        raise NetlinkError(err, text, offs)
                    return out
                elif m.type in (NLMSG_NOOP, NLMSG_OVERRUN):
                    continue
                else:
                    out.append(m)
                    if not dump and not flags & NLM_F_ACK:
                        return out

    def family(self, name):
        """(id, version, maxattr, {op id: op flags}) of a family, or
        NetlinkError(ENOENT)."""
        reply = self.request(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                             strz(CTRL_ATTR_FAMILY_NAME, name), version=1)
        d = attr_dict(reply[0].attrs)
        ops = {}
        if CTRL_ATTR_OPS in d:
            for _, _, op in parse_attrs(d[CTRL_ATTR_OPS]):
                od = attr_dict(op)
                ops[get_u32(od, CTRL_ATTR_OP_ID)] = get_u32(od, CTRL_ATTR_OP_FLAGS, 0)
        return (get_u16(d, CTRL_ATTR_FAMILY_ID), get_u32(d, CTRL_ATTR_VERSION),
                get_u32(d, CTRL_ATTR_MAXATTR), ops)


# ---------------------------------------------------------------- IPVS

def split_addrport(text):
    """"1.2.3.4:80" or "[2001:db8::1]:80" -> (af, addr text, port)."""
    if text.startswith("["):
        host, _, port = text[1:].partition("]:")
        af = socket.AF_INET6
    else:
        host, _, port = text.rpartition(":")
        af = socket.AF_INET6 if ":" in host else socket.AF_INET
    if not host or not port:
        raise ValueError("expected ADDR:PORT, got %r" % text)
    socket.inet_pton(af, host)
    return af, host, int(port, 0)


class Service:
    """An IPVS virtual service: what identifies it and, for add/set, the
    rest. None means "not sent"."""

    def __init__(self, proto=None, addr=None, fwmark=None, af=None,
                 sched="wlc", flags=0, mask=0xffffffff, timeout=0,
                 netmask=None, pe=None, helper=None):
        self.fwmark = fwmark
        self.proto = proto
        self.port = None
        self.addr = None
        if fwmark is None:
            self.af, self.addr, self.port = split_addrport(addr)
        else:
            self.af = af or socket.AF_INET
        if af is not None:
            self.af = af
        self.sched = sched
        self.flags = flags
        self.mask = mask
        self.timeout = timeout
        if netmask is None:
            netmask = "255.255.255.255" if self.af == socket.AF_INET else "128"
        self.netmask = netmask
        self.pe = pe
        self.helper = helper

    def netmask_raw(self):
        if isinstance(self.netmask, int):
            return struct.pack("=I", self.netmask)
        if "." in self.netmask:
            return socket.inet_aton(self.netmask)   # __be32, as ipvsadm
        return struct.pack("=I", int(self.netmask, 0))  # v6 prefix length

    def attrs(self, full=False, omit=()):
        a = []
        if "af" not in omit:
            a.append(u16(IPVS_SVC_ATTR_AF, self.af))
        if self.fwmark is not None:
            if "fwmark" not in omit:
                a.append(u32(IPVS_SVC_ATTR_FWMARK, self.fwmark))
        else:
            if "protocol" not in omit:
                a.append(u16(IPVS_SVC_ATTR_PROTOCOL, PROTO.get(self.proto, self.proto)
                             if isinstance(self.proto, str) else self.proto))
            if "addr" not in omit:
                a.append(nla(IPVS_SVC_ATTR_ADDR, inet_addr(self.af, self.addr)))
            if "port" not in omit:
                a.append(be16(IPVS_SVC_ATTR_PORT, self.port))
        if full:
            if "sched" not in omit:
                a.append(strz(IPVS_SVC_ATTR_SCHED_NAME, self.sched))
            if self.pe and "pe" not in omit:
                a.append(strz(IPVS_SVC_ATTR_PE_NAME, self.pe))
            if self.helper and "helper" not in omit:
                a.append(strz(NFVS_SVC_ATTR_HELPER, self.helper))
            if "flags" not in omit:
                a.append(nla(IPVS_SVC_ATTR_FLAGS,
                             struct.pack("=II", self.flags & 0xffffffff,
                                         self.mask & 0xffffffff)))
            if "timeout" not in omit:
                a.append(u32(IPVS_SVC_ATTR_TIMEOUT, self.timeout))
            if "netmask" not in omit:
                a.append(nla(IPVS_SVC_ATTR_NETMASK, self.netmask_raw()))
        return nest(IPVS_CMD_ATTR_SERVICE, *a)


class Dest:
    def __init__(self, addr, fwd=3, weight=1, u_thresh=0, l_thresh=0,
                 tun_type=None, tun_port=None, tun_flags=None, af=None):
        self.af, self.addr, self.port = split_addrport(addr)
        self.addr_af = af        # IPVS_DEST_ATTR_ADDR_FAMILY, when set
        self.fwd = fwd
        self.weight = weight
        self.u_thresh = u_thresh
        self.l_thresh = l_thresh
        self.tun_type = tun_type
        self.tun_port = tun_port
        self.tun_flags = tun_flags

    def attrs(self, full=False, omit=()):
        a = []
        if "addr" not in omit:
            a.append(nla(IPVS_DEST_ATTR_ADDR, inet_addr(self.af, self.addr)))
        if "port" not in omit:
            a.append(be16(IPVS_DEST_ATTR_PORT, self.port))
        if self.addr_af is not None and "dest-af" not in omit:
            a.append(u16(IPVS_DEST_ATTR_ADDR_FAMILY, self.addr_af))
        if full:
            for name, t, v in (("fwd", IPVS_DEST_ATTR_FWD_METHOD, self.fwd),
                               ("weight", IPVS_DEST_ATTR_WEIGHT, self.weight),
                               ("u-thresh", IPVS_DEST_ATTR_U_THRESH, self.u_thresh),
                               ("l-thresh", IPVS_DEST_ATTR_L_THRESH, self.l_thresh)):
                if name not in omit:
                    a.append(u32(t, v))
            if self.tun_type is not None:
                a.append(u8(IPVS_DEST_ATTR_TUN_TYPE, self.tun_type))
            if self.tun_port is not None:
                a.append(be16(IPVS_DEST_ATTR_TUN_PORT, self.tun_port))
            if self.tun_flags is not None:
                a.append(u16(IPVS_DEST_ATTR_TUN_FLAGS, self.tun_flags))
        return nest(IPVS_CMD_ATTR_DEST, *a)


def decode_service(attrs):
    """A dumped IPVS_CMD_ATTR_SERVICE payload as a dict."""
    d = attr_dict(attrs)
    af = get_u16(d, IPVS_SVC_ATTR_AF)
    s = {"af": af}
    if IPVS_SVC_ATTR_FWMARK in d:
        s["fwmark"] = get_u32(d, IPVS_SVC_ATTR_FWMARK)
    else:
        s["protocol"] = get_u16(d, IPVS_SVC_ATTR_PROTOCOL)
        s["port"] = get_be16(d, IPVS_SVC_ATTR_PORT)
        raw = d.get(IPVS_SVC_ATTR_ADDR, b"\0" * 16)
        s["addr"] = socket.inet_ntop(af, raw[:4] if af == socket.AF_INET else raw[:16])
    s["sched"] = get_str(d, IPVS_SVC_ATTR_SCHED_NAME)
    s["pe"] = get_str(d, IPVS_SVC_ATTR_PE_NAME)
    s["helper"] = get_str(d, NFVS_SVC_ATTR_HELPER)
    fl = d.get(IPVS_SVC_ATTR_FLAGS, b"\0" * 8)
    s["flags"], s["flags_mask"] = struct.unpack("=II", fl[:8].ljust(8, b"\0"))
    s["timeout"] = get_u32(d, IPVS_SVC_ATTR_TIMEOUT)
    nm = d.get(IPVS_SVC_ATTR_NETMASK, b"\0" * 4)[:4]
    s["netmask"] = (socket.inet_ntoa(nm) if af == socket.AF_INET
                    else struct.unpack("=I", nm)[0])
    s["netmask_raw"] = struct.unpack("=I", nm)[0]
    return s


def decode_dest(attrs):
    d = attr_dict(attrs)
    af = get_u16(d, IPVS_DEST_ATTR_ADDR_FAMILY)
    raw = d.get(IPVS_DEST_ATTR_ADDR, b"\0" * 16)
    return {
        "af": af,
        "addr": socket.inet_ntop(af or socket.AF_INET,
                                 raw[:16] if af == socket.AF_INET6 else raw[:4]),
        "port": get_be16(d, IPVS_DEST_ATTR_PORT),
        "fwd": get_u32(d, IPVS_DEST_ATTR_FWD_METHOD),
        "weight": struct.unpack("=i", d[IPVS_DEST_ATTR_WEIGHT][:4])[0]
        if IPVS_DEST_ATTR_WEIGHT in d else None,
        "u_thresh": get_u32(d, IPVS_DEST_ATTR_U_THRESH),
        "l_thresh": get_u32(d, IPVS_DEST_ATTR_L_THRESH),
        "active": get_u32(d, IPVS_DEST_ATTR_ACTIVE_CONNS),
        "inactive": get_u32(d, IPVS_DEST_ATTR_INACT_CONNS),
        "persist": get_u32(d, IPVS_DEST_ATTR_PERSIST_CONNS),
        "tun_type": get_u8(d, IPVS_DEST_ATTR_TUN_TYPE),
        "tun_port": get_be16(d, IPVS_DEST_ATTR_TUN_PORT),
        "tun_flags": get_u16(d, IPVS_DEST_ATTR_TUN_FLAGS),
    }


def service_spec(s):
    """The SVC words (as the CLI takes them) of a decoded service."""
    if "fwmark" in s:
        return "fwmark %d" % s["fwmark"] + (" af inet6" if s["af"] == socket.AF_INET6 else "")
    host = s["addr"] if s["af"] == socket.AF_INET else "[%s]" % s["addr"]
    return "%s %s:%d" % (PROTO_NAME.get(s["protocol"], str(s["protocol"])), host, s["port"])


def service_line(s):
    line = "%s sched %s flags 0x%x timeout %d netmask %s" % (
        service_spec(s), s["sched"], s["flags"], s["timeout"], s["netmask"])
    if s["pe"]:
        line += " pe " + s["pe"]
    if s.get("helper") and s["helper"] != "none":
        line += " helper " + s["helper"]
    return line


def dest_line(d):
    host = d["addr"] if d["af"] != socket.AF_INET6 else "[%s]" % d["addr"]
    line = "%s:%d fwd %s weight %d u_thresh %d l_thresh %d active %d inactive %d persist %d" % (
        host, d["port"], FWD_NAME.get(d["fwd"], str(d["fwd"])), d["weight"],
        d["u_thresh"], d["l_thresh"], d["active"], d["inactive"], d["persist"])
    if d["fwd"] == 2 and d["tun_type"]:
        line += " tun %s port %d" % (TUN_NAME.get(d["tun_type"], d["tun_type"]),
                                     d["tun_port"] or 0)
    return line


class Ipvs:
    """A client of one IPVS-protocol family ("IPVS" or "nfvs")."""

    def __init__(self, family="IPVS", sock=None):
        self.sock = sock or GenlSocket()
        self.family_name = family
        self.id, self.version, self.maxattr, self.ops = self.sock.family(family)

    def req(self, cmd, attrs=b"", dump=False, **kw):
        return self.sock.request(self.id, cmd, attrs, dump=dump, **kw)

    def info(self):
        d = attr_dict(self.req(IPVS_CMD_GET_INFO)[0].attrs)
        return get_u32(d, IPVS_INFO_ATTR_VERSION), get_u32(d, IPVS_INFO_ATTR_CONN_TAB_SIZE)

    def conns(self):
        out = []
        for m in self.req(NFVS_CMD_GET_CONN, dump=True):
            d = attr_dict(m.attrs)
            if NFVS_CMD_ATTR_CONN not in d:
                continue
            c = attr_dict(d[NFVS_CMD_ATTR_CONN])

            def addr(t):
                return socket.inet_ntop(socket.AF_INET, c.get(t, b"\0" * 4)[:4])
            out.append({
                "protocol": get_u16(c, NFVS_CONN_ATTR_PROTOCOL),
                "client": "%s:%d" % (addr(NFVS_CONN_ATTR_CADDR),
                                     get_be16(c, NFVS_CONN_ATTR_CPORT)),
                "virtual": "%s:%d" % (addr(NFVS_CONN_ATTR_VADDR),
                                      get_be16(c, NFVS_CONN_ATTR_VPORT)),
                "real": "%s:%d" % (addr(NFVS_CONN_ATTR_DADDR),
                                   get_be16(c, NFVS_CONN_ATTR_DPORT)),
                "fwd": FWD_NAME.get(get_u32(c, NFVS_CONN_ATTR_FWD), "?"),
                "state": get_str(c, NFVS_CONN_ATTR_STATE),
                "expires_ms": get_u32(c, NFVS_CONN_ATTR_EXPIRES),
                "flags": get_u32(c, NFVS_CONN_ATTR_FLAGS),
                "zone": get_u16(c, NFVS_CONN_ATTR_ZONE),
                "helper": get_str(c, NFVS_CONN_ATTR_HELPER),
                "controlled": get_u32(c, NFVS_CONN_ATTR_CONTROLLED),
            })
        return out

    def services(self):
        out = []
        for m in self.req(IPVS_CMD_GET_SERVICE, dump=True):
            d = attr_dict(m.attrs)
            if IPVS_CMD_ATTR_SERVICE in d:
                out.append(decode_service(d[IPVS_CMD_ATTR_SERVICE]))
        return out

    def get_service(self, svc):
        m = self.req(IPVS_CMD_GET_SERVICE, svc.attrs())
        return decode_service(attr_dict(m[0].attrs)[IPVS_CMD_ATTR_SERVICE])

    def dests(self, svc):
        out = []
        for m in self.req(IPVS_CMD_GET_DEST, svc.attrs(), dump=True):
            d = attr_dict(m.attrs)
            if IPVS_CMD_ATTR_DEST in d:
                out.append(decode_dest(d[IPVS_CMD_ATTR_DEST]))
        return out

    @staticmethod
    def service_of(s):
        """A Service (identifying part) from a decoded one."""
        if "fwmark" in s:
            return Service(fwmark=s["fwmark"], af=s["af"])
        host = s["addr"] if s["af"] == socket.AF_INET else "[%s]" % s["addr"]
        return Service(proto=s["protocol"], addr="%s:%d" % (host, s["port"]))

    def table(self):
        """[(service dict, [dest dicts])], the whole table."""
        return [(s, self.dests(self.service_of(s))) for s in self.services()]

    def config(self):
        d = attr_dict(self.req(IPVS_CMD_GET_CONFIG)[0].attrs)
        return (get_u32(d, IPVS_CMD_ATTR_TIMEOUT_TCP, 0),
                get_u32(d, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, 0),
                get_u32(d, IPVS_CMD_ATTR_TIMEOUT_UDP, 0))

    def daemons(self):
        out = []
        for m in self.req(IPVS_CMD_GET_DAEMON, dump=True):
            d = attr_dict(m.attrs)
            if IPVS_CMD_ATTR_DAEMON in d:
                dd = attr_dict(d[IPVS_CMD_ATTR_DAEMON])
                out.append({"state": get_u32(dd, IPVS_DAEMON_ATTR_STATE),
                            "ifn": get_str(dd, IPVS_DAEMON_ATTR_MCAST_IFN),
                            "syncid": get_u32(dd, IPVS_DAEMON_ATTR_SYNC_ID)})
        return out


def sched_flag_names(sched, flags):
    """The scheduler flags as ipvsadm names them (sh and mh have names of
    their own for the first two)."""
    names = {"sh": ("sh-fallback", "sh-port", "flag-3"),
             "mh": ("mh-fallback", "mh-port", "flag-3")}.get(
                 sched, ("flag-1", "flag-2", "flag-3"))
    return [n for i, n in enumerate(names) if flags & (0x0008 << i)]


def save_lines(table):
    """The table as "ipvsadm -Sn" prints it (services sorted as ipvsadm
    does not matter here: callers compare sorted lines)."""
    lines = []
    for s, dests in table:
        if "fwmark" in s:
            # ipvsadm prints the mark with "%d": 0xffffffff shows as -1
            mark = s["fwmark"] - (1 << 32) if s["fwmark"] >= 1 << 31 else s["fwmark"]
            name = "-f %d" % mark + (" -6" if s["af"] == socket.AF_INET6 else "")
        else:
            host = s["addr"] if s["af"] == socket.AF_INET else "[%s]" % s["addr"]
            name = "%s %s:%d" % ({6: "-t", 17: "-u", 132: "--sctp-service"}.get(
                s["protocol"], "?"), host, s["port"])
        line = "-A %s -s %s" % (name, s["sched"])
        if s["flags"] & IP_VS_SVC_F_PERSISTENT:
            line += " -p %d" % s["timeout"]
            if s["af"] == socket.AF_INET and s["netmask"] != "255.255.255.255":
                line += " -M %s" % s["netmask"]
            if s["af"] == socket.AF_INET6 and s["netmask"] != 128:
                line += " -M %d" % s["netmask"]
        if s["pe"]:
            line += " --pe %s" % s["pe"]
        if s["flags"] & IP_VS_SVC_F_ONEPACKET:
            line += " -o"
        flags = sched_flag_names(s["sched"], s["flags"])
        if flags:
            line += " -b " + ",".join(flags)
        lines.append(line)
        for d in dests:
            host = d["addr"] if s["af"] == socket.AF_INET and d["af"] != socket.AF_INET6 \
                else "[%s]" % d["addr"]
            sw = {0: "-m", 1: "-g", 2: "-i", 3: "-g"}.get(d["fwd"], "?")
            line = "-a %s -r %s:%d %s -w %d" % (name, host, d["port"], sw, d["weight"])
            if d["fwd"] == 2 and d["tun_type"] is not None:
                # ipvsadm 1.31: type, GUE port, checksum flags (GUE/GRE)
                line += " --tun-type %s" % TUN_NAME.get(d["tun_type"], d["tun_type"])
                if d["tun_type"] == TUN_TYPE["gue"]:
                    line += " --tun-port %d" % (d["tun_port"] or 0)
                if d["tun_type"] != TUN_TYPE["ipip"]:
                    tf = d["tun_flags"] or 0
                    line += " --tun-%s" % ("remcsum" if tf & 2 else "csum" if tf & 1
                                           else "nocsum")
            lines.append(line)
    return lines


# ---------------------------------------------------------------- CLI

def add_svc_args(p, full):
    p.add_argument("svc_kind", metavar="tcp|udp|sctp|fwmark")
    p.add_argument("svc_id", metavar="ADDR:PORT|MARK")
    p.add_argument("--af", default=None, help="inet or inet6 (fwmark)")
    p.add_argument("--no-svc", action="store_true")
    p.add_argument("--omit", action="append", default=[])
    if full:
        p.add_argument("--sched", default="wlc")
        p.add_argument("--flags", default="0")
        p.add_argument("--timeout", type=lambda s: int(s, 0), default=None)
        p.add_argument("--persistent", nargs="?", const=300,
                       type=lambda s: int(s, 0), default=None)
        p.add_argument("--netmask", default=None)
        p.add_argument("--pe", default=None)
        p.add_argument("--helper", default=None, help="ftp or none (nfvs)")


def add_dest_args(p, full):
    p.add_argument("dest", metavar="ADDR:PORT")
    p.add_argument("--no-dest", action="store_true")
    p.add_argument("--dest-af", default=None)
    if full:
        p.add_argument("--fwd", default="dr")
        p.add_argument("--weight", type=lambda s: int(s, 0), default=1)
        p.add_argument("--u-thresh", type=lambda s: int(s, 0), default=0)
        p.add_argument("--l-thresh", type=lambda s: int(s, 0), default=0)
        p.add_argument("--tun-type", default=None)
        p.add_argument("--tun-port", type=lambda s: int(s, 0), default=None)
        p.add_argument("--tun-flags", type=lambda s: int(s, 0), default=None)


def parse_af(text):
    if text is None:
        return None
    return AF[text] if text in AF else int(text, 0)


def svc_from_args(a, full):
    af = parse_af(a.af)
    kw = {}
    if full:
        flags, _, mask = a.flags.partition("/")
        kw = {"sched": a.sched, "flags": int(flags, 0),
              "mask": int(mask, 0) if mask else 0xffffffff,
              "timeout": a.timeout or 0, "netmask": a.netmask, "pe": a.pe,
              "helper": a.helper}
        if a.persistent is not None:
            kw["flags"] |= IP_VS_SVC_F_PERSISTENT
            if a.timeout is None:
                kw["timeout"] = a.persistent
    if a.svc_kind == "fwmark":
        return Service(fwmark=int(a.svc_id, 0), af=af, **kw)
    proto = PROTO[a.svc_kind] if a.svc_kind in PROTO else int(a.svc_kind, 0)
    return Service(proto=proto, addr=a.svc_id, af=af, **kw)


def dest_from_args(a, full):
    kw = {}
    if full:
        fwd = FWD[a.fwd] if a.fwd in FWD else int(a.fwd, 0)
        tt = None
        if a.tun_type is not None:
            tt = TUN_TYPE[a.tun_type] if a.tun_type in TUN_TYPE else int(a.tun_type, 0)
        kw = {"fwd": fwd, "weight": a.weight, "u_thresh": a.u_thresh,
              "l_thresh": a.l_thresh, "tun_type": tt, "tun_port": a.tun_port,
              "tun_flags": a.tun_flags}
    return Dest(a.dest, af=parse_af(a.dest_af), **kw)


_PARSER = []


def parser():
    """The command line's parser, built once per process: a batch runs
    many commands, and building it takes longer than most of them (under
    emulation, half a second)."""
    if _PARSER:
        return _PARSER[0]
    ap = argparse.ArgumentParser(
        prog="nfvs_genl.py", description="IPVS-protocol generic netlink client",
        epilog="See the module docstring for the commands.")
    ap.add_argument("--family", default=os.environ.get("NFVS_FAMILY", "nfvs"))
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--legacy-nest", action="store_true",
                    help="nests without NLA_F_NESTED, as moby/ipvs sends them")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("info")
    for name, full in (("add-service", True), ("set-service", True),
                       ("del-service", False), ("get-service", False),
                       ("list-dests", False)):
        add_svc_args(sub.add_parser(name), full)
    sub.add_parser("list-services")
    sub.add_parser("list-conns")
    sub.add_parser("save")
    for name, full in (("add-dest", True), ("set-dest", True), ("del-dest", False)):
        p = sub.add_parser(name)
        add_svc_args(p, False)
        add_dest_args(p, full)
    p = sub.add_parser("set-config")
    for o in ("--tcp", "--tcpfin", "--udp"):
        p.add_argument(o, type=lambda s: int(s, 0), default=None)
    sub.add_parser("get-config")
    p = sub.add_parser("zero")
    p.add_argument("svc", nargs="*")
    sub.add_parser("flush")
    p = sub.add_parser("new-daemon")
    p.add_argument("state", choices=["master", "backup"])
    p.add_argument("--ifn", required=True)
    p.add_argument("--syncid", type=int, default=0)
    p.add_argument("--maxlen", type=int, default=None)
    p.add_argument("--mcast-group", default=None)
    p.add_argument("--mcast-port", type=int, default=None)
    p.add_argument("--mcast-ttl", type=int, default=None)
    p = sub.add_parser("del-daemon")
    p.add_argument("state", choices=["master", "backup"])
    sub.add_parser("list-daemons")
    p = sub.add_parser("raw")
    p.add_argument("rawcmd", metavar="CMD")
    p.add_argument("--attr-hex", default="")
    p.add_argument("--dump", action="store_true")
    p.add_argument("--nlflags", type=lambda s: int(s, 0), default=None)
    p.add_argument("--version", type=lambda s: int(s, 0), default=IPVS_GENL_VERSION)
    p = sub.add_parser("batch")
    p.add_argument("dir")
    _PARSER.append(ap)
    return ap


def main(argv=None):
    a = parser().parse_args(argv)
    if a.cmd == "batch":
        return batch(a, sys.stdin)
    global NESTED_FLAG
    NESTED_FLAG = not a.legacy_nest
    try:
        return run(a)
    except NetlinkError as e:
        print("error: " + e.text(), file=sys.stderr)
        return 2
    except (ValueError, KeyError, OSError) as e:
        print("nfvs_genl.py: %s" % e, file=sys.stderr)
        return 1


def batch(a, lines):
    """Run one command per line of LINES ("NAME ARGS...", ARGS split as the
    shell would, after the global options given to batch) in this process,
    and write what each printed and returned to DIR/NAME.out, .err and .rc:
    the same as separate runs, without a Python start per command."""
    glob = ["--family", a.family] + (["--legacy-nest"] if a.legacy_nest else [])
    if a.json:
        glob.append("--json")
    for line in lines:
        words = shlex.split(line, comments=True)
        if not words:
            continue
        name, argv = words[0], words[1:]
        if "/" in name or name.startswith("."):
            print("nfvs_genl.py: batch: bad name %r" % name, file=sys.stderr)
            return 1
        o, e = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
            try:
                rc = main(glob + argv)
            except SystemExit as x:
                rc = x.code if isinstance(x.code, int) else 1
        base = os.path.join(a.dir, name)
        for ext, text in ((".out", o.getvalue()), (".err", e.getvalue()),
                          (".rc", "%d\n" % rc)):
            with open(base + ext, "w") as f:
                f.write(text)
    return 0


def out(a, obj, text):
    if a.json:
        print(json.dumps(obj, sort_keys=True))
    elif text is not None:
        if text:
            print(text)


def run(a):
    try:
        ipvs = Ipvs(a.family)
    except NetlinkError as e:
        print("nfvs_genl.py: no generic netlink family %r: %s" % (a.family, e.text()),
              file=sys.stderr)
        return 1
    try:
        return run_cmd(a, ipvs)
    finally:
        ipvs.sock.close()


def run_cmd(a, ipvs):
    c = a.cmd
    if c == "info":
        v, size = ipvs.info()
        out(a, {"version": v, "conn_tab_size": size},
            "version %d.%d.%d size %d" % (v >> 16, (v >> 8) & 0xff, v & 0xff, size))
    elif c in ("add-service", "set-service", "del-service", "get-service", "list-dests"):
        full = c in ("add-service", "set-service")
        svc = svc_from_args(a, full)
        attrs = b"" if a.no_svc else svc.attrs(full, a.omit)
        cmd = {"add-service": IPVS_CMD_NEW_SERVICE, "set-service": IPVS_CMD_SET_SERVICE,
               "del-service": IPVS_CMD_DEL_SERVICE, "get-service": IPVS_CMD_GET_SERVICE,
               "list-dests": IPVS_CMD_GET_DEST}[c]
        if c == "get-service":
            m = ipvs.req(cmd, attrs)
            s = decode_service(attr_dict(m[0].attrs)[IPVS_CMD_ATTR_SERVICE])
            out(a, s, service_line(s))
        elif c == "list-dests":
            ds = []
            for m in ipvs.req(cmd, attrs, dump=True):
                d = attr_dict(m.attrs)
                if IPVS_CMD_ATTR_DEST in d:
                    ds.append(decode_dest(d[IPVS_CMD_ATTR_DEST]))
            out(a, ds, "\n".join(dest_line(d) for d in ds))
        else:
            ipvs.req(cmd, attrs)
    elif c == "list-conns":
        cs = ipvs.conns()
        out(a, cs, "\n".join(
            "%s %s %s %s %s %s expires %d flags 0x%x zone %s helper %s controlled %d" % (
                {6: "tcp", 17: "udp"}.get(x["protocol"], x["protocol"]),
                x["client"], x["virtual"], x["real"], x["fwd"], x["state"],
                x["expires_ms"], x["flags"], x["zone"], x["helper"] or "-",
                x["controlled"]) for x in cs))
    elif c == "list-services":
        ss = ipvs.services()
        out(a, ss, "\n".join(service_line(s) for s in ss))
    elif c == "save":
        t = ipvs.table()
        out(a, t, "\n".join(save_lines(t)))
    elif c in ("add-dest", "set-dest", "del-dest"):
        full = c != "del-dest"
        attrs = b"" if a.no_svc else svc_from_args(a, False).attrs(False, a.omit)
        if not a.no_dest:
            attrs += dest_from_args(a, full).attrs(full, a.omit)
        ipvs.req({"add-dest": IPVS_CMD_NEW_DEST, "set-dest": IPVS_CMD_SET_DEST,
                  "del-dest": IPVS_CMD_DEL_DEST}[c], attrs)
    elif c == "set-config":
        attrs = b""
        for t, v in ((IPVS_CMD_ATTR_TIMEOUT_TCP, a.tcp),
                     (IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, a.tcpfin),
                     (IPVS_CMD_ATTR_TIMEOUT_UDP, a.udp)):
            if v is not None:
                attrs += u32(t, v)
        ipvs.req(IPVS_CMD_SET_CONFIG, attrs)
    elif c == "get-config":
        t = ipvs.config()
        out(a, {"tcp": t[0], "tcpfin": t[1], "udp": t[2]}, "tcp %d tcpfin %d udp %d" % t)
    elif c == "zero":
        attrs = b""
        if a.svc:
            if len(a.svc) != 2:
                raise ValueError("zero takes no service or one SVC (two words)")
            ns = argparse.Namespace(svc_kind=a.svc[0], svc_id=a.svc[1], af=None)
            attrs = svc_from_args(ns, False).attrs()
        ipvs.req(IPVS_CMD_ZERO, attrs)
    elif c == "flush":
        ipvs.req(IPVS_CMD_FLUSH)
    elif c == "new-daemon":
        d = [u32(IPVS_DAEMON_ATTR_STATE, IP_VS_STATE_MASTER if a.state == "master"
                 else IP_VS_STATE_BACKUP),
             strz(IPVS_DAEMON_ATTR_MCAST_IFN, a.ifn),
             u32(IPVS_DAEMON_ATTR_SYNC_ID, a.syncid)]
        if a.maxlen is not None:
            d.append(u16(IPVS_DAEMON_ATTR_SYNC_MAXLEN, a.maxlen))
        if a.mcast_group:
            if ":" in a.mcast_group:
                d.append(nla(IPVS_DAEMON_ATTR_MCAST_GROUP6,
                             socket.inet_pton(socket.AF_INET6, a.mcast_group)))
            else:
                d.append(nla(IPVS_DAEMON_ATTR_MCAST_GROUP, socket.inet_aton(a.mcast_group)))
        if a.mcast_port is not None:
            d.append(u16(IPVS_DAEMON_ATTR_MCAST_PORT, a.mcast_port))
        if a.mcast_ttl is not None:
            d.append(u8(IPVS_DAEMON_ATTR_MCAST_TTL, a.mcast_ttl))
        ipvs.req(IPVS_CMD_NEW_DAEMON, nest(IPVS_CMD_ATTR_DAEMON, *d))
    elif c == "del-daemon":
        ipvs.req(IPVS_CMD_DEL_DAEMON, nest(IPVS_CMD_ATTR_DAEMON, u32(
            IPVS_DAEMON_ATTR_STATE, IP_VS_STATE_MASTER if a.state == "master"
            else IP_VS_STATE_BACKUP)))
    elif c == "list-daemons":
        ds = ipvs.daemons()
        out(a, ds, "\n".join("%s ifn %s syncid %d" % (
            "master" if x["state"] == IP_VS_STATE_MASTER else "backup",
            x["ifn"], x["syncid"]) for x in ds))
    elif c == "raw":
        cmd = CMD[a.rawcmd] if a.rawcmd in CMD else int(a.rawcmd, 0)
        kw = {"dump": a.dump, "version": a.version}
        if a.nlflags is not None:
            kw["flags"] = a.nlflags
        msgs = ipvs.req(cmd, bytes.fromhex(a.attr_hex), **kw)
        for m in msgs:
            if a.json:
                print(json.dumps({"cmd": m.cmd, "attrs": m.attrs.hex()}))
            else:
                print("cmd %s attrs %s" % (m.cmd, m.attrs.hex()))
    return 0
