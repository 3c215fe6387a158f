#!/usr/bin/env python3
"""Writes a realistic Postfix mail.log of a given size for `maildiag log` benchmarks.

The mix (per message): inbound SMTP with TLS, SASL submissions, remote deliveries with
delays=a/b/c/d, deferrals later delivered, bounces with their notifications, local
deliveries, NOQUEUE rejects (blocklist, unknown user, relay), SASL and TLS failures, and
interleaved sessions, as a busy MX/submission server writes them. Deterministic (seeded).

usage: gen_postfix_log.py OUT_FILE SIZE_MB
"""

import random
import sys

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def main():
    out_path, size_mb = sys.argv[1], int(sys.argv[2])
    target = size_mb * 1024 * 1024
    rnd = random.Random(20261123)
    domains = ["d%04d.example" % i for i in range(3000)] + ["gmail.com", "outlook.com", "yahoo.com", "web.de"]
    local_users = ["user%03d@example.com" % i for i in range(500)]
    clients = ["mail%03d.sender%02d.example[198.51.%d.%d]" % (i, i % 50, i % 200, (i * 7) % 250) for i in range(800)]
    bad_ips = ["203.0.113.%d" % i for i in range(1, 250)]
    qid = 0x1A2B3C0000
    t = 0  # seconds since Nov 1 00:00
    written = 0
    pid = 1000
    buf = []

    def stamp():
        day = 1 + t // 86400
        month = 10 + (day - 1) // 30
        day = (day - 1) % 30 + 1
        s = t % 86400
        return "%s %2d %02d:%02d:%02d" % (MONTHS[month % 12], day, s // 3600, (s // 60) % 60, s % 60)

    def line(prog, p, msg):
        buf.append("%s mx1 postfix/%s[%d]: %s\n" % (stamp(), prog, p, msg))

    with open(out_path, "w") as f:
        while written < target:
            t += rnd.randint(0, 2)
            pid += 1
            kind = rnd.random()
            client = rnd.choice(clients)
            if kind < 0.06:  # NOQUEUE rejects from a spammer
                ip = rnd.choice(bad_ips)
                c = "unknown[%s]" % ip
                line("smtpd", pid, "connect from %s" % c)
                r = rnd.random()
                rcpt = rnd.choice(local_users)
                if r < 0.5:
                    text = ("554 5.7.1 Service unavailable; Client host [%s] blocked using zen.spamhaus.org; "
                            "https://www.spamhaus.org/query/ip/%s" % (ip, ip))
                elif r < 0.8:
                    rcpt = "nosuch%d@example.com" % rnd.randint(1, 9999)
                    text = "550 5.1.1 <%s>: Recipient address rejected: User unknown in virtual mailbox table" % rcpt
                else:
                    rcpt = "victim%d@%s" % (rnd.randint(1, 99), rnd.choice(domains))
                    text = "554 5.7.1 <%s>: Relay access denied" % rcpt
                line("smtpd", pid, "NOQUEUE: reject: RCPT from %s: %s; from=<spam%d@bad.example> to=<%s> "
                     "proto=ESMTP helo=<bad.example>" % (c, text, rnd.randint(1, 999), rcpt))
                line("smtpd", pid, "disconnect from %s ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4" % c)
            elif kind < 0.08:  # password guessing on submission
                c = "unknown[%s]" % rnd.choice(bad_ips)
                line("submission/smtpd", pid, "connect from %s" % c)
                line("submission/smtpd", pid, "warning: %s: SASL LOGIN authentication failed: UGFzc3dvcmQ6, "
                     "sasl_username=admin" % c)
                line("submission/smtpd", pid, "disconnect from %s ehlo=1 auth=0/1 commands=1/2" % c)
            elif kind < 0.09:  # TLS failure
                c = rnd.choice(clients)
                line("smtpd", pid, "connect from %s" % c)
                line("smtpd", pid, "SSL_accept error from %s: -1" % c)
                line("smtpd", pid, "warning: TLS library problem: error:0A000102:SSL routines::unsupported "
                     "protocol:../ssl/statem/statem_srvr.c:1657:")
                line("smtpd", pid, "disconnect from %s ehlo=1 starttls=0/1 commands=1/2" % c)
            else:
                qid += rnd.randint(1, 40)
                q = "%010X" % qid
                sub = rnd.random() < 0.3
                prog = "submission/smtpd" if sub else "smtpd"
                sender = rnd.choice(local_users) if sub else "news%d@%s" % (rnd.randint(1, 99), rnd.choice(domains))
                line(prog, pid, "connect from %s" % client)
                line(prog, pid, "Anonymous TLS connection established from %s: TLSv1.3 with cipher "
                     "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) "
                     "server-digest SHA256" % client)
                line(prog, pid, "%s: client=%s%s" % (q, client, ", sasl_method=PLAIN, sasl_username=%s" % sender if sub else ""))
                line("cleanup", 900, "%s: message-id=<%s.%d@%s>" % (q, q, rnd.randint(1, 1 << 30), sender.split("@")[1]))
                size = rnd.randint(800, 200000)
                line("qmgr", 800, "%s: from=<%s>, size=%d, nrcpt=1 (queue active)" % (q, sender, size))
                line(prog, pid, "disconnect from %s ehlo=2 starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7" % client)
                if sub:
                    d = rnd.choice(domains)
                    rcpt = "u%d@%s" % (rnd.randint(1, 5000), d)
                    r = rnd.random()
                    setup = rnd.uniform(0.05, 2.5)
                    if r < 0.88:
                        line("smtp", pid + 1, "%s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=%.2f, delays=0.01/0/%.2f/0.3, "
                             "dsn=2.0.0, status=sent (250 2.0.0 OK id=%d)" % (q, rcpt, d, rnd.randint(1, 250), setup + 0.31, setup, rnd.randint(1, 1 << 30)))
                    elif r < 0.96:
                        line("smtp", pid + 1, "%s: to=<%s>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, "
                             "status=deferred (connect to mx.%s[192.0.2.%d]:25: Connection timed out)" % (q, rcpt, d, rnd.randint(1, 250)))
                        t += rnd.randint(60, 900)
                        line("qmgr", 800, "%s: from=<%s>, size=%d, nrcpt=1 (queue active)" % (q, sender, size))
                        line("smtp", pid + 2, "%s: to=<%s>, relay=mx.%s[192.0.2.%d]:25, delay=%d, delays=%d/0.01/0.4/0.3, "
                             "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as %X)" % (q, rcpt, d, rnd.randint(1, 250), t % 900 + 60, t % 900 + 59, rnd.randint(1 << 36, 1 << 40)))
                    else:
                        why = rnd.choice([
                            ("5.1.1", "host mx.%s[192.0.2.9] said: 550 5.1.1 <%s>: Recipient address rejected: User unknown (in reply to RCPT TO command)" % (d, rcpt)),
                            ("5.2.2", "host mx.%s[192.0.2.9] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)" % d),
                            ("5.7.1", "host mx.%s[192.0.2.9] said: 554 5.7.1 Message rejected as spam (in reply to end of DATA command)" % d)])
                        line("smtp", pid + 1, "%s: to=<%s>, relay=mx.%s[192.0.2.9]:25, delay=0.9, delays=0.01/0/0.5/0.4, "
                             "dsn=%s, status=bounced (%s)" % (q, rcpt, d, why[0], why[1]))
                        qid += 1
                        n = "%010X" % qid
                        line("cleanup", 900, "%s: message-id=<%s@mx1.example.com>" % (n, n))
                        line("bounce", pid + 3, "%s: sender non-delivery notification: %s" % (q, n))
                        line("qmgr", 800, "%s: from=<>, size=%d, nrcpt=1 (queue active)" % (n, size + 2000))
                        line("qmgr", 800, "%s: removed" % q)
                        line("lmtp", pid + 4, "%s: to=<%s>, relay=mx1.example.com[private/dovecot-lmtp], delay=0.02, "
                             "delays=0/0/0/0.02, dsn=2.0.0, status=sent (250 2.0.0 <%s> Saved)" % (n, sender, sender))
                        q = n
                else:
                    rcpt = rnd.choice(local_users)
                    line("lmtp", pid + 1, "%s: to=<%s>, relay=mx1.example.com[private/dovecot-lmtp], delay=0.05, "
                         "delays=0.01/0/0.01/0.03, dsn=2.0.0, status=sent (250 2.0.0 <%s> nXvWBZ3hX2UhCAAAfE6rKQ Saved)" % (q, rcpt, rcpt))
                line("qmgr", 800, "%s: removed" % q)
            if len(buf) > 4000:
                chunk = "".join(buf)
                f.write(chunk)
                written += len(chunk)
                buf.clear()
        chunk = "".join(buf)
        f.write(chunk)


if __name__ == "__main__":
    main()
