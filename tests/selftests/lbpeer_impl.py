#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Real servers and clients for the datapath selftests.

  lbpeer.py serve NAME --tcp PORT... --udp [ADDR:]PORT...
      TCP: answers each line "GET" with "NAME PORT PEER", and "PUT N" followed
      by N bytes with "NAME PORT PEER SHA256"; UDP: answers each datagram
      with "NAME PORT PEER PAYLOAD". PORT is the local port the request came
      to; PEER the address it came from.
  lbpeer.py greet NAME --tcp PORT... --udp PORT... [--peer] [--hold] [--quote]
      TCP: greets each connection with "NAME" (" PEER" with --peer) and a
      newline, then closes it, or with --hold keeps it until the client
      closes; UDP: answers each datagram the same way (with --quote, plus the
      datagram's first line). One process for every connection: what socat
      "TCP-LISTEN,fork SYSTEM:'echo NAME $SOCAT_PEERADDR'" does, without a
      process and a shell started per connection.
  lbpeer.py tcp ADDR PORT N [--bind ADDR] [--hold] [--rst]
      N connections, one request each; prints one answer per line ("ERR
      reason" for a failure). --rst closes with a reset instead of a FIN
      (with --hold, when stdin ends).
      --sport PORT connects from that port every time, and lets the server
      close first (so the client's port is free again at once); --time
      appends each connection's duration in milliseconds.
  lbpeer.py udp ADDR PORT N [--bind ADDR] [--sport FIRST] [--size BYTES]
      N request/replies, each from a new socket (a new flow), from source
      ports FIRST, FIRST + 1, ... (default: any, possibly repeated). With
      --size, each request is BYTES long ("qI " and printable bytes): an
      answer that does not carry it back whole prints "ERR payload".
  lbpeer.py session tcp|udp ADDR PORT [--bind ADDR]
      one connection (or UDP socket) for as long as stdin is open: each line
      read sends a request and prints the answer or "ERR reason". A line
      "RST" (TCP) instead sends the server, from a raw socket, a reset 2^30
      before the connection's next sequence number, which no TCP takes and
      conntrack finds INVALID ("invalid rst"), and prints "rst sent".
  lbpeer.py put ADDR PORT BYTES
      uploads BYTES random bytes on one connection; prints "ok" when the
      server's SHA256 matches.
  lbpeer.py refused ADDR PORT
      prints "refused" when a UDP request is answered with port-unreachable.
  lbpeer.py unreach VADDR VPORT CADDR CPORT [--badsum]
      sends VADDR a port-unreachable about a UDP datagram VADDR:VPORT ->
      CADDR:CPORT (what a client says about a reply it cannot take); with
      --badsum, with a wrong ICMP checksum.
  lbpeer.py watch SECONDS
      prints "SRC QSRC:QSPORT QDST:QDPORT" for each port-unreachable
      received within SECONDS (QSRC... the quoted datagram).
"""
import os
import selectors
import socket
import sys
import struct
import threading
import time
import types


def serve_tcp_conn(name, conn, port):
    peer = conn.getpeername()[0]
    f = conn.makefile("rwb")
    try:
        for line in f:
            words = line.split()
            if not words:
                continue
            if words[0] in (b"GET", b"BYE"):
                ans = "%s %d %s" % (name, port, peer)
            elif words[0] == b"PUT" and len(words) == 2:
                # Imported where used: it loads OpenSSL, which most
                # runs never need (a start costs CPU in a guest).
                import hashlib
                data = f.read(int(words[1]))
                ans = "%s %d %s %s" % (name, port, peer,
                                       hashlib.sha256(data).hexdigest())
            elif words[0] == b"HOLD":
                continue
            else:
                ans = "%s %d %s BAD" % (name, port, peer)
            f.write(ans.encode() + b"\n")
            f.flush()
            if words[0] == b"BYE":
                break
    except OSError:
        pass
    finally:
        f.close()
        conn.close()


def listeners(tcp, udp):
    """A selector over a listening TCP socket for each port of TCP and a UDP
    socket for each "[ADDR:]PORT" of UDP; a key's data is (kind, port)."""
    sel = selectors.DefaultSelector()
    for p in tcp:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("0.0.0.0", p))
        s.listen(512)
        sel.register(s, selectors.EVENT_READ, ("tcp", p))
    for spec in udp:
        addr, _, port = str(spec).rpartition(":")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((addr or "0.0.0.0", int(port)))
        sel.register(s, selectors.EVENT_READ, ("udp", int(port)))
    print("ready", flush=True)
    return sel


def serve(args):
    sel = listeners(args.tcp, args.udp)
    while True:
        for key, _ in sel.select():
            kind, port = key.data
            if kind == "tcp":
                conn, _ = key.fileobj.accept()
                threading.Thread(target=serve_tcp_conn, daemon=True,
                                 args=(args.name, conn, port)).start()
            else:
                data, peer = key.fileobj.recvfrom(65535)
                ans = "%s %d %s %s" % (args.name, port, peer[0],
                                       data.decode(errors="replace").strip())
                key.fileobj.sendto(ans.encode(), peer)


def greet_tcp_conn(args, conn):
    try:
        peer = conn.getpeername()[0]
        conn.sendall(("%s%s\n" % (args.name, " " + peer if args.peer else "")).encode())
        if not args.hold:
            # As socat does once its program has ended: a FIN, then up to
            # half a second for the client's.
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(0.5)
        while conn.recv(4096):
            pass
    except OSError:
        pass
    finally:
        conn.close()


def greet(args):
    sel = listeners(args.tcp, args.udp)
    while True:
        for key, _ in sel.select():
            # Hostile tests send from addresses no answer can reach: a
            # failed answer costs that answer only (as a socat child's
            # would), never the server.
            try:
                if key.data[0] == "tcp":
                    conn, _ = key.fileobj.accept()
                    threading.Thread(target=greet_tcp_conn, daemon=True,
                                     args=(args, conn)).start()
                    continue
                data, peer = key.fileobj.recvfrom(2048)
                words = [args.name]
                if args.peer:
                    words.append(peer[0])
                if args.quote:
                    words += data.decode(errors="replace").split("\n")[0].split()
                key.fileobj.sendto((" ".join(words) + "\n").encode(), peer)
            except OSError:
                pass


def bind(s, spec):
    """Binds to "ADDR" or "ADDR:PORT"."""
    if spec:
        addr, _, port = spec.partition(":")
        s.bind((addr, int(port or 0)))


def connect(args):
    s = socket.socket()
    s.settimeout(args.timeout)
    bind(s, args.bind)
    s.connect((args.addr, args.port))
    return s


def tcp(args):
    held = []
    for _ in range(args.n):
        t0 = time.monotonic()
        try:
            if args.sport:
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                # close() returns once our FIN is acknowledged: the
                # client's end is gone before the port is used again.
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 2))
                s.settimeout(args.timeout)
                s.bind((args.bind or "0.0.0.0", args.sport))
                s.connect((args.addr, args.port))
                s.sendall(b"BYE\n")
            else:
                s = connect(args)
                s.sendall(b"GET\n")
            f = s.makefile("rb")
            ans = f.readline().decode().strip()
            if args.sport:
                f.read()
            if args.time:
                ans = "%s %d" % (ans or "ERR empty",
                                 (time.monotonic() - t0) * 1000)
            print(ans or "ERR empty")
            if args.hold:
                held.append(s)
                continue
            if args.rst:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            # The file holds the socket open too.
            f.close()
            s.close()
        except OSError as e:
            print("ERR %s" % e.__class__.__name__)
            if args.sport:
                s.close()
    sys.stdout.flush()
    if args.hold:
        sys.stdin.read()
        # With --rst, the held connections end with one reset each at the
        # end of stdin: no FIN retransmitted for a connection the balancer
        # has already forgotten.
        for s in held:
            if args.rst:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
            s.close()


