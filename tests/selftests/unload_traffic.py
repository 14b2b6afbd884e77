#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""unload_traffic.py: traffic and a monitor for unload_traffic.sh.

  unload_traffic.py clients --status FILE --stop FILE [--vip A]
                    [--tcp N] [--udp N] [--long N] [--pause S]
  unload_traffic.py poll --status FILE --stop FILE [--family nfvs] [--pause S]
  unload_traffic.py server --name NAME

"clients" keeps traffic flowing until the stop file exists: N threads that
open TCP connections to VIP:80 one after the other, S seconds apart (each
answered with one line and closed by the server), N threads of UDP requests
to VIP:53 (a new socket, so a new flow, each time) and N long-lived TCP
connections to VIP:8000 (an echo server) that send a line every 0.2 s and
wait for it to come back, reconnecting when a connection breaks.

"poll" is a monitoring agent in the director's namespace: it dumps the
services and destinations of a generic netlink family (never "IPVS": while
nfvs is unloaded, asking for that family would autoload in-tree ip_vs) and
reads the /proc/net/ip_vs* files, over and over, S seconds apart.

Both rewrite FILE every 0.2 s with their counters, "name=value" separated
by spaces, and once more when they stop.

"server" is a real server, in one process (forking a server per request is
slow under software emulation): TCP port 80 answers "NAME <client address>"
and closes, UDP port 53 answers the same to every datagram, TCP port 8000
echoes. It runs until killed.
"""

import argparse
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nfvs_genl as g  # noqa: E402


class Counters:
    def __init__(self, names):
        self.lock = threading.Lock()
        self.c = dict.fromkeys(names, 0)

    def add(self, name, n=1):
        with self.lock:
            self.c[name] += n

    def write(self, path):
        with self.lock:
            text = " ".join("%s=%d" % kv for kv in self.c.items())
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text + "\n")
        os.replace(tmp, path)


def stopped(args):
    return os.path.exists(args.stop)


def tcp_loop(args, cnt):
    while not stopped(args):
        try:
            with socket.create_connection((args.vip, 80), timeout=2) as s:
                data = b""
                while True:
                    chunk = s.recv(256)
                    if not chunk:
                        break
                    data += chunk
            if data.startswith(b"rs"):
                cnt.add("tcp_ok")
            else:
                cnt.add("tcp_fail")
        except OSError:
            cnt.add("tcp_fail")
            time.sleep(0.1)
        time.sleep(args.pause)


def udp_loop(args, cnt):
    while not stopped(args):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        try:
            s.sendto(b"q\n", (args.vip, 53))
            data = s.recv(256)
            cnt.add("udp_ok" if data.startswith(b"rs") else "udp_fail")
        except OSError:
            cnt.add("udp_fail")
        finally:
            s.close()
        time.sleep(args.pause)


def long_loop(args, cnt):
    n = 0
    while not stopped(args):
        try:
            s = socket.create_connection((args.vip, 8000), timeout=2)
        except OSError:
            cnt.add("long_refused")
            time.sleep(0.2)
            continue
        cnt.add("long_open")
        f = s.makefile("rb")
        try:
            while not stopped(args):
                n += 1
                line = b"ping %d\n" % n
                s.sendall(line)
                if f.readline() != line:
                    raise OSError("echo lost")
                cnt.add("long_echo")
                time.sleep(0.2)
        except OSError:
            cnt.add("long_broken")
        finally:
            f.close()
            s.close()


def cmd_clients(args):
    cnt = Counters(["tcp_ok", "tcp_fail", "udp_ok", "udp_fail", "long_open",
                    "long_echo", "long_broken", "long_refused"])
    threads = []
    for fn, n in ((tcp_loop, args.tcp), (udp_loop, args.udp), (long_loop, args.long)):
        for _ in range(n):
            t = threading.Thread(target=fn, args=(args, cnt), daemon=True)
            t.start()
            threads.append(t)
    while not stopped(args):
        cnt.write(args.status)
        time.sleep(0.2)
    for t in threads:
        t.join(5)
    cnt.write(args.status)
    return 0


def cmd_poll(args):
    cnt = Counters(["dumps", "dump_errors", "proc_reads"])
    ipvs = None
    last = 0
    while not stopped(args):
        try:
            if ipvs is None:
                ipvs = g.Ipvs(args.family)
            ipvs.table()
            cnt.add("dumps")
        except (g.NetlinkError, OSError):
            cnt.add("dump_errors")
            if ipvs is not None:
                ipvs.sock.close()
            ipvs = None
            time.sleep(0.3)
        for name in ("ip_vs", "ip_vs_conn", "ip_vs_stats"):
            try:
                with open("/proc/net/" + name) as f:
                    f.read()
                cnt.add("proc_reads")
            except OSError:
                pass
        if time.monotonic() - last > 0.2:
            cnt.write(args.status)
            last = time.monotonic()
        time.sleep(args.pause)
    cnt.write(args.status)
    return 0


def serve_line(name, sock):
    while True:
        conn, peer = sock.accept()
        try:
            conn.sendall(b"%s %s\n" % (name, peer[0].encode()))
        except OSError:
            pass
        conn.close()


def serve_udp(name, sock):
    while True:
        data, peer = sock.recvfrom(2048)
        try:
            sock.sendto(b"%s %s\n" % (name, peer[0].encode()), peer)
        except OSError:
            pass


def echo(conn):
    with conn:
        try:
            while True:
                data = conn.recv(4096)
                if not data:
                    return
                conn.sendall(data)
        except OSError:
            return


def serve_echo(sock):
    while True:
        conn, _ = sock.accept()
        threading.Thread(target=echo, args=(conn,), daemon=True).start()


def cmd_server(args):
    name = args.name.encode()

    def listen(kind, port):
        s = socket.socket(socket.AF_INET, kind)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", port))
        if kind == socket.SOCK_STREAM:
            s.listen(128)
        return s

    threads = [
        threading.Thread(target=serve_line, args=(name, listen(socket.SOCK_STREAM, 80))),
        threading.Thread(target=serve_udp, args=(name, listen(socket.SOCK_DGRAM, 53))),
        threading.Thread(target=serve_echo, args=(listen(socket.SOCK_STREAM, 8000),)),
    ]
    for t in threads:
        t.daemon = True
        t.start()
    for t in threads:
        t.join()
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("clients")
    c.add_argument("--vip", default="10.0.1.100")
    c.add_argument("--tcp", type=int, default=3)
    c.add_argument("--udp", type=int, default=2)
    c.add_argument("--long", type=int, default=4)
    c.add_argument("--pause", type=float, default=0.1,
                   help="seconds between two requests of a loop")
    q = sub.add_parser("poll")
    q.add_argument("--family", default="nfvs")
    q.add_argument("--pause", type=float, default=0.05,
                   help="seconds between two rounds of dumps and reads")
    for s in (c, q):
        s.add_argument("--status", required=True)
        s.add_argument("--stop", required=True)
    sub.add_parser("server").add_argument("--name", required=True)
    args = p.parse_args()
    if args.cmd == "poll" and args.family == "IPVS":
        p.error("polling family IPVS would autoload in-tree ip_vs")
    return {"clients": cmd_clients, "poll": cmd_poll, "server": cmd_server}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
