#!/usr/bin/python3
"""Self-check of the test bed's real servers (Postfix, Dovecot). Run by
tests/testbed/check with the env file exported. Standard library only."""

import imaplib
import poplib
import re
import smtplib
import socket
import ssl
import sys
import time
import uuid

from tbcheck import (ALT, CA, E, HELO, HOST, IPV6, PASSWORD, T, USER, check, expect,
                     finish, port, reply, smtp, starttls, verify_ctx)

# ------------------------------------------------------------------ Postfix

@check("SMTP banner on 127.0.0.1 (Postfix, mx1)")
def _():
    s, code, banner = smtp(port("SMTP"))
    expect(code == 220 and banner.startswith("mx1.mail.test ESMTP Postfix"), banner)
    s.quit()


for addr, name in (("127.0.0.11", "mx1"), ("127.0.0.12", "mx2")) + ((("::1", "mx3"),) if IPV6 else ()):
    @check(f"SMTP banner on {addr} says {name}.mail.test")
    def _(addr=addr, name=name):
        s, code, banner = smtp(port("SMTP"), host=addr)
        expect(code == 220 and banner.startswith(f"{name}.mail.test "), banner)
        s.quit()


@check("SMTP EHLO: STARTTLS and SIZE 1048576, no AUTH")
def _():
    s, _, _ = smtp(port("SMTP"))
    s.ehlo()
    expect(s.has_extn("starttls"), "no STARTTLS")
    expect(not s.has_extn("auth"), "AUTH offered on the MX port")
    expect(s.esmtp_features.get("size") == E["MAILDIAG_TB_SIZE_LIMIT"], s.esmtp_features)
    s.quit()


@check("SMTP STARTTLS verifies against the test CA for mx1.mail.test")
def _():
    s, _, _ = smtp(port("SMTP"))
    starttls(s, verify_ctx())
    expect(s.sock.version() in ("TLSv1.2", "TLSv1.3"), s.sock.version())
    s.quit()


@check("SMTP RCPT replies: 250 alice, 550 5.1.1 unknown, 554 5.7.1 relay, 450 4.7.1 grey")
def _():
    s, _, _ = smtp(port("SMTP"))
    s.ehlo()
    expect(s.mail("probe@client.test")[0] == 250, "MAIL")
    r = reply(s.rcpt(USER))
    expect(r.startswith("250 2.1.5"), r)
    r = reply(s.rcpt(E["MAILDIAG_TB_UNKNOWN_RCPT"]))
    expect(r.startswith("550 5.1.1") and "User unknown in virtual mailbox table" in r, r)
    r = reply(s.rcpt(E["MAILDIAG_TB_RELAY_RCPT"]))
    expect(r.startswith("554 5.7.1") and "Relay access denied" in r, r)
    r = reply(s.rcpt(E["MAILDIAG_TB_GREY_RCPT"]))
    expect(r.startswith("450 4.7.1") and "Greylisted" in r, r)
    s.quit()


@check("SMTP size limit: MAIL SIZE= too big -> 552 5.3.4; DATA too big -> 552 5.3.4")
def _():
    s, _, _ = smtp(port("SMTP"))
    s.ehlo()
    r = reply(s.docmd("MAIL FROM:<probe@client.test> SIZE=2000000"))
    expect(r.startswith("552 5.3.4") and "Message size exceeds fixed limit" in r, r)
    s.rset()
    expect(s.mail("probe@client.test")[0] == 250, "MAIL")
    expect(s.rcpt(USER)[0] == 250, "RCPT")
    big = ("Subject: big\r\n\r\n" + ("x" * 998 + "\r\n") * 1100).encode()
    r = reply(s.data(big))
    expect(r.startswith("552 5.3.4") and "message file too big" in r, r)
    s.close()


MSGID = f"<{uuid.uuid4().hex}@client.test>"


@check("SMTP delivery to alice: 250 2.0.0 queued")
def _():
    s, _, _ = smtp(port("SMTP"))
    msg = (f"From: probe@client.test\r\nTo: {USER}\r\nSubject: testbed check\r\n"
           f"Message-ID: {MSGID}\r\n\r\nhello from tests/testbed/check\r\n")
    s.ehlo()
    s.mail("probe@client.test")
    s.rcpt(USER)
    r = reply(s.data(msg.encode()))
    expect(r.startswith("250 2.0.0 Ok: queued"), r)
    s.quit()


class SMTPS(smtplib.SMTP_SSL):
    """SMTP_SSL that connects by address but verifies mx1.mail.test."""

    def _get_socket(self, host, port, timeout):
        raw = socket.create_connection((host, port), timeout)
        return self.context.wrap_socket(raw, server_hostname="mx1.mail.test")