def udp(args):
    for i in range(args.n):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        try:
            if args.sport:
                s.bind((args.bind or "0.0.0.0", args.sport + i))
            else:
                bind(s, args.bind)
            s.connect((args.addr, args.port))
            req = b"q%d" % i
            if args.size:
                req += b" " + bytes(48 + (j * 7 + i) % 75
                                    for j in range(args.size - len(req) - 1))
            s.send(req)
            ans = s.recv(65535).decode(errors="replace").strip()
            if args.size:
                # The payload must come back whole, byte for byte.
                head, _, echo = ans.partition(" q")
                ans = head + " q%d" % i if ("q" + echo).encode() == req \
                    else "ERR payload (%d bytes back)" % len(ans)
            print(ans)
        except OSError as e:
            print("ERR %s" % e.__class__.__name__)
        finally:
            s.close()


TCP_REPAIR, TCP_REPAIR_QUEUE, TCP_QUEUE_SEQ, TCP_SEND_QUEUE = 19, 20, 21, 2


def stale_rst(s):
    """An RST for connection s, 2^30 before its next sequence number (read in
    repair mode, which leaves the connection as it was)."""
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, 1)
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE)
    seq = s.getsockopt(socket.IPPROTO_TCP, TCP_QUEUE_SEQ) & 0xffffffff
    s.setsockopt(socket.IPPROTO_TCP, TCP_REPAIR, -1)  # off, no window probe
    (src, sport), (dst, dport) = s.getsockname(), s.getpeername()
    seq = (seq - (1 << 30)) & 0xffffffff
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x04, 0, 0,
                      0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
        struct.pack("!BBH", 0, socket.IPPROTO_TCP, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    raw.sendto(iphdr(src, dst, socket.IPPROTO_TCP, len(tcp)) + tcp, (dst, 0))
    raw.close()
    return "rst sent"


def session(args):
    if args.proto == "tcp":
        s = connect(args)
        f = s.makefile("rb")
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(args.timeout)
        bind(s, args.bind)
        s.connect((args.addr, args.port))
    print("connected", flush=True)
    for i, line in enumerate(sys.stdin):
        try:
            if args.proto == "tcp" and line.strip() == "RST":
                ans = stale_rst(s)
            elif args.proto == "tcp":
                s.sendall(b"GET\n")
                ans = f.readline().decode().strip() or "ERR closed"
            else:
                s.send(b"s%d" % i)
                ans = s.recv(2048).decode().strip()
        except OSError as e:
            ans = "ERR %s" % e.__class__.__name__
        print(ans, flush=True)


def put(args):
    import hashlib
    data = os.urandom(args.bytes)
    s = connect(args)
    s.sendall(b"PUT %d\n" % len(data) + data)
    ans = s.makefile("rb").readline().decode().split()
    ok = ans and ans[-1] == hashlib.sha256(data).hexdigest()
    print("ok" if ok else "ERR %s" % " ".join(ans))


def refused(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(args.timeout)
    s.connect((args.addr, args.port))
    try:
        for _ in range(3):
            s.send(b"x")
            s.recv(2048)
        print("answered")
    except ConnectionRefusedError:
        print("refused")
    except OSError as e:
        print("ERR %s" % e.__class__.__name__)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xffff) + (total >> 16)
    return ~total & 0xffff


def iphdr(src, dst, proto, payload_len):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + payload_len, 0, 0x4000,
                      64, proto, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    return hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]


