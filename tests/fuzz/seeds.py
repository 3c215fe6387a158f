#!/usr/bin/env python3
"""Writes the seed corpora tests/fuzz/corpus/<target>/ (committed; replayed by ctest).

  tests/fuzz/seeds.py                       rewrite the committed seeds
  tests/fuzz/seeds.py --shared SHARED OUT   extra seeds from the lead's corpora (../shared/corpus)
                                            into OUT/<target>/, at run time (scripts/fuzz does
                                            this; they are never copied into the repository)

Seeds are small, hand-made from the project's own test data and docs (the test bed's replies,
the unit tests' transcripts in tests/unit/smtp/data). Each fuzz target reads a few control
bytes before its payload (see the target's MAILDIAG_FUZZ_TARGET); the builders below put them
in front so every seed reaches deep into its target. Run it again after changing a target's
control-byte layout:  tests/fuzz/seeds.py
"""
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent
CORPUS = ROOT / "corpus"
SMTP_DATA = ROOT.parent / "unit" / "smtp" / "data"

LINE = b"\xf8" * 4   # chunk rule: one server line per read
REST = b"\xf0" * 4   # chunk rule: the rest at once
SMALL = bytes([0, 2, 6, 30])  # chunks of 1, 3, 7 and 31 bytes


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def crlf(*lines):
    return b"".join((l if isinstance(l, bytes) else l.encode()) + b"\r\n" for l in lines)


def engine(script, chunks, stream, eof=False, tiny=None):
    """Control bytes shared by the pop3/imap/smtp targets: tiny-limits flag (+ its bytes),
    eof flag, 16 script bytes, 4 chunk rules; then the server's bytes."""
    head = bytes([1]) + bytes(tiny) if tiny else bytes([0])
    head += bytes([1 if eof else 0])
    script = (list(script) * 16)[:16]
    return head + bytes(script) + chunks + stream


# ------------------------------------------------------------------------------ reply
def reply_seeds():
    seeds = {
        "postfix-user-unknown": b"550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table",
        "greylisted": b"450 4.7.1 <grey@mail.test>: Recipient address rejected: Greylisted, please try again later",
        "ehlo-multiline": b"250-mx1.mail.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250 8BITMIME",
        "spamhaus": b"554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/192.0.2.1",
        "pop3-err": b"-ERR [SYS/TEMP] hostile.test POP3 service unavailable",
        "pop3-ok": b"+OK Dovecot (Debian) ready.",
        "bare-enhanced": b"5.7.1",
        "lf-multiline": b"550-5.7.1 first\n550 5.7.1 second",
        "mixed-codes": b"250-a\r\n251 b",
        "size": b"552 5.3.4 Message size exceeds fixed limit",
        "chinese-text": "553 邮件地址不存在 mailbox not found".encode(),
        "qq-code": "550 Mailbox not found or access denied. http://service.mail.qq.com/cgi-bin/help?subtype=1&&id=20022&&no=1000728".encode(),
    }
    for i, (name, text) in enumerate(seeds.items()):
        write("reply", name, bytes([i & 1, (i * 37) & 0xFF]) + text)


# ------------------------------------------------------------------------------ messages
HEADERS = (
    "Return-Path: <alice@mail.test>\r\n"
    "Received: from mx1.mail.test (mx1.mail.test [127.0.0.11])\r\n"
    "\tby mail.test (Postfix) with ESMTPS id 4Tq1Bc2xyz\r\n"
    "\tfor <bob@mail.test>; Tue, 5 Mar 2024 14:02:11 +0100 (CET)\r\n"
    "Date: Tue, 5 Mar 2024 14:02:11 +0100\r\n"
    "From: =?UTF-8?B?5byg5LiJ?= <alice@mail.test>\r\n"
    "To: bob@mail.test\r\n"
    "Subject: =?gb2312?B?xOO6ww==?= and =?iso-8859-1?Q?caf=E9?=\r\n"
    "Message-ID: <20240305130211.1@mail.test>\r\n"
    "\r\n"
    "body\r\n"
)