@check("SMTPS (implicit TLS): verified handshake, banner, AUTH offered")
def _():
    s = SMTPS(timeout=T, local_hostname=HELO, context=verify_ctx())
    code, banner = s.connect(HOST, port("SMTPS"))
    expect(code == 220 and b"ESMTP Postfix" in banner, banner)
    s.ehlo()
    expect(s.has_extn("auth"), "no AUTH")
    r = reply(s.login(USER, PASSWORD))
    expect(r.startswith("235 2.7.0"), r)
    s.quit()


@check("submission: no AUTH before TLS, MAIL -> 530 5.7.0 Must issue a STARTTLS")
def _():
    s, _, _ = smtp(port("SUBMISSION"))
    s.ehlo()
    expect(not s.has_extn("auth"), "AUTH offered before TLS")
    r = reply(s.docmd("MAIL FROM:<alice@mail.test>"))
    expect(r.startswith("530 5.7.0 Must issue a STARTTLS command first"), r)
    s.close()


@check("submission: after STARTTLS relay denied 554 5.7.1, bad password 535 5.7.8, AUTH 235, relay ok")
def _():
    s, _, _ = smtp(port("SUBMISSION"))
    starttls(s, verify_ctx())
    expect(s.has_extn("auth"), "no AUTH after STARTTLS")
    s.mail(USER)
    r = reply(s.rcpt(E["MAILDIAG_TB_RELAY_RCPT"]))
    expect(r.startswith("554 5.7.1"), r)
    s.rset()
    try:
        s.login(USER, "wrong-password")
        raise AssertionError("wrong password accepted")
    except smtplib.SMTPAuthenticationError as e:
        expect(e.smtp_code == 535 and e.smtp_error.startswith(b"5.7.8"), e)
    r = reply(s.login(USER, PASSWORD))
    expect(r.startswith("235 2.7.0"), r)
    s.mail(USER)
    r = reply(s.rcpt(E["MAILDIAG_TB_RELAY_RCPT"]))
    expect(r.startswith("250"), r)
    s.quit()


@check("plain-AUTH port: AUTH offered and accepted without TLS")
def _():
    s, _, _ = smtp(port("SMTP_PLAINAUTH"))
    s.ehlo()
    expect(s.has_extn("auth") and s.has_extn("starttls"), s.esmtp_features)
    r = reply(s.login(USER, PASSWORD))
    expect(r.startswith("235"), r)
    s.quit()


RELAY_ID = f"<{uuid.uuid4().hex}@client.test>"


@check("open relay port: relay without AUTH -> 250, mail is discarded")
def _():
    s, _, _ = smtp(port("SMTP_OPENRELAY"))
    s.ehlo()
    s.mail("probe@client.test")
    r = reply(s.rcpt(E["MAILDIAG_TB_RELAY_RCPT"]))
    expect(r.startswith("250 2.1.5"), r)
    msg = f"Subject: relay\r\nMessage-ID: {RELAY_ID}\r\n\r\nrelay test\r\n"
    r = reply(s.data(msg.encode()))
    expect(r.startswith("250"), r)
    s.quit()


def tls_failure(p, ctx, name="mx1.mail.test"):
    s, _, _ = smtp(p)
    try:
        starttls(s, ctx, name)
    except ssl.SSLCertVerificationError as e:
        return e
    finally:
        s.close()
    raise AssertionError("certificate verified")


@check("expired-cert port: verification fails with 'certificate has expired'")
def _():
    e = tls_failure(port("SMTP_EXPIRED"), verify_ctx())
    expect(e.verify_code == 10, f"{e.verify_code} {e.verify_message}")


@check("wrong-name port: chain valid, hostname mismatch")
def _():
    e = tls_failure(port("SMTP_WRONGNAME"), verify_ctx())
    expect(e.verify_code == 62, f"{e.verify_code} {e.verify_message}")
    s, _, _ = smtp(port("SMTP_WRONGNAME"))
    starttls(s, verify_ctx(hostname_check=False))  # chain itself is fine
    s.quit()


@check("self-signed port: verification fails with 'self-signed certificate'")
def _():
    e = tls_failure(port("SMTP_SELFSIGNED"), verify_ctx())
    expect(e.verify_code == 18, f"{e.verify_code} {e.verify_message}")


# ------------------------------------------------------------------ Dovecot

def wait_for(fn, secs=5.0):
    end = time.monotonic() + secs
    while True:
        v = fn()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.05)


def pop3_has_msg(p):
    msgs = p.list()[1]
    for line in msgs:
        num = line.split()[0].decode()
        if MSGID.encode() in b"\n".join(p.top(num, 0)[1]):
            return True
    return False