def unreach(args):
    udp = struct.pack("!HHHH", args.vport, args.cport, 8 + 4, 0) + b"data"
    quoted = iphdr(args.vaddr, args.caddr, socket.IPPROTO_UDP, len(udp)) + udp
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + quoted
    icmp = icmp[:2] + struct.pack("!H", csum(icmp) ^ (0x5a5a if args.badsum else 0)) + icmp[4:]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.sendto(icmp, (args.vaddr, 0))
    print("sent")


def watch(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    if args.ready:
        open(args.ready, "w").close()
    end = time.time() + args.seconds
    while time.time() < end:
        s.settimeout(max(end - time.time(), 0.01))
        try:
            pkt = s.recv(2048)
        except socket.timeout:
            break
        ihl = (pkt[0] & 15) * 4
        if len(pkt) < ihl + 8 + 20 + 4 or pkt[ihl] != 3 or pkt[ihl + 1] != 3:
            continue
        q = pkt[ihl + 8:]
        qihl = (q[0] & 15) * 4
        sport, dport = struct.unpack("!HH", q[qihl:qihl + 4])
        print("%s %s:%d %s:%d" % (socket.inet_ntoa(pkt[12:16]),
                                  socket.inet_ntoa(q[12:16]), sport,
                                  socket.inet_ntoa(q[16:20]), dport),
              flush=True)


# The command line: COMMAND, its positional arguments, then options
# (--flag, --opt VALUE, --list VALUE...), each command's as the usage at the
# top says. Parsed here rather than by argparse: argparse and what it
# imports cost about half a second of CPU at each start in an emulated
# guest (four times python's own start), and the selftests start this
# program hundreds of times per kernel.
CLIENT_OPTS = {"bind": str, "sport": int, "hold": bool, "rst": bool,
               "time": bool, "timeout": float}
COMMANDS = {
    "serve": ([("name", str)], {"tcp": [int], "udp": [str]}),
    "greet": ([("name", str)], {"tcp": [int], "udp": [int], "peer": bool,
                                "hold": bool, "quote": bool}),
    "tcp": ([("addr", str), ("port", int), ("n", int)], CLIENT_OPTS),
    "udp": ([("addr", str), ("port", int), ("n", int)],
            dict(CLIENT_OPTS, size=int)),
    "put": ([("addr", str), ("port", int), ("bytes", int)], CLIENT_OPTS),
    "refused": ([("addr", str), ("port", int)], CLIENT_OPTS),
    "session": ([("proto", ("tcp", "udp")), ("addr", str), ("port", int)],
                {"bind": str, "timeout": float}),
    "unreach": ([("vaddr", str), ("vport", int), ("caddr", str),
                 ("cport", int)], {"badsum": bool}),
    "watch": ([("seconds", float)], {"ready": str}),
}
# What an option not given is: False, [] or None, but for these.
DEFAULTS = {"timeout": 3.0, "size": 0}


def usage(msg):
    sys.stderr.write("lbpeer.py: %s\n" % msg)
    sys.exit(2)


def value(kind, word, what):
    """WORD as KIND (a type, or a tuple of the words allowed)."""
    if isinstance(kind, tuple):
        if word not in kind:
            usage("%s: %r is not one of %s" % (what, word, ", ".join(kind)))
        return word
    try:
        return kind(word)
    except ValueError:
        usage("%s: %r is not a %s" % (what, word, kind.__name__))


def parse(argv):
    if not argv or argv[0] not in COMMANDS:
        usage("a command first: " + " ".join(COMMANDS))
    cmd = argv[0]
    pos, opts = COMMANDS[cmd]
    args = {"cmd": cmd}
    for name, kind in opts.items():
        args[name] = ([] if isinstance(kind, list) else
                      DEFAULTS.get(name, False if kind is bool else None))
    words = argv[1:]
    left = list(pos)
    i = 0
    while i < len(words):
        w = words[i]
        i += 1
        if not w.startswith("--"):
            if not left:
                usage("%s: unexpected argument %r" % (cmd, w))
            name, kind = left.pop(0)
            args[name] = value(kind, w, name)
            continue
        name = w[2:]
        kind = opts.get(name)
        if kind is None:
            usage("%s: no option --%s" % (cmd, name))
        if kind is bool:
            args[name] = True
        elif isinstance(kind, list):
            while i < len(words) and not words[i].startswith("--"):
                args[name].append(value(kind[0], words[i], "--" + name))
                i += 1
        elif i < len(words):
            args[name] = value(kind, words[i], "--" + name)
            i += 1
        else:
            usage("%s: --%s needs a value" % (cmd, name))
    if left:
        usage("%s: missing %s" % (cmd, " ".join(n for n, _ in left)))
    return types.SimpleNamespace(**args)


def main():
    args = parse(sys.argv[1:])
    {"serve": serve, "greet": greet, "tcp": tcp, "udp": udp, "put": put,
     "refused": refused,
     "session": session, "unreach": unreach, "watch": watch}[args.cmd](args)


if __name__ == "__main__":
    main()
