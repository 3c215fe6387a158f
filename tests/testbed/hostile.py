#!/usr/bin/python3
"""Hostile fake mail/DNS servers for maildiag's loopback test bed.

Python 3 standard library only (run it with /usr/bin/python3). Every fault
has its own port; see MODES below and docs/testing.md. Loopback only: the
--host argument must be a 127.0.0.0/8 or ::1 address.

Each connection is served by a thread and is bounded in time
(--conn-seconds); endless streams stop when the client goes away or the
bound is reached. The whole process stops by itself after --lifetime
seconds (0 = until SIGTERM).

Usage (tests/testbed/up does this):
  hostile.py --host 127.0.0.1 --pidfile F --ready F \
      --cert cert.pem --key key.pem  smtp_silent=20030 smtp_drip=20031 ...
"""

import argparse
import ipaddress
import os
import signal
import socket
import ssl
import struct
import sys
import threading
import time

CONN_SECONDS = 300.0
DRIP_DELAY = 1.0
HOSTNAME = "hostile.test"
LONGLINE_BYTES = 10 * 1024 * 1024


class Conn:
    """A client connection with a line reader and a deadline."""

    def __init__(self, sock, peer):
        self.sock = sock
        self.peer = peer
        self.deadline = time.monotonic() + CONN_SECONDS
        self.buf = b""

    def remaining(self):
        return self.deadline - time.monotonic()

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.settimeout(max(0.1, self.remaining()))
        self.sock.sendall(data)

    def readline(self):
        """Return one line without CRLF, or None on EOF/timeout."""
        while b"\n" not in self.buf:
            left = self.remaining()
            if left <= 0:
                return None
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(4096)
            except (OSError, ssl.SSLError):
                return None
            if not chunk:
                return None
            self.buf += chunk
            if len(self.buf) > 65536:
                return None
        line, self.buf = self.buf.split(b"\n", 1)
        return line.rstrip(b"\r").decode("latin-1")

    def drain_until_close(self):
        """Read and drop whatever comes until EOF or the deadline."""
        while True:
            left = self.remaining()
            if left <= 0:
                return
            self.sock.settimeout(left)
            try:
                if not self.sock.recv(4096):
                    return
            except (OSError, ssl.SSLError):
                return


def verb(line):
    return line.split(" ", 1)[0].upper() if line else ""


def smtp_dialog(c, ehlo_lines=("PIPELINING", "SIZE 10240000", "8BITMIME")):
    """A minimal well-behaved SMTP dialog after the banner."""
    while True:
        line = c.readline()
        if line is None:
            return
        v = verb(line)
        if v == "EHLO":
            lines = [HOSTNAME] + list(ehlo_lines)
            out = "".join(f"250-{x}\r\n" for x in lines[:-1]) + f"250 {lines[-1]}\r\n"
            c.send(out)
        elif v == "HELO":
            c.send(f"250 {HOSTNAME}\r\n")
        elif v in ("NOOP", "RSET"):
            c.send("250 2.0.0 Ok\r\n")
        elif v == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return
        else:
            c.send("502 5.5.2 Error: command not recognized\r\n")


# ---------------------------------------------------------------- SMTP modes

def smtp_silent(c):
    c.drain_until_close()


def smtp_drip(c):
    for ch in f"220 {HOSTNAME} ESMTP dripping one byte per second\r\n":
        c.send(ch)
        if c.remaining() <= 0:
            return
        time.sleep(DRIP_DELAY)
    smtp_dialog(c)


def smtp_garbage(c):
    c.send(b"\x16\x03\x01?? this is not SMTP \xff\xfe garbage banner\r\n")
    while c.readline() is not None:
        c.send(b"garbage \x00\x7f reply\r\n")


def endless(c, prefix):
    n = 0
    while c.remaining() > 0:
        batch = "".join(f"{prefix}-{HOSTNAME} endless line {n + i}\r\n" for i in range(64))
        n += 64
        c.send(batch)


def smtp_endless_banner(c):
    endless(c, "220")