def message_seeds():
    blocks = {
        "postfix": HEADERS.encode(),
        "mbox-lf": b"From alice@mail.test Tue Mar  5 14:02:11 2024\nSubject: hi\nTo: bob\n folded\n\nbody\n",
        "cr-only": b"Subject: a\rX-Y: b\r\rbody",
        "no-colon": b"Subject: a\r\nthis line has no colon\r\n\r\n",
        "continuation-first": b" leading continuation\r\nSubject: x\r\n\r\n",
        "8bit": "Subject: 你好\r\nFrom: Zoë <z@example.org>\r\n\r\n".encode(),
        "headers-only": b"Subject: no body and no blank line",
    }
    for name, text in blocks.items():
        write("headers", name, b"\x40\x05\x20" + text)

    mime = {
        "dsn": DSN,
        "alternative": (
            b"Content-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n"
            b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            b"5L2g5aW9\r\n"
            b"--b1\r\nContent-Type: text/html; charset=\"iso-8859-1\"\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            b"<p>caf=E9<br>x&amp;y&nbsp;z</p>=\r\nsoft\r\n"
            b"--b1--\r\n"),
        "nested-unclosed": (
            b"Content-Type: multipart/mixed; boundary=outer\n\n--outer\n"
            b"Content-Type: multipart/related; boundary=inner\n\n--inner\nContent-Type: text/plain\n\nx\n"
            b"--outer\nContent-Type: message/rfc822\n\nSubject: inner\n\nbody\n"),
        "rfc2231": (
            b"Content-Type: text/plain; name*0=\"a\"; name*1=\"b\"; title*=utf-8''%E4%BD%A0\r\n\r\nx"),
        "no-boundary": b"Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\ny\r\n",
    }
    for name, text in mime.items():
        write("mime", name, bytes([3, 6, 0x80, 12, 100, 20]) + text)

    words = {
        "utf8-b": b"=?UTF-8?B?5L2g5aW9?= world",
        "gb2312-b": b"=?gb2312?B?xOO6ww==?=",
        "q-mixed": b"=?iso-8859-1?Q?caf=E9?= =?utf-8?q?_x_y?=",
        "utf16": b"=?utf-16?B?AGEAYg==?=",
        "iso2022jp": b"=?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?=",
        "malformed": b"=?utf-8?x?abc?= =?unknown?B?YWJj?= =?utf-8?B?###?=",
        "raw8bit": "Zoë and \xc4\xe3".encode("latin-1", "replace"),
        "lang-suffix": b"=?UTF-8*en?Q?hello?=",
    }
    for i, (name, text) in enumerate(words.items()):
        write("rfc2047", name, bytes([i * 3]) + text)

    dates = ["Tue, 5 Mar 2024 14:02:11 +0100", "5 Mar 24 14:02 EST", "Sun Nov 13 14:50:12 2005",
             "2024-03-05T13:02:11Z", "Mon, 31 Jun 2024 23:59:60 -0000 (GMT)", "Thu, 1 Jan 1970 00:00:00 Z",
             "Fri, 31 Dec 9999 23:59:59 -9959", "Wed, 29 Feb 2023 12:00:00 +0800 (CST)"]
    for i, d in enumerate(dates):
        write("date", f"date-{i}", d.encode())

    received = {
        "postfix": "from mx1.mail.test (mx1.mail.test [127.0.0.11]) by mail.test (Postfix) with ESMTPS id 4Tq1Bc2xyz (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256) for <bob@mail.test>; Tue, 5 Mar 2024 14:02:11 +0100 (CET)",
        "exim": "from [192.0.2.7] (port=51234 helo=client.example) by mx.example.org with esmtpsa (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.org>) id 1rhXyZ-000abc-2Q; Tue, 05 Mar 2024 13:02:11 +0000",
        "qmail": "(qmail 12345 invoked from network); 5 Mar 2024 13:02:11 -0000",
        "qmail-from": "from unknown (HELO client) (192.0.2.9) by mail.example.net with SMTP; 5 Mar 2024 13:02:11 -0000",
        "exchange": "from EX1.corp.example (10.1.2.3) by EX2.corp.example (10.1.2.4) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.1.2507.27; Tue, 5 Mar 2024 13:02:11 +0000",
        "gmail": "by 2002:a05:6a10:1234:b0:4f1:2345:6789 with SMTP id abc123csp456789pxb; Tue, 5 Mar 2024 05:02:11 -0800 (PST)",
        "injected": "from evil ([1.2.3.4]) (helo=\"x [5.6.7.8]\") by mx (Postfix) with ESMTP id X; Tue, 5 Mar 2024 13:02:11 +0000",
        "ipv6": "from mx3.mail.test (mx3.mail.test [IPv6:::ffff:127.0.0.1]) by mail.test with LMTP id Y",
    }
    for name, r in received.items():
        write("received", name, r.encode())


