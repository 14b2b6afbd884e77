#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""An FTP client for ftp.sh that shows what the director does.

  ftppeer.py session ADDR MODE [--hold]
      logs in anonymously, opens a data channel by MODE (pasv, epsv, port,
      eprt) and prints "ready HOST PORT" (the data connection's endpoint: the
      address and port the 227/229 reply announced, or the client's own
      listening socket); with --hold it then waits for a line on stdin.
      Then it retrieves "whoami" and prints "BANNER CONTENT" (the first word
      of the 220 greeting and of the file), or "ERR reason".
  ftppeer.py parallel ADDR N
      N such sessions at once (modes pasv, epsv, port, eprt in turn); one
      line "MODE BANNER CONTENT" (or "MODE ERR reason") per session.
  ftppeer.py hostile ADDR CLIENT
      what a helper must not turn into an expectation, each line on a
      session of its own (all at once), followed there by NOOP: PORT and
      EPRT to third parties, numbers over 255, ports over 65535, server
      replies (227, 229) sent by the client, 64 KB lines. Prints each line
      (cut short) with the replies or what happened instead; then, on a new
      session, NOOP: "after: REPLY".
  ftppeer.py ports ADDR CLIENT N
      one session that announces N client data ports (PORT CLIENT,P for P
      from 61300, outside the ephemeral range) and uses none; prints
      "sent N, R accepted", waits for a line on stdin, then quits.
"""
import argparse
import re
import socket
import sys
import threading

MODES = ("pasv", "epsv", "port", "eprt")


class Ctl:
    """The control connection."""

    port = 21

    def __init__(self, addr, timeout):
        self.s = socket.create_connection((addr, self.port), timeout=timeout)
        self.f = self.s.makefile("rb")

    def resp(self):
        line = self.f.readline()
        if not line:
            raise EOFError("control connection closed")
        text = line.decode(errors="replace").rstrip("\r\n")
        if text[3:4] == "-":
            while True:
                more = self.f.readline()
                if not more:
                    raise EOFError("control connection closed")
                if more.decode(errors="replace").startswith(text[:3] + " "):
                    break
        return text

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\r\n")
        return self.resp()

    def close(self):
        # The file holds the socket open too.
        self.f.close()
        self.s.close()


def expect(reply, code):
    if not reply.startswith(code):
        raise OSError("unexpected reply: %s" % reply)
    return reply


def login(ctl):
    banner = expect(ctl.resp(), "220").split()
    expect(ctl.cmd("USER anonymous"), "230")
    expect(ctl.cmd("TYPE I"), "200")
    return banner[1] if len(banner) > 1 else "?"


def open_data(ctl, mode, timeout, data_port=0):
    """Returns (host, port, listening socket or None)."""
    if mode == "pasv":
        r = expect(ctl.cmd("PASV"), "227")
        n = re.search(r"(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)", r)
        if not n:
            raise OSError("bad 227: %s" % r)
        n = [int(x) for x in n.groups()]
        return "%d.%d.%d.%d" % tuple(n[:4]), n[4] * 256 + n[5], None
    if mode == "epsv":
        r = expect(ctl.cmd("EPSV"), "229")
        n = re.search(r"\(\|\|\|(\d+)\|\)", r)
        if not n:
            raise OSError("bad 229: %s" % r)
        return ctl.s.getpeername()[0], int(n.group(1)), None
    ls = socket.socket()
    ls.settimeout(timeout)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ctl.s.getsockname()[0], data_port))
    ls.listen(1)
    host, port = ls.getsockname()
    try:
        if mode == "port":
            expect(ctl.cmd("PORT %s,%d,%d" % (host.replace(".", ","),
                                              port >> 8, port & 255)), "200")
        else:
            expect(ctl.cmd("EPRT |1|%s|%d|" % (host, port)), "200")
    except OSError:
        ls.close()
        raise
    return host, port, ls


def retrieve(ctl, host, port, ls, timeout):
    """RETR whoami over the data channel; returns the file's first word."""
    if ls is None:
        try:
            d = socket.create_connection((host, port), timeout=timeout)
        except OSError as e:
            raise OSError("data connection to %s:%d: %s" %
                          (host, port, e.__class__.__name__)) from e
        expect(ctl.cmd("RETR whoami"), "150")
    else:
        ctl.s.sendall(b"RETR whoami\r\n")
        try:
            d, _ = ls.accept()
        except OSError as e:
            raise OSError("no data connection to %s:%d (%s)" %
                          (host, port, ctl.resp())) from e
        finally:
            ls.close()
        d.settimeout(timeout)
        expect(ctl.resp(), "150")
    data = b""
    try:
        while True:
            chunk = d.recv(4096)
            if not chunk:
                break
            data += chunk
    finally:
        d.close()
    expect(ctl.resp(), "226")
    words = data.decode(errors="replace").split()
    return words[0] if words else "(empty)"


