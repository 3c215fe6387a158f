#!/usr/bin/python3
"""Loopback targets for bench/probe/run: N addresses 127.0.2.1.. x 7 ports, five kinds of target.

kind = index % 5:
  0 immediate  every port accepts and greets at once ("220 bench ESMTP")
  1 delayed    every port accepts and greets after --delay seconds
  2 refused    nothing listens (connect gets RST)
  3 filtered   a backlog-0 listener whose queue is pre-filled: Linux drops new SYNs
  4 mixed      ports 0-2 immediate, 3-4 refused, 5-6 filtered

Writes READY to --ready when listening; stops on SIGTERM or after --lifetime seconds.
Stdlib only (run with /usr/bin/python3).
"""
import argparse
import heapq
import selectors
import signal
import socket
import sys
import time

GREETING = b"220 bench.test ESMTP ready\r\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--targets", type=int, default=50)
    ap.add_argument("--base-port", type=int, default=41000)
    ap.add_argument("--ports", type=int, default=7)
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--ready", required=True)
    ap.add_argument("--lifetime", type=float, default=600)
    a = ap.parse_args()

    sel = selectors.DefaultSelector()
    keep = []  # fillers and filtered listeners stay open
    timers = []  # (when, seq, conn)
    seq = 0
    for i in range(a.targets):
        addr = "127.0.2.%d" % (i + 1)
        kind = i % 5
        for p in range(a.ports):
            port = a.base_port + p
            if kind == 4:
                pkind = 0 if p < 3 else (2 if p < 5 else 3)
            else:
                pkind = kind
            if pkind == 2:
                continue
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, port))
            if pkind == 3:
                s.listen(0)
                f = socket.create_connection((addr, port), timeout=2)
                keep += [s, f]
                continue
            s.listen(128)
            s.setblocking(False)
            sel.register(s, selectors.EVENT_READ, (pkind, a.delay))
    # Check one filtered port really drops SYNs (as tests/testbed/hostile.py does).
    for i in range(a.targets):
        if i % 5 == 3:
            t = socket.socket()
            t.settimeout(0.3)
            try:
                t.connect(("127.0.2.%d" % (i + 1), a.base_port))
                sys.exit("filtered port accepted a connection: this kernel does not drop SYNs on a full queue")
            except socket.timeout:
                pass
            finally:
                t.close()
            break
    with open(a.ready, "w") as f:
        f.write("READY\n")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    end = time.monotonic() + a.lifetime
    conns = []
    while time.monotonic() < end:
        timeout = 0.05
        if timers:
            timeout = max(0.0, min(timeout, timers[0][0] - time.monotonic()))
        for key, _ in sel.select(timeout):
            pkind, delay = key.data
            try:
                c, _ = key.fileobj.accept()
            except BlockingIOError:
                continue
            if pkind == 0:
                c.send(GREETING)
                conns.append(c)
            else:
                seq += 1
                heapq.heappush(timers, (time.monotonic() + delay, seq, c))
        now = time.monotonic()
        while timers and timers[0][0] <= now:
            _, _, c = heapq.heappop(timers)
            try:
                c.send(GREETING)
            except OSError:
                pass
            conns.append(c)
        if len(conns) > 2000:
            for c in conns[:1000]:
                c.close()
            del conns[:1000]


if __name__ == "__main__":
    main()