DSN = (
    b"From: MAILER-DAEMON@mail.test (Mail Delivery System)\r\n"
    b"Subject: Undelivered Mail Returned to Sender\r\n"
    b"Auto-Submitted: auto-replied\r\n"
    b"Content-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n"
    b"--B\r\nContent-Type: text/plain\r\n\r\n"
    b"I'm sorry to have to inform you that your message could not be delivered.\r\n"
    b"<nobody@mail.test>: host mx1.mail.test[127.0.0.11] said: 550 5.1.1 <nobody@mail.test>:\r\n"
    b"    Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)\r\n"
    b"--B\r\nContent-Type: message/delivery-status\r\n\r\n"
    b"Reporting-MTA: dns; mail.test\r\nArrival-Date: Tue, 5 Mar 2024 14:02:11 +0100 (CET)\r\n\r\n"
    b"Final-Recipient: rfc822; nobody@mail.test\r\nOriginal-Recipient: rfc822;nobody@mail.test\r\n"
    b"Action: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx1.mail.test\r\n"
    b"Diagnostic-Code: smtp; 550 5.1.1 <nobody@mail.test>: Recipient address rejected: User\r\n"
    b"    unknown in virtual mailbox table\r\n\r\n"
    b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
    b"Message-ID: <1@mail.test>\r\nSubject: =?UTF-8?B?5L2g5aW9?=\r\nFrom: alice@mail.test\r\nTo: nobody@mail.test\r\n\r\n"
    b"--B--\r\n")


def bounce_seeds():
    msgs = {
        "postfix-dsn": DSN,
        "qmail": (b"From: MAILER-DAEMON@example.net\nSubject: failure notice\n\n"
                  b"Hi. This is the qmail-send program at example.net.\n"
                  b"I'm afraid I wasn't able to deliver your message to the following addresses.\n"
                  b"This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
                  b"<bob@example.org>:\n192.0.2.5 does not like recipient.\n"
                  b"Remote host said: 550 5.1.1 <bob@example.org>... User unknown\nGiving up on 192.0.2.5.\n\n"
                  b"--- Below this line is a copy of the message.\n\nSubject: hi\n\nbody\n"),
        "exim-delay": (b"From: Mail Delivery System <Mailer-Daemon@mx.example.org>\nSubject: Warning: message 1rhXyZ-000abc-2Q delayed 24 hours\n\n"
                       b"This message was created automatically by mail delivery software.\n"
                       b"A message that you sent has not yet been delivered to one or more of its\n"
                       b"recipients after more than 24 hours on the queue on mx.example.org.\n\n"
                       b"  grey@mail.test\n    host mx1.mail.test [127.0.0.11]: 450 4.7.1 Greylisted, please try again later\n"),
        "coremail-cn": ("From: Postmaster@163.com\nSubject: 系统退信\nContent-Type: text/plain; charset=utf-8\n\n"
                        "抱歉，您的邮件被退回来了……\n收件人：nobody@qq.com\n退信原因：550 Mailbox not found or access denied\n").encode(),
        "vacation": (b"From: bob@example.org\nSubject: Out of office: hi\nAuto-Submitted: auto-replied\n"
                     b"Precedence: bulk\n\nI am away until Monday.\n"),
        "arf": (b"From: fbl@example.net\nSubject: FW: report\nContent-Type: multipart/report; report-type=feedback-report; boundary=x\n\n"
                b"--x\nContent-Type: text/plain\n\nThis is an abuse report\n--x\nContent-Type: message/feedback-report\n\n"
                b"Feedback-Type: abuse\nUser-Agent: SomeGenerator/1.0\nVersion: 1\n\n--x--\n"),
        "mbox-two": (b"From MAILER-DAEMON Tue Mar  5 14:02:11 2024\n" + DSN.replace(b"\r\n", b"\n") +
                     b"\nFrom MAILER-DAEMON Tue Mar  5 14:03:11 2024\nSubject: failure notice\n\nnot much\n"),
    }
    for name, text in msgs.items():
        write("bounce", name, bytes([200, 2, 100]) + text)