def session(addr, mode, timeout, hold=False, data_port=0):
    ctl = None
    banner = "?"
    try:
        ctl = Ctl(addr, timeout)
        banner = login(ctl)
        host, port, ls = open_data(ctl, mode, timeout, data_port)
        if hold:
            print("ready %s %d" % (host, port), flush=True)
            sys.stdin.readline()
        content = retrieve(ctl, host, port, ls, timeout)
        ctl.cmd("QUIT")
        return "%s %s" % (banner, content)
    except (OSError, EOFError) as e:
        return "%s ERR %s" % (banner, e)
    finally:
        if ctl:
            ctl.close()


def cmd_session(args):
    print(session(args.addr, args.mode, args.timeout, args.hold,
                  args.data_port), flush=True)


def cmd_parallel(args):
    out = [None] * args.n

    def run(i):
        mode = MODES[i % len(MODES)]
        out[i] = "%s %s" % (mode, session(args.addr, mode, args.timeout))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(args.n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\n".join(out), flush=True)


def why(e):
    return str(e) or e.__class__.__name__


def hostile_one(addr, line, timeout):
    """One hostile line on a session of its own, then NOOP."""
    ctl = None
    what = line[:40] + ("... (%d bytes)" % len(line) if len(line) > 40 else "")
    try:
        ctl = Ctl(addr, timeout)
        login(ctl)
        try:
            reply = ctl.cmd(line)
        except (OSError, EOFError) as e:
            return "%s -> %s" % (what, why(e))
        try:
            noop = ctl.cmd("NOOP")
        except (OSError, EOFError) as e:
            noop = why(e)
        return "%s -> %s; NOOP -> %s" % (what, reply, noop)
    except (OSError, EOFError) as e:
        return "%s: %s" % (what, why(e))
    finally:
        if ctl:
            ctl.close()


def cmd_hostile(args):
    client = args.client.replace(".", ",")
    lines = ["PORT 10,0,0,99,4,1",
             "PORT 8,8,8,8,0,21",
             "EPRT |1|10.0.0.99|2000|",
             "PORT %s,300,1" % client,
             "PORT %s,1,256" % client,
             "PORT 10,0,1,256,4,1",
             "PORT %s,65535,65535" % client,
             "PORT " + "9," * 40,
             "EPRT |1|%s|70000|" % args.client,
             "EPRT |1|%s|-1|" % args.client,
             "EPRT |2|::1|2000|",
             "227 Entering Passive Mode (8,8,8,8,0,21).",
             "229 Entering Extended Passive Mode (|||2000|)",
             "PORT %s,4," % client + "1" * 65536,
             "A" * 65536]
    out = [None] * len(lines)

    def run(i):
        out[i] = hostile_one(args.addr, lines[i], args.timeout)

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(len(lines))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("\n".join(out), flush=True)
    ctl = None
    try:
        ctl = Ctl(args.addr, args.timeout)
        login(ctl)
        print("after: %s" % ctl.cmd("NOOP"), flush=True)
        ctl.cmd("QUIT")
    except (OSError, EOFError) as e:
        print("after: %s" % why(e), flush=True)
    finally:
        if ctl:
            ctl.close()


def cmd_ports(args):
    client = args.client.replace(".", ",")
    ctl = Ctl(args.addr, args.timeout)
    try:
        login(ctl)
        accepted = 0
        for i in range(args.n):
            port = 61300 + i
            reply = ctl.cmd("PORT %s,%d,%d" % (client, port >> 8, port & 255))
            accepted += reply.startswith("200")
        print("sent %d, %d accepted" % (args.n, accepted), flush=True)
        sys.stdin.readline()
        ctl.cmd("QUIT")
    except (OSError, EOFError) as e:
        print("ERR %s" % why(e), flush=True)
    finally:
        ctl.close()


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("session")
    p.add_argument("addr")
    p.add_argument("mode", choices=MODES)
    p.add_argument("--hold", action="store_true")
    p.add_argument("--data-port", type=int, default=0,
                   help="the client's data port in active modes")
    p = sub.add_parser("parallel")
    p.add_argument("addr")
    p.add_argument("n", type=int)
    p = sub.add_parser("hostile")
    p.add_argument("addr")
    p.add_argument("client")
    p = sub.add_parser("ports")
    p.add_argument("addr")
    p.add_argument("client")
    p.add_argument("n", type=int)
    for p in sub.choices.values():
        p.add_argument("--timeout", type=float, default=5)
        p.add_argument("--port", type=int, default=21)
    args = ap.parse_args()
    Ctl.port = args.port
    {"session": cmd_session, "parallel": cmd_parallel,
     "hostile": cmd_hostile, "ports": cmd_ports}[args.cmd](args)


if __name__ == "__main__":
    main()