def smtp_endless_ehlo(c):
    c.send(f"220 {HOSTNAME} ESMTP endless EHLO reply follows\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        v = verb(line)
        if v in ("EHLO", "HELO"):
            endless(c, "250")
            return
        if v == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return
        c.send("503 5.5.1 Error: send EHLO first\r\n")


def smtp_longline(c):
    chunk = b"A" * 65536
    c.send(b"220 ")
    sent = 0
    while sent < LONGLINE_BYTES:
        c.send(chunk)
        sent += len(chunk)
    c.drain_until_close()


def smtp_midreply(c):
    c.send(f"220 {HOSTNAME} ESMTP disconnects in the middle of the EHLO reply\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        v = verb(line)
        if v in ("EHLO", "HELO"):
            c.send(f"250-{HOSTNAME}\r\n250-PIPELINING\r\n250-SIZ")
            c.sock.shutdown(socket.SHUT_RDWR)
            return
        if v == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return
        c.send("503 5.5.1 Error: send EHLO first\r\n")


def smtp_421(c):
    c.send(f"421 4.3.2 {HOSTNAME} Service not available, closing transmission channel\r\n")


def smtp_554(c):
    ip = c.peer[0]
    c.send(f"554 5.7.1 Service unavailable; Client host [{ip}] blocked using "
           f"zen.spamhaus.org; https://www.spamhaus.org/query/ip/{ip}\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        if verb(line) == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return
        c.send("503 5.5.1 Error: access denied, please QUIT\r\n")


def hang_up_on_next_line(c):
    """Whatever the client says next (within 2 s) is answered with a TCP reset, as a server
    that hangs up with unread input does: a client's goodbye always meets ECONNRESET instead
    of depending on whether the FIN or the RST arrives first."""
    c.deadline = min(c.deadline, time.monotonic() + 2.0)
    if c.readline() is not None:
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def smtp_554_reset(c):
    c.send(f"554 5.7.1 {HOSTNAME} Access denied\r\n")
    hang_up_on_next_line(c)


def starttls_prelude(c, reply):
    """Banner + EHLO advertising STARTTLS; send `reply` to STARTTLS.
    Returns True when STARTTLS was answered."""
    c.send(f"220 {HOSTNAME} ESMTP\r\n")
    while True:
        line = c.readline()
        if line is None:
            return False
        v = verb(line)
        if v == "EHLO":
            c.send(f"250-{HOSTNAME}\r\n250-PIPELINING\r\n250 STARTTLS\r\n")
        elif v == "HELO":
            c.send(f"250 {HOSTNAME}\r\n")
        elif v == "STARTTLS":
            c.send(reply)
            return True
        elif v == "QUIT":
            c.send("221 2.0.0 Bye\r\n")
            return False
        else:
            c.send("530 5.7.0 Must issue a STARTTLS command first\r\n")


def starttls_garbage(c):
    # The garbage answers the client's first handshake bytes (its ClientHello), so the
    # client always meets it inside the handshake: sent right after the 220 it could
    # arrive with the 220 or after it, and the client's verdict depended on which.
    if starttls_prelude(c, "220 2.0.0 Ready to start TLS\r\n") and wait_for_bytes(c):
        c.send(b"this is not a TLS handshake \x00\xff garbage\r\n" * 4)
        c.drain_until_close()


def wait_for_bytes(c):
    """True once the client has sent something more (buffered or new)."""
    if c.buf:
        return True
    c.sock.settimeout(max(0.1, min(30.0, c.remaining())))
    try:
        c.buf = c.sock.recv(4096)
    except (OSError, ssl.SSLError):
        return False
    return bool(c.buf)


def starttls_inject(c):
    # CVE-2021-22947 / "STARTTLS command injection": the plaintext reply and
    # an injected reply arrive in one write, before the TLS handshake.
    if not starttls_prelude(c, "220 2.0.0 go ahead\r\n250 injected\r\n"):
        return
    if c.buf:
        c.buf = b""  # a client that pipelined after STARTTLS is also wrong
    try:
        c.sock.settimeout(max(0.1, min(30.0, c.remaining())))
        c.sock = SERVER_TLS.wrap_socket(c.sock, server_side=True)
    except (OSError, ssl.SSLError):
        return
    smtp_dialog(c)


# ---------------------------------------------------------------- POP3/IMAP

def pop3_err(c):
    c.send(f"-ERR [SYS/TEMP] {HOSTNAME} POP3 service unavailable\r\n")
    hang_up_on_next_line(c)


def pop3_endless_list(c):
    c.send(f"+OK {HOSTNAME} POP3 ready (LIST never ends)\r\n")
    while True:
        line = c.readline()
        if line is None:
            return
        v = verb(line)
        if v == "CAPA":
            c.send("+OK Capability list follows\r\nUSER\r\nUIDL\r\n.\r\n")
        elif v in ("USER", "PASS", "NOOP", "RSET"):
            c.send("+OK\r\n")
        elif v == "STAT":
            c.send("+OK 2 200\r\n")
        elif v == "LIST":
            c.send("+OK scan listing follows\r\n")
            n = 1
            while c.remaining() > 0:
                c.send("".join(f"{n + i} 100\r\n" for i in range(256)))
                n += 256
            return
        elif v == "QUIT":
            c.send("+OK Bye\r\n")
            return
        else:
            c.send("-ERR unknown command\r\n")


def imap_garbage(c):
    c.send(b"\x00\x01HTTP/1.1 400 garbage: this is not an IMAP greeting\r\n")
    c.drain_until_close()


def dns_blackhole_tcp(c):
    c.drain_until_close()


MODES = {
    "smtp_silent": smtp_silent,
    "smtp_drip": smtp_drip,
    "smtp_garbage": smtp_garbage,
    "smtp_endless_banner": smtp_endless_banner,
    "smtp_endless_ehlo": smtp_endless_ehlo,
    "smtp_longline": smtp_longline,
    "smtp_midreply": smtp_midreply,
    "smtp_421": smtp_421,
    "smtp_554": smtp_554,
    "smtp_554_reset": smtp_554_reset,
    "starttls_garbage": starttls_garbage,
    "starttls_inject": starttls_inject,
    "pop3_err": pop3_err,
    "pop3_endless_list": pop3_endless_list,
    "imap_garbage": imap_garbage,
    "dns_blackhole": dns_blackhole_tcp,  # plus a UDP socket, see below
    "filtered": None,  # special: never accepts, see make_filtered()
}

SERVER_TLS = None
KEEP = []  # sockets that must stay open for the process lifetime


def serve_conn(handler, sock, peer):
    c = Conn(sock, peer)
    try:
        handler(c)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            c.sock.close()
        except OSError:
            pass


def accept_loop(lsock, handler):
    while True:
        try:
            sock, peer = lsock.accept()
        except OSError:
            continue
        t = threading.Thread(target=serve_conn, args=(handler, sock, peer), daemon=True)
        t.start()


def family_of(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def listen_tcp(host, port, backlog=64):
    s = socket.socket(family_of(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(backlog)
    return s


def udp_drop_loop(s):
    while True:
        try:
            s.recvfrom(65536)
        except OSError:
            time.sleep(0.1)


def make_filtered(host, port):
    """A listener with backlog 0 that never accepts, with its accept queue
    pre-filled: the kernel then drops new SYNs, so connect() times out the
    way it does against a firewall that drops packets."""
    lsock = listen_tcp(host, port, backlog=0)
    KEEP.append(lsock)
    for _ in range(2):
        c = socket.socket(family_of(host), socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect((host, port))
        except BlockingIOError:
            pass
        KEEP.append(c)
    # Verify: a probe must not connect within 0.3 s.
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        probe = socket.socket(family_of(host), socket.SOCK_STREAM)
        probe.settimeout(0.3)
        try:
            probe.connect((host, port))
        except (TimeoutError, socket.timeout):
            probe.close()
            return
        except OSError:
            pass
        probe.close()
        time.sleep(0.05)
    raise RuntimeError(f"filtered port {port}: could not fill the accept queue")


def main():
    global SERVER_TLS, CONN_SECONDS, DRIP_DELAY
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--pidfile")
    ap.add_argument("--ready", help="file written once every port is bound")
    ap.add_argument("--lifetime", type=float, default=0.0)
    ap.add_argument("--conn-seconds", type=float, default=CONN_SECONDS)
    ap.add_argument("--drip-delay", type=float, default=DRIP_DELAY)
    ap.add_argument("modes", nargs="+", metavar="MODE=PORT")
    a = ap.parse_args()

    addr = ipaddress.ip_address(a.host)
    if not addr.is_loopback:
        sys.exit(f"hostile.py: refusing non-loopback address {a.host}")
    CONN_SECONDS = a.conn_seconds
    DRIP_DELAY = a.drip_delay

    if a.cert and a.key:
        SERVER_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        SERVER_TLS.load_cert_chain(a.cert, a.key)

    threads = []
    for spec in a.modes:
        name, _, port_s = spec.partition("=")
        if name not in MODES or not port_s.isdigit():
            sys.exit(f"hostile.py: bad mode spec {spec!r}; modes: {', '.join(MODES)}")
        port = int(port_s)
        if name == "starttls_inject" and SERVER_TLS is None:
            sys.exit("hostile.py: starttls_inject needs --cert and --key")
        if name == "filtered":
            make_filtered(a.host, port)
            continue
        lsock = listen_tcp(a.host, port)
        KEEP.append(lsock)
        threads.append(threading.Thread(target=accept_loop, args=(lsock, MODES[name]), daemon=True))
        if name == "dns_blackhole":
            u = socket.socket(family_of(a.host), socket.SOCK_DGRAM)
            u.bind((a.host, port))
            KEEP.append(u)
            threads.append(threading.Thread(target=udp_drop_loop, args=(u,), daemon=True))

    for t in threads:
        t.start()
    if a.pidfile:
        with open(a.pidfile, "w", encoding="ascii") as f:
            f.write(f"{os.getpid()}\n")
    if a.ready:
        with open(a.ready, "w", encoding="ascii") as f:
            f.write("ready\n")

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait(a.lifetime if a.lifetime > 0 else None)
    os._exit(0)


if __name__ == "__main__":
    main()