# ------------------------------------------------------------------------------ engines
def pop3_seeds():
    ok = "+OK Dovecot (Debian) ready."
    session = crlf(ok,
                   "+OK", "CAPA", "TOP", "UIDL", "RESP-CODES", "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER",
                   "SASL PLAIN", ".",
                   "+OK", "+OK Logged in.", "+OK 2 320",
                   "+OK 2 messages:", "1 160", "2 160", ".",
                   "+OK", "1 000000014f", "2 000000024f", ".",
                   "+OK 160 octets", "Subject: x", "", "..leading dot", "body", ".",
                   "+OK Logging out.")
    write("pop3", "dovecot-session", engine([0, 2, 3, 4, 5, 7, 9, 19], LINE, session))
    write("pop3", "dovecot-session-small-chunks", engine([0, 2, 3, 4, 5, 7, 9, 19], SMALL, session, eof=True))
    write("pop3", "err-banner", engine([0], LINE, crlf("-ERR [SYS/TEMP] hostile.test POP3 service unavailable"), eof=True))
    write("pop3", "endless-list", engine([2, 3, 5], LINE,
                                         crlf(ok, "+OK", "+OK Logged in.", "+OK",
                                              *[f"{i} 100" for i in range(1, 40)]), eof=True))
    write("pop3", "stls", engine([1, 0, 19], LINE, crlf(ok, "+OK Begin TLS negotiation now.", "+OK", "USER", ".", "+OK bye")))
    write("pop3", "stls-injection", engine([1], bytes([0xF8, 0xF0, 0xF0, 0xF0]),
                                           crlf(ok, "+OK Begin TLS", "+OK injected")))
    write("pop3", "auth-plain-challenge", engine([11, 12, 18], LINE,
                                                 crlf(ok, "+ ", "-ERR [AUTH] Authentication failed.", "+OK", "PLAIN",
                                                      "LOGIN", ".", "+OK Logged in.")))
    write("pop3", "tiny-limits", engine([0, 5], LINE, crlf(ok, "+OK", "A" * 200, "."), tiny=[16, 4, 8]))
    write("pop3", "nul-and-garbage", engine([0], SMALL, b"+OK hi\r\n\x00garbage\r\nHTTP/1.1 400\r\n"))


def imap_seeds():
    greet = "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN] Dovecot (Debian) ready."
    session = crlf(greet,
                   "* CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN",
                   "A0001 OK Pre-login capabilities listed, post-login capabilities have more.",
                   "A0002 OK [CAPABILITY IMAP4rev1 SASL-IR SORT THREAD=REFERENCES MULTIAPPEND UNSELECT IDLE] Logged in",
                   r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)",
                   r"* OK [PERMANENTFLAGS (\Answered \Flagged \Deleted \Seen \Draft \*)] Flags permitted.",
                   "* 2 EXISTS", "* 0 RECENT", "* OK [UNSEEN 1] First unseen.",
                   "* OK [UIDVALIDITY 1700000000] UIDs valid", "* OK [UIDNEXT 3] Predicted next UID",
                   "A0003 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).",
                   "* STATUS INBOX (MESSAGES 2 UNSEEN 1 UIDNEXT 3)", "A0004 OK Status completed.",
                   r"* 1 FETCH (FLAGS (\Seen) RFC822.SIZE 160)", "* 2 FETCH (BODY[] {5}", "hello)",
                   "A0005 OK Fetch completed.", "* BYE Logging out", "A0006 OK Logout completed.")
    write("imap", "dovecot-session", engine([0, 2, 5, 7, 8, 13], LINE, session))
    write("imap", "dovecot-session-small-chunks", engine([0, 2, 5, 7, 8, 13], SMALL, session, eof=True))
    write("imap", "garbage-greeting", engine([0], LINE, b"\x00\x01HTTP/1.1 400 garbage: not IMAP\r\n", eof=True))
    write("imap", "starttls", engine([1, 0], LINE, crlf("* OK ready", "A0001 OK Begin TLS negotiation now.",
                                                       "* CAPABILITY IMAP4rev1 AUTH=PLAIN", "A0002 OK done")))
    write("imap", "starttls-injection", engine([1], bytes([0xF8, 0xF0, 0xF0, 0xF0]),
                                               crlf("* OK ready", "A0001 OK Begin TLS", "* OK injected")))
    write("imap", "authenticate", engine([4, 13], LINE, crlf("* OK ready", "+ ", "A0001 NO [AUTHENTICATIONFAILED] Authentication failed.",
                                                           "* BYE", "A0002 OK")))
    write("imap", "sync-literal-login", engine([3, 13], LINE, crlf("* OK [CAPABILITY IMAP4rev1] ready", "+ go ahead", "+ go ahead",
                                                                 "A0001 NO [UNAVAILABLE] try later", "A0002 OK bye")))
    write("imap", "preauth-bye", engine([5], LINE, crlf("* PREAUTH ready", "* BYE [ALERT] shutting down"), eof=True))
    write("imap", "unknown-tag", engine([9], LINE, crlf("* OK ready", "B0001 OK not ours")))
    write("imap", "tiny-limits", engine([8], LINE, crlf("* OK ready", "* 1 FETCH (BODY[] {99}", "x" * 99 + ")"),
                                        tiny=[32, 10, 20, 2]))
    write("imap", "nested-lists", engine([11], LINE, crlf("* OK ready", "* LIST (" + "(" * 80 + ")" * 80 + ") \"/\" INBOX",
                                                        "A0001 OK")))


