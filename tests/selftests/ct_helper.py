#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ct_helper.py: takes a conntrack entry's helper away, as ctnetlink lets
root do (libnetfilter_conntrack's ATTR_HELPER_NAME ""; the conntrack tool
has no option for it).

  ct_helper.py none PROTO SRC SPORT DST DPORT

updates the entry whose original tuple is SRC:SPORT -> DST:DPORT (PROTO tcp
or udp) with an empty helper name; prints "ok", or "ERR errno text" and
exits 1.
"""
import os
import socket
import struct
import sys

from nfvs_genl import nest, nla, be16, strz

NETLINK_NETFILTER = 12
NFNL_SUBSYS_CTNETLINK = 1
IPCTNL_MSG_CT_NEW = 0
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
CTA_TUPLE_ORIG, CTA_HELP = 1, 5
CTA_TUPLE_IP, CTA_TUPLE_PROTO = 1, 2
CTA_IP_V4_SRC, CTA_IP_V4_DST = 1, 2
CTA_PROTO_NUM, CTA_PROTO_SRC_PORT, CTA_PROTO_DST_PORT = 1, 2, 3
CTA_HELP_NAME = 1


def helper_none(proto, src, sport, dst, dport):
    tuple_ = nest(CTA_TUPLE_ORIG,
                  nest(CTA_TUPLE_IP,
                       nla(CTA_IP_V4_SRC, socket.inet_aton(src)),
                       nla(CTA_IP_V4_DST, socket.inet_aton(dst))),
                  nest(CTA_TUPLE_PROTO,
                       nla(CTA_PROTO_NUM, struct.pack("=B", proto)),
                       be16(CTA_PROTO_SRC_PORT, sport),
                       be16(CTA_PROTO_DST_PORT, dport)))
    payload = struct.pack("=BBH", socket.AF_INET, 0, 0) + tuple_ + \
        nest(CTA_HELP, strz(CTA_HELP_NAME, ""))
    mtype = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW
    msg = struct.pack("=IHHII", 16 + len(payload), mtype,
                      NLM_F_REQUEST | NLM_F_ACK, 1, 0) + payload
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.settimeout(5)
    s.sendto(msg, (0, 0))
    reply = s.recv(65536)
    _, t, _, _, _ = struct.unpack_from("=IHHII", reply)
    err = struct.unpack_from("=i", reply, 16)[0] if t == NLMSG_ERROR else 0
    return -err


def main(argv):
    if len(argv) != 7 or argv[1] != "none" or argv[2] not in ("tcp", "udp"):
        sys.exit(__doc__)
    proto = socket.IPPROTO_TCP if argv[2] == "tcp" else socket.IPPROTO_UDP
    err = helper_none(proto, argv[3], int(argv[4]), argv[5], int(argv[6]))
    if err:
        print("ERR %d %s" % (err, os.strerror(err)))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main(sys.argv)