@check("POP3: banner, STLS verified, login, delivered message readable")
def _():
    p = poplib.POP3(HOST, port("POP3"), timeout=T)
    expect(p.getwelcome().startswith(b"+OK Dovecot"), p.getwelcome())
    expect("STLS" in p.capa(), p.capa())
    p.stls(verify_ctx())
    p.user(USER)
    p.pass_(PASSWORD)
    found = wait_for(lambda: pop3_has_msg(p))
    p.quit()
    expect(found, "message sent by SMTP not found")


@check("POP3: wrong password -> -ERR [AUTH] Authentication failed.")
def _():
    p = poplib.POP3_SSL(HOST, port("POP3S"), timeout=T, context=verify_ctx(False))
    p.user(USER)
    try:
        p.pass_("wrong-password")
        raise AssertionError("wrong password accepted")
    except poplib.error_proto as e:
        expect(str(e).startswith("b'-ERR [AUTH] Authentication failed."), e)
    p.quit()


@check("POP3 from 127.0.0.2 (P9): plaintext login refused before STLS")
def _():
    sock = socket.create_connection((HOST, port("POP3")), timeout=T, source_address=(ALT, 0))
    f = sock.makefile("rb")
    expect(f.readline().startswith(b"+OK"), "banner")
    sock.sendall(f"USER {USER}\r\n".encode())
    line = f.readline()
    if line.startswith(b"+OK"):
        sock.sendall(f"PASS {PASSWORD}\r\n".encode())
        line = f.readline()
    expect(line.startswith(b"-ERR") and b"Plaintext authentication disallowed" in line, line)
    sock.close()


class POP3S(poplib.POP3_SSL):
    """POP3_SSL that connects by address but verifies `name`."""

    def __init__(self, addr, port, name):
        self._name = name
        super().__init__(addr, port, timeout=T, context=verify_ctx())

    def _create_socket(self, timeout):
        raw = socket.create_connection((self.host, self.port), timeout)
        return self.context.wrap_socket(raw, server_hostname=self._name)


@check("POP3S: verified implicit TLS, STAT")
def _():
    p = POP3S(HOST, port("POP3S"), "pop.mail.test")
    expect(p.getwelcome().startswith(b"+OK"), "banner")
    p.user(USER)
    p.pass_(PASSWORD)
    expect(p.stat()[0] >= 1, "empty mailbox")
    p.quit()


class IMAP4Addr(imaplib.IMAP4):
    def __init__(self, host, port, source=None):
        self._source = source
        super().__init__(host, port, timeout=T)

    def _create_socket(self, timeout):
        src = (self._source, 0) if self._source else None
        return socket.create_connection((self.host, self.port), timeout, source_address=src)


@check("IMAP: greeting, STARTTLS verified, login, delivered message readable")
def _():
    m = IMAP4Addr(HOST, port("IMAP"))
    expect(m.welcome.startswith(b"* OK"), m.welcome)
    expect("STARTTLS" in m.capabilities, m.capabilities)
    m.starttls(verify_ctx(False))
    m.login(USER, PASSWORD)
    m.select("INBOX")
    found = wait_for(lambda: m.search(None, "HEADER", "Message-ID", MSGID)[1][0].split())
    m.logout()
    expect(found, "message sent by SMTP not found")


@check("IMAP from 127.0.0.2 (P9): LOGINDISABLED before STARTTLS")
def _():
    m = IMAP4Addr(HOST, port("IMAP"), source=ALT)
    expect("LOGINDISABLED" in m.capabilities, m.capabilities)
    m.logout()


@check("IMAPS: verified implicit TLS, login")
def _():
    raw = socket.create_connection((HOST, port("IMAPS")), timeout=T)
    tls = verify_ctx().wrap_socket(raw, server_hostname="imap.mail.test")
    f = tls.makefile("rb")
    expect(f.readline().startswith(b"* OK"), "greeting")
    tls.sendall(f"a1 LOGIN {USER} {PASSWORD}\r\n".encode())
    line = f.readline()
    while line.startswith(b"*"):
        line = f.readline()
    expect(line.startswith(b"a1 OK"), line)
    tls.close()


@check("Postfix log file: delivery to alice and the discarded relay are logged")
def _():
    log = E["MAILDIAG_TB_POSTFIX_LOG"]

    def seen():
        text = open(log, encoding="utf-8", errors="replace").read()
        return ("relay=virtual" in text and "status=sent (delivered to maildir)" in text
                and re.search(r"to=<someone@relay\.test>, relay=none.*status=sent", text))
    expect(wait_for(seen), f"expected lines not in {log}")


sys.exit(finish())