def smtp_transcript_seeds():
    """The S: lines of the SMTP engine's own unit-test transcripts, with the C: lines as the script."""
    verbs = {"EHLO": 0, "HELO": 1, "STARTTLS": 2, "MAIL": 5, "RCPT": 6, "DATA": 8, "RSET": 9, "NOOP": 10,
             "VRFY": 11, "QUIT": 12}
    if not SMTP_DATA.is_dir():
        return
    for f in sorted(SMTP_DATA.glob("*.txt")):
        stream = b""
        script = []
        eof = False
        for line in f.read_bytes().split(b"\n"):
            if line.startswith(b"S: "):
                stream += line[3:] + b"\r\n"
            elif line.startswith(b"C: "):
                words = line[3:].split()
                word = words[0].decode("latin-1").upper() if words else ""
                if word == "AUTH":
                    script.append(4 if b"LOGIN" in line.upper() else 3)
                elif word in verbs:
                    script.append(verbs[word])
            elif line.strip() == b"EOF":
                eof = True
        if stream:
            write("smtp", "transcript-" + f.stem, engine(script or [0], LINE, stream, eof=eof))


def smtp_seeds():
    banner = "220 mx1.mail.test ESMTP Postfix (maildiag testbed)"
    ehlo = ["250-mx1.mail.test", "250-SIZE 1048576", "250-STARTTLS", "250-ENHANCEDSTATUSCODES",
            "250-8BITMIME", "250-DSN", "250 CHUNKING"]
    tail = ["250 2.1.0 Ok", "250 2.1.5 Ok",
            "550 5.1.1 <nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table",
            "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as 4Tq1Bc2xyz", "221 2.0.0 Bye"]
    write("smtp", "postfix-session", engine([0, 5, 6, 7, 8, 12], LINE, crlf(banner, *ehlo, *tail)))
    piped = ehlo[:1] + ["250-PIPELINING"] + ehlo[1:]
    write("smtp", "postfix-pipelined", engine([0, 5, 6, 7, 8, 12], LINE, crlf(banner, *piped, *tail), eof=True))
    write("smtp", "postfix-small-chunks", engine([0, 5, 6, 7, 8, 12], SMALL, crlf(banner, *ehlo, *tail)))
    write("smtp", "banner-421", engine([0], LINE, crlf(
        "421 4.3.2 hostile.test Service not available, closing transmission channel"), eof=True))
    write("smtp", "banner-554", engine([0, 12], LINE, crlf(
        "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/127.0.0.1",
        "503 5.5.1 Error: send QUIT", "221 2.0.0 Bye"), eof=True))
    write("smtp", "endless-ehlo", engine([0], LINE, crlf(banner, *[f"250-hostile.test endless line {i}" for i in range(60)]),
                                         tiny=[60, 20]))
    write("smtp", "longline", engine([0], bytes([63, 63, 63, 63]), b"220 " + b"A" * 600, tiny=[100, 4]))
    write("smtp", "midreply", engine([0], LINE, crlf(banner, "250-hostile.test", "250-PIPELINING") + b"250-SIZ", eof=True))
    write("smtp", "starttls", engine([0, 2, 0, 3, 12], LINE, crlf(
        banner, *ehlo, "220 2.0.0 Ready to start TLS", "250-mx1.mail.test", "250-AUTH PLAIN LOGIN", "250 8BITMIME",
        "235 2.7.0 Authentication successful", "221 Bye")))
    write("smtp", "starttls-injection", engine([0, 2], b"\xf8\xf8\xf8\xf0",
                                               crlf(banner, "250-mx1", "250 STARTTLS", "220 2.0.0 go ahead",
                                                    "250 injected")))
    write("smtp", "auth-login", engine([0, 4, 5], LINE, crlf(banner, "250-mx", "250 AUTH LOGIN", "334 VXNlcm5hbWU6",
                                                            "334 UGFzc3dvcmQ6", "535 5.7.8 Error: authentication failed: x",
                                                            "530 5.7.0 Must issue a STARTTLS command first")))
    write("smtp", "garbage-banner", engine([0], LINE, b"\x16\x03\x01\x00\xff this is not SMTP\r\n", eof=True))
    write("smtp", "unsolicited-421", engine([0, 10], LINE, crlf(banner, "250 mx", "421 4.4.2 timeout", "250 ok")))
    write("smtp", "bare-lf", engine([0, 12], LINE, b"220 x\n250-a\n250 b\n221 c\n"))
    smtp_transcript_seeds()


