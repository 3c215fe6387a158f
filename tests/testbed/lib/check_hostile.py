#!/usr/bin/python3
"""Self-check of hostile.py's fault ports and the DNS/TCP fault ports.
Run by tests/testbed/check with the env file exported. Standard library only."""

import socket
import ssl
import struct
import sys
import time

from tbcheck import HOST, T, check, expect, finish, port, verify_ctx

MB = 1024 * 1024


def conn(name, timeout=T):
    return socket.create_connection((HOST, port(name)), timeout=timeout)


def read_line(sock, limit=65536):
    buf = b""
    while not buf.endswith(b"\n") and len(buf) < limit:
        chunk = sock.recv(1)
        if not chunk:
            break
        buf += chunk
    return buf


def read_n(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(min(65536, n - len(buf)))
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


def read_to_eof(sock, limit=MB):
    buf = bytearray()
    while len(buf) < limit:
        chunk = sock.recv(65536)
        if not chunk:
            break
        buf += chunk
    return bytes(buf)


@check("hostile smtp_silent: connects, sends nothing for 1 s")
def _():
    s = conn("HOSTILE_SMTP_SILENT", timeout=1.0)
    try:
        data = s.recv(1)
        raise AssertionError(f"got {data!r}")
    except socket.timeout:
        pass
    s.close()


@check("hostile smtp_drip: banner arrives one byte per second")
def _():
    s = conn("HOSTILE_SMTP_DRIP")
    t0 = time.monotonic()
    first = s.recv(1)
    second = s.recv(1)
    dt = time.monotonic() - t0
    expect(first + second == b"22", first + second)
    expect(0.7 <= dt <= 2.5, f"two bytes took {dt:.2f} s")
    s.close()


@check("hostile smtp_garbage: non-numeric banner")
def _():
    s = conn("HOSTILE_SMTP_GARBAGE")
    line = read_line(s)
    expect(line and not line[:3].isdigit(), line)
    s.close()


@check("hostile smtp_endless_banner: 1 MB of '220-' lines, no final line")
def _():
    s = conn("HOSTILE_SMTP_ENDLESS_BANNER")
    data = read_n(s, MB)
    s.close()
    lines = data.split(b"\r\n")[:-1]
    expect(len(data) == MB and lines, f"{len(data)} bytes")
    expect(all(x.startswith(b"220-") for x in lines), "a line is not 220-")


@check("hostile smtp_endless_ehlo: normal banner, then 1 MB of '250-' lines")
def _():
    s = conn("HOSTILE_SMTP_ENDLESS_EHLO")
    expect(read_line(s).startswith(b"220 "), "banner")
    s.sendall(b"EHLO client.test\r\n")
    data = read_n(s, MB)
    s.close()
    lines = data.split(b"\r\n")[:-1]
    expect(len(data) == MB and all(x.startswith(b"250-") for x in lines), "not endless 250-")


@check("hostile smtp_longline: '220 ' + 10 MiB without a newline")
def _():
    s = conn("HOSTILE_SMTP_LONGLINE")
    data = read_n(s, 10 * MB + 4)
    s.close()
    expect(len(data) == 10 * MB + 4, f"{len(data)} bytes")
    expect(data.startswith(b"220 ") and b"\n" not in data, "newline found")


@check("hostile smtp_midreply: EHLO reply cut off, then EOF")
def _():
    s = conn("HOSTILE_SMTP_MIDREPLY")
    expect(read_line(s).startswith(b"220 "), "banner")
    s.sendall(b"EHLO client.test\r\n")
    data = read_to_eof(s)
    s.close()
    expect(data.startswith(b"250-") and not data.endswith(b"\r\n"), data)


@check("hostile smtp_421: '421' banner then close")
def _():
    s = conn("HOSTILE_SMTP_421")
    data = read_to_eof(s)
    s.close()
    expect(data.startswith(b"421 4.3.2 ") and data.endswith(b"\r\n"), data)


@check("hostile smtp_554: '554 5.7.1 ... blocked using zen.spamhaus.org', QUIT -> 221")
def _():
    s = conn("HOSTILE_SMTP_554")
    line = read_line(s)
    expect(line.startswith(b"554 5.7.1 Service unavailable; Client host [127.0.0.1] "
                           b"blocked using zen.spamhaus.org"), line)
    s.sendall(b"EHLO client.test\r\n")
    expect(read_line(s).startswith(b"503"), "EHLO after 554")
    s.sendall(b"QUIT\r\n")
    expect(read_line(s).startswith(b"221"), "QUIT")
    s.close()


def to_starttls(name):
    s = conn(name)
    expect(read_line(s).startswith(b"220 "), "banner")
    s.sendall(b"EHLO client.test\r\n")
    ehlo = b""
    while not ehlo.startswith(b"250 ") and b"\n250 " not in ehlo:
        line = read_line(s)
        expect(line, "EOF in EHLO")
        ehlo += line
    expect(b"STARTTLS" in ehlo, ehlo)
    s.sendall(b"STARTTLS\r\n")
    return s


@check("hostile starttls_garbage: 220 to STARTTLS, then no TLS handshake")
def _():
    s = to_starttls("HOSTILE_STARTTLS_GARBAGE")
    expect(read_line(s).startswith(b"220 "), "STARTTLS reply")
    try:
        verify_ctx().wrap_socket(s, server_hostname="mx1.mail.test")
        raise AssertionError("TLS handshake succeeded")
    except ssl.SSLError:
        pass
    s.close()


@check("hostile starttls_inject: '220 go ahead' and '250 injected' in one write")
def _():
    s = to_starttls("HOSTILE_STARTTLS_INJECT")
    time.sleep(0.2)
    data = s.recv(4096)
    expect(data == b"220 2.0.0 go ahead\r\n250 injected\r\n", data)
    # a correct client drops the injected bytes; the handshake then works
    tls = verify_ctx().wrap_socket(s, server_hostname="mx1.mail.test")
    tls.sendall(b"EHLO client.test\r\n")
    expect(read_line(tls).startswith(b"250"), "EHLO over TLS")
    tls.close()


@check("hostile smtp_554_reset: '554' banner, the next line gets a TCP reset")
def _():
    s = conn("HOSTILE_SMTP_554_RESET")
    expect(read_line(s).startswith(b"554 5.7.1 "), "banner")
    s.sendall(b"QUIT\r\n")
    try:
        data = s.recv(100)
        expect(False, f"no reset: {data!r}")
    except ConnectionResetError:
        pass
    s.close()


@check("hostile pop3_err: '-ERR' banner")
def _():
    s = conn("HOSTILE_POP3_ERR")
    expect(read_line(s).startswith(b"-ERR "), "banner")
    s.close()


@check("hostile pop3_endless_list: LIST never sends the '.' line (1 MB read)")
def _():
    s = conn("HOSTILE_POP3_ENDLESS_LIST")
    expect(read_line(s).startswith(b"+OK"), "banner")
    for cmd in (b"USER alice\r\n", b"PASS x\r\n"):
        s.sendall(cmd)
        expect(read_line(s).startswith(b"+OK"), cmd)
    s.sendall(b"LIST\r\n")
    expect(read_line(s).startswith(b"+OK"), "LIST")
    data = read_n(s, MB)
    s.close()
    expect(len(data) == MB and b"\r\n.\r\n" not in data, "listing ended")


@check("hostile imap_garbage: greeting is not '* OK'/'* PREAUTH'/'* BYE'")
def _():
    s = conn("HOSTILE_IMAP_GARBAGE")
    line = read_line(s)
    expect(line and not line.startswith((b"* OK", b"* PREAUTH", b"* BYE")), line)
    s.close()


def dns_query(name="mail.test", qtype=15):
    qname = b"".join(bytes([len(x)]) + x.encode() for x in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", 0x4D44, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1)


@check("DNS port (NSD) answers over UDP (sanity for the fault cases)")
def _():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2)
    u.sendto(dns_query(), (HOST, port("DNS")))
    data = u.recv(4096)
    expect(data[:2] == b"\x4d\x44" and data[3] & 0x0F == 0, "bad answer")
    u.close()


@check("DNS blackhole: UDP query gets no answer in 1 s")
def _():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(1.0)
    u.sendto(dns_query(), (HOST, port("DNS_BLACKHOLE")))
    try:
        data = u.recv(4096)
        raise AssertionError(f"answer {data!r}")
    except socket.timeout:
        pass
    u.close()


@check("DNS blackhole: TCP accepts, query gets no answer in 1 s")
def _():
    s = conn("DNS_BLACKHOLE", timeout=1.0)
    q = dns_query()
    s.sendall(struct.pack(">H", len(q)) + q)
    try:
        data = s.recv(2)
        raise AssertionError(f"answer {data!r}")
    except socket.timeout:
        pass
    s.close()


@check("DNS closed port: UDP query -> connection refused (ICMP)")
def _():
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.settimeout(2.0)
    u.connect((HOST, port("DNS_CLOSED")))
    u.send(dns_query())
    try:
        u.recv(4096)
        raise AssertionError("answer")
    except ConnectionRefusedError:
        pass
    u.close()


@check("refused port: TCP connect -> connection refused")
def _():
    try:
        conn("REFUSED", timeout=2.0).close()
        raise AssertionError("connected")
    except ConnectionRefusedError:
        pass


@check("filtered port: TCP connect times out (SYN dropped), not refused")
def _():
    t0 = time.monotonic()
    try:
        conn("FILTERED", timeout=1.5).close()
        raise AssertionError("connected")
    except socket.timeout:
        expect(time.monotonic() - t0 >= 1.4, "too fast")


sys.exit(finish())
