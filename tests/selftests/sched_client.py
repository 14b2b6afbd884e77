#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""sched_client.py: many client connections through a virtual service from
one process (spawning a socat per connection is slow under emulation).
The real servers greet each connection with "NAME ..." (sched.sh).

  sched_client.py tcp VIP PORT N [SRC...]
      N connections one after the other, from the source addresses in turn
      (the default one when none are given); prints "SRC NAME" for each,
      NAME "none" when there was no answer.
  sched_client.py hold VIP PORT N
      opens N connections and prints "NAME" for each, then keeps them open
      until it is killed or its stdin is closed.
  sched_client.py udp VIP PORT N
      N requests, each from a socket (so a source port) of its own, sent
      again once if unanswered (UDP); prints "NAME ok TRIES" when the
      answer quotes the request, else "NAME bad TRIES".
  sched_client.py flood VIP PORT[,PORT...] SECONDS
      connections one after the other, as fast as they are answered (each
      given 2 s), for SECONDS, to the ports in turn; prints "answered N
      unanswered M" at the end.
"""
import socket
import sys
import time

TIMEOUT = 10


def greeting(sock):
    data = b""
    while not data.endswith(b"\n"):
        chunk = sock.recv(256)
        if not chunk:
            break
        data += chunk
    words = data.decode(errors="replace").split()
    if not words:
        print("connection closed without a greeting", file=sys.stderr)
    return words[0] if words else "none"


def tcp_once(vip, port, src):
    try:
        with socket.create_connection((vip, port), TIMEOUT,
                                      (src, 0) if src else None) as sock:
            # Closing first would leave socat on the server 0.5 s (its -t)
            # to greet us: too short under emulation.
            return greeting(sock)
    except OSError as err:
        print(f"{src or '-'}: {err}", file=sys.stderr)
        return "none"


def cmd_tcp(vip, port, n, srcs):
    for i in range(n):
        src = srcs[i % len(srcs)] if srcs else ""
        print(src or "-", tcp_once(vip, port, src), flush=True)


def cmd_hold(vip, port, n):
    held = []
    for _ in range(n):
        try:
            sock = socket.create_connection((vip, port), TIMEOUT)
            held.append(sock)
            print(greeting(sock), flush=True)
        except OSError:
            print("none", flush=True)
    sys.stdin.read()
    for sock in held:
        sock.close()


def cmd_udp(vip, port, n):
    for i in range(n):
        request = f"request-{i}"
        words, tries = [], 0
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(TIMEOUT / 2)
            while not words and tries < 2:
                tries += 1
                try:
                    sock.sendto(request.encode() + b"\n", (vip, port))
                    words = sock.recv(512).decode(errors="replace").split()
                except OSError as err:
                    print(f"{request} from port {sock.getsockname()[1]}, "
                          f"try {tries}: {err}", file=sys.stderr)
        name = words[0] if words else "none"
        print(name, "ok" if words[1:] == [request] else "bad", tries,
              flush=True)


def cmd_flood(vip, ports, seconds):
    answered = unanswered = 0
    end = time.monotonic() + seconds
    i = 0
    while time.monotonic() < end:
        port = ports[i % len(ports)]
        i += 1
        try:
            with socket.create_connection((vip, port), 2) as sock:
                if greeting(sock) != "none":
                    answered += 1
                    continue
        except OSError:
            pass
        unanswered += 1
    print("answered", answered, "unanswered", unanswered, flush=True)


def main(argv):
    if len(argv) < 5 or argv[1] not in ("tcp", "hold", "udp", "flood"):
        sys.exit(__doc__)
    if argv[1] == "flood":
        cmd_flood(argv[2], [int(p) for p in argv[3].split(",")], int(argv[4]))
        return
    vip, port, n = argv[2], int(argv[3]), int(argv[4])
    if argv[1] == "tcp":
        cmd_tcp(vip, port, n, argv[5:])
    elif argv[1] == "hold":
        cmd_hold(vip, port, n)
    else:
        cmd_udp(vip, port, n)


if __name__ == "__main__":
    main(sys.argv)