# ------------------------------------------------------------------------------ dns
class Packet:
    def __init__(self, rcode=0, flags=0x8180):
        self.b = bytearray(struct.pack(">HHHHHH", 0x1234, flags | rcode, 0, 0, 0, 0))
        self.counts = [0, 0, 0, 0]

    def name(self, n):
        at = len(self.b)
        for label in n.split(".") if n != "." else []:
            self.b += bytes([len(label)]) + label.encode()
        self.b += b"\x00"
        return at

    def question(self, n, t):
        self.name(n)
        self.b += struct.pack(">HH", t, 1)
        self.counts[0] += 1

    def rr(self, owner, t, rdata, section=1, ttl=300, pointer=None):
        if pointer is not None:
            self.b += struct.pack(">H", 0xC000 | pointer)
        else:
            self.name(owner)
        self.b += struct.pack(">HHIH", t, 1, ttl, len(rdata)) + rdata
        self.counts[section] += 1

    def bytes(self):
        out = bytearray(self.b)
        out[4:12] = struct.pack(">HHHH", *self.counts)
        return bytes(out)


def dname(n):
    out = b""
    for label in n.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def dns_seeds():
    MX, TXT, TLSA, A, AAAA, CNAME, SOA, PTR, OPT = 15, 16, 52, 1, 28, 5, 6, 12, 41
    p = Packet(flags=0x8580)
    p.question("mail.test", MX)
    for pref, host in ((10, "mx1"), (20, "mx2"), (30, "mx3")):
        p.rr(None, MX, struct.pack(">H", pref) + bytes([len(host)]) + host.encode() + b"\xc0\x0c", pointer=12)
    p.rr("mx1.mail.test", A, bytes([127, 0, 0, 11]), section=3)
    p.rr("mx3.mail.test", AAAA, bytes(15) + b"\x01", section=3)
    write("dns", "mx-compressed", p.bytes())

    p = Packet()
    p.question("mail.test", TXT)
    spf = b"v=spf1 ip4:127.0.0.0/8 ip6:::1/128 mx -all"
    p.rr(None, TXT, bytes([len(spf)]) + spf, pointer=12)
    dmarc = b"v=DMARC1; p=reject; rua=mailto:dmarc@mail.test; adkim=s; aspf=s"
    p.rr(None, TXT, bytes([len(dmarc)]) + dmarc, pointer=12)
    sts = b"v=STSv1; id=20240101T000000Z"
    p.rr(None, TXT, bytes([len(sts)]) + sts + bytes([30]) + b"v=TLSRPTv1; rua=mailto:t@x.tst", pointer=12)
    write("dns", "txt-policies", p.bytes())

    p = Packet(flags=0x81a0)  # AD bit
    p.question("_25._tcp.mx1.mail.test", TLSA)
    p.rr(None, TLSA, bytes([3, 1, 1]) + bytes(range(32)), pointer=12)
    write("dns", "tlsa", p.bytes())

    p = Packet()
    p.question("cname-mx.test", MX)
    p.rr(None, CNAME, dname("alias.cname-mx.test"), pointer=12)
    p.rr("alias.cname-mx.test", MX, struct.pack(">H", 10) + dname("mx1.mail.test"))
    write("dns", "cname-chain", p.bytes())

    p = Packet()
    p.question("loop.test", A)
    p.rr(None, CNAME, dname("loop2.test"), pointer=12)
    p.rr("loop2.test", CNAME, dname("loop.test"))
    write("dns", "cname-loop", p.bytes())

    p = Packet(rcode=3)
    p.question("nx.test", MX)
    p.rr("test", SOA, dname("ns.test") + dname("hostmaster.test") + struct.pack(">IIIII", 1, 2, 3, 4, 5), section=2)
    write("dns", "nxdomain-soa", p.bytes())

    p = Packet()
    p.question("nullmx.test", MX)
    p.rr(None, MX, b"\x00\x00\x00", pointer=12)
    p.rr(".", OPT, b"", section=3)
    write("dns", "null-mx-edns", p.bytes())

    p = Packet()
    p.question("1.0.0.127.in-addr.arpa", PTR)
    p.rr(None, PTR, dname("mail.test"), pointer=12)
    write("dns", "ptr", p.bytes())

    good = Packet()
    good.question("mail.test", MX)
    good.rr(None, MX, struct.pack(">H", 10) + b"\xc0\x2a", pointer=12)  # pointer forward / to itself
    write("dns", "pointer-loop", good.bytes())
    write("dns", "truncated", p.bytes()[:-5])
    write("dns", "header-only", Packet(rcode=2).bytes())


