#!/usr/bin/python3
"""Generates a large mbox for `maildiag headers` benchmarks from the shared header samples.

Each message is one of ../shared/corpus/headers/samples/*.eml with variations: fresh queue ids,
Message-IDs, shifted dates, different last octets in addresses, and Subjects mixing plain ASCII,
UTF-8 and GBK encoded words; then a short body (with an escaped ">From " line now and then).
Deterministic (seeded). Usage: gen_mbox.py OUT.mbox [MESSAGES] [SAMPLES_DIR]
"""
import base64
import email.utils
import os
import random
import re
import sys

out_path = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
here = os.path.dirname(os.path.abspath(__file__))
samples_dir = sys.argv[3] if len(sys.argv) > 3 else os.path.join(
    os.environ.get("MAILDIAG_SHARED_DIR", os.path.join(here, "../../../shared")), "corpus/headers/samples")

rng = random.Random(20240305)
samples = []
for name in sorted(os.listdir(samples_dir)):
    if name.endswith(".eml"):
        with open(os.path.join(samples_dir, name), "rb") as f:
            data = f.read()
        if data.startswith(b"From "):
            data = data.split(b"\n", 1)[1]
        samples.append(data.rstrip(b"\n") + b"\n")
weights = [1.0 / (len(s) ** 0.5) for s in samples]

ID = re.compile(rb"\bid ([A-Za-z0-9]{6,})")
DATE = re.compile(rb"(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d\d):(\d\d):(\d\d)")
IPV4 = re.compile(rb"\[(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\]")
SUBJECT = re.compile(rb"^Subject:.*(\n[ \t].*)*", re.M | re.I)
MSGID = re.compile(rb"^Message-ID:.*(\n[ \t].*)*", re.M | re.I)
WORDS = ["invoice", "meeting", "report", "urgent", "hello", "update", "offer", "delivery", "account", "weekly"]
CJK = ["会议通知", "发票", "您好", "报告", "更新", "紧急", "订单", "周报"]


def subject(i):
    kind = i % 4
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
    if kind == 0:
        return b"Subject: " + text.encode() + b"\n"
    if kind == 1:
        word = base64.b64encode((text + " " + rng.choice(CJK)).encode()).decode()
        return b"Subject: =?UTF-8?B?" + word.encode() + b"?=\n"
    if kind == 2:
        word = base64.b64encode(rng.choice(CJK).encode("gbk")).decode()
        return b"Subject: Re: =?GBK?B?" + word.encode() + b"?= " + text.encode() + b"\n"
    q = "".join(c if c.isalnum() else "_" if c == " " else "=%02X" % ord(c) for c in text + " déjà vu")
    return b"Subject: =?ISO-8859-1?Q?" + q.encode("latin-1") + b"?=\n"


def vary(msg, i):
    shift = rng.randint(-300, 300)
    msg = ID.sub(lambda m: b"id " + ("%X" % rng.getrandbits(40)).encode(), msg)
    msg = IPV4.sub(lambda m: b"[" + m.group(1) + b"." + m.group(2) + b"." + m.group(3) + b"." +
                   str(rng.randint(1, 254)).encode() + b"]", msg)
    msg = DATE.sub(lambda m: m.group(1) + b" " + m.group(2) + b" " + m.group(3) + b" " + m.group(4) + b":" +
                   ("%02d" % ((int(m.group(5)) + shift // 60) % 60)).encode() + b":" + m.group(6), msg)
    msg = SUBJECT.sub(lambda m: subject(i).rstrip(b"\n"), msg, count=1)
    msg = MSGID.sub(("Message-ID: <%d.%x@bench.example>" % (i, rng.getrandbits(32))).encode(), msg, count=1)
    return msg


with open(out_path, "wb") as out:
    for i in range(count):
        msg = vary(rng.choices(samples, weights)[0], i)
        stamp = email.utils.formatdate(1700000000 + i * 7, usegmt=True)
        out.write(b"From bench@example.org " + stamp.encode() + b"\n")
        out.write(msg)
        out.write(b"\n")
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 60)))
        out.write(body.encode() + b"\n")
        if i % 10 == 0:
            out.write(b">From the archives, quoted so it is not a separator\n")
        out.write(b"\n")
print("%s: %d messages, %.1f MB" % (out_path, count, os.path.getsize(out_path) / 1e6))