# ------------------------------------------------------------------------------ header analysis
AUTH_HEADERS = (
    "Authentication-Results: mx.google.com;\r\n"
    "       dkim=pass header.i=@example.org header.s=s1 header.b=AbCd;\r\n"
    "       spf=pass (google.com: domain of alice@example.org designates 192.0.2.7 as permitted sender)"
    " smtp.mailfrom=alice@example.org;\r\n"
    "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.org\r\n"
    "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org\r\n"
    "Received-SPF: Pass (protection.outlook.com: domain of example.org designates 192.0.2.7 as permitted sender)"
    " receiver=protection.outlook.com; client-ip=192.0.2.7; helo=mail.example.org;\r\n"
    "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=s1;\r\n"
    "\th=from:to:subject:date; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AbCd\r\n"
    "Authentication-Results: spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=example.org; dkim=none (message not signed)"
    " header.d=none;dmarc=bestguesspass action=none header.from=example.org;\r\n"
    "Reply-To: \"Team\" <team@sub.example.co.uk>, undisclosed-recipients:;\r\n"
    "Cc: (comment) bob@example.org (Bob), \"quoted, name\" <c@[192.0.2.1]>\r\n"
)


def trace_seeds():
    full = AUTH_HEADERS.encode() + HEADERS.encode()
    hops = "".join(f"Received: from h{i}.example.org (h{i}.example.org [192.0.2.{i}]) by h{i+1}.example.org"
                   f" with ESMTP id Q{i}; Tue, 5 Mar 2024 14:0{i}:11 +0100\r\n" for i in range(8))
    write("trace", "auth-and-path", b"\x00\x00" + LINE + full)
    write("trace", "many-hops-tiny-limits", b"\x01\x10\x01\x02" + SMALL + (hops + HEADERS).encode())
    mbox = (b"From alice@mail.test Tue Mar  5 14:02:11 2024\n" + HEADERS.replace("\r\n", "\n").encode() +
            b"From bob@mail.test Tue Mar  5 14:03:11 2024\n" + AUTH_HEADERS.replace("\r\n", "\n").encode() + b"\nbody\n")
    write("trace", "mbox-two", b"\x00\x00" + REST + mbox)
    write("trace", "mbox-small-chunks", b"\x00\x00" + SMALL + mbox)


# ------------------------------------------------------------------------------ logs and queues
LOG_FIXTURES = ROOT.parent / "unit" / "log" / "fixtures"

LOG_LINES = [
    "Nov 23 05:10:01 vm postfix/smtpd[1234]: connect from localhost[127.0.0.1]",
    "Nov 23 05:10:01 vm postfix/smtpd[1234]: 4Tq1Bc2xyz: client=localhost[127.0.0.1], sasl_method=PLAIN, sasl_username=alice",
    "Nov 23 05:10:01 vm postfix/cleanup[1235]: 4Tq1Bc2xyz: message-id=<1@mail.test>",
    "Nov 23 05:10:01 vm postfix/qmgr[99]: 4Tq1Bc2xyz: from=<alice@mail.test>, size=420, nrcpt=1 (queue active)",
    "Nov 23 05:10:01 vm postfix/virtual[1236]: 4Tq1Bc2xyz: to=<bob@mail.test>, relay=virtual, delay=0.02, "
    "delays=0.01/0/0/0.01, dsn=2.0.0, status=sent (delivered to maildir)",
    "Nov 23 05:10:01 vm postfix/qmgr[99]: 4Tq1Bc2xyz: removed",
    "Nov 23 05:10:02 vm postfix/smtpd[1234]: NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 550 5.1.1 "
    "<nobody@mail.test>: Recipient address rejected: User unknown in virtual mailbox table; "
    "from=<alice@mail.test> to=<nobody@mail.test> proto=ESMTP helo=<client.test>",
    "2026-11-23T05:10:03.123456+00:00 vm postfix/smtp[1240]: 5ABCDEF: to=<x@example.org>, "
    "relay=mx.example.org[192.0.2.1]:25, delay=300, delays=0.1/0/300/0, dsn=4.4.1, status=deferred "
    "(connect to mx.example.org[192.0.2.1]:25: Connection timed out)",
    "Nov 23 05:10:04 vm dovecot: imap-login: Login: user=<alice@mail.test>, method=PLAIN, rip=127.0.0.1, "
    "lip=127.0.0.1, mpid=1, secured",
    "2024-03-05 13:02:11 1rhXyZ-000abc-2Q ** bob@example.org R=dnslookup T=remote_smtp H=mx.example.org "
    "[192.0.2.5]: SMTP error from remote mail server after RCPT TO:<bob@example.org>: 550 5.1.1 User unknown",
    "Nov 23 05:10:05 vm sm-mta[500]: x1ABC123: to=<bob@example.org>, delay=00:00:01, mailer=esmtp, pri=120, "
    "relay=mx.example.org. [192.0.2.5], dsn=5.1.1, stat=User unknown",
    "<22>1 2026-11-23T05:10:06Z vm postfix/smtpd 77 - - warning: TLS library problem: error:0A000126",
]


def log_seeds():
    head = bytes([3, 3, 3, 3, 100, 10, 3, 3, 3, 2, 12])
    write("log", "mixed", head + "\n".join(LOG_LINES).encode())
    write("log", "crlf-binary", head + "\r\n".join(LOG_LINES[:4]).encode() + b"\n\x00\xff\x1b[31m\n")
    if LOG_FIXTURES.is_dir():
        for f in sorted(LOG_FIXTURES.glob("*.log")):
            write("log", "fixture-" + f.stem, head + f.read_bytes()[:16384])
        for f in sorted(LOG_FIXTURES.glob("*.txt")) + sorted(LOG_FIXTURES.glob("*.jsonl")):
            write("queue", "fixture-" + f.stem, bytes([3, 3, 40, 2]) + f.read_bytes()[:16384])
    write("queue", "postfix-mailq", bytes([3, 3, 40, 2]) + (
        b"-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        b"5ABCDEF*     420 Mon Nov 23 05:10:03  alice@mail.test\n"
        b"(connect to mx.example.org[192.0.2.1]:25: Connection timed out)\n"
        b"                                         x@example.org\n\n-- 1 Kbytes in 1 Request.\n"))
    write("queue", "postqueue-json", bytes([3, 3, 40, 2]) + (
        b'{"queue_name": "deferred", "queue_id": "5ABCDEF", "arrival_time": 1700000000, "message_size": 420, '
        b'"sender": "", "recipients": [{"address": "x@example.org", "delay_reason": "connect to mx: timeout"}]}\n'))


# ------------------------------------------------------------------------------ ../shared
def shared_seeds(shared, out):
    """A sample of the real bounces, header blocks and header test cases, with each target's
    control bytes in front, written under out/<target>/."""
    import json
    global CORPUS
    CORPUS = pathlib.Path(out)
    corpus = pathlib.Path(shared) / "corpus"
    emls = sorted(p for p in corpus.glob("bounces*/**/*.eml") if p.stat().st_size <= 64 * 1024)
    for p in emls[::4]:
        data = p.read_bytes()
        write("bounce", "shared-" + p.name, bytes([200, 2, 100]) + data)
        write("mime", "shared-" + p.name, bytes([3, 6, 0x80, 12, 100, 20]) + data)
    for p in sorted(corpus.glob("headers/samples/*.eml")):
        write("headers", "shared-" + p.name, b"\x40\x05\x20" + p.read_bytes())
    cases = {"received_cases.jsonl": ("received", b""), "date_cases.jsonl": ("date", b""),
             "rfc2047_cases.jsonl": ("rfc2047", b"\x00")}
    for name, (target, prefix) in cases.items():
        path = corpus / "headers" / name
        if not path.exists():
            continue
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
            value = json.loads(line).get("input")
            if isinstance(value, str) and i % 2 == 0:
                write(target, f"shared-{i}", prefix + value.encode("utf-8", "surrogateescape"))


def main():
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "--shared":
        shared_seeds(sys.argv[2], sys.argv[3])
        return
    reply_seeds()
    message_seeds()
    bounce_seeds()
    pop3_seeds()
    imap_seeds()
    smtp_seeds()
    dns_seeds()
    log_seeds()
    trace_seeds()
    for d in sorted(CORPUS.iterdir()):
        print(f"{d.name}: {len(list(d.iterdir()))} seeds")


if __name__ == "__main__":
    main()
