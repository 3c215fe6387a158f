"""Python 3's standard library doing the header path's extraction (bench_headers.cpp) on an mbox.

Per message: split the mbox (mailbox), parse the header block (email.parser, compat32: the
fastest policy), decode the Subject (email.header), and -- unless --split-only -- what
message::build_trace and parse_authentication_results extract: for every Received field the
from/by/via/with/id/for clauses, the HELO, reverse name and [IP] of the from-clause's comment,
the TLS version and cipher when stated and the date after the last ';' (email.utils); for every
Authentication-Results field the authserv-id and each method's result and properties. Regular
expressions are compiled once. Prints the counts the C++ side prints (messages, hops, auth
results, subject bytes) so the two can be checked to do the same work.

usage: python3 extract.py [--split-only] FILE.mbox
"""
import email.header
import email.parser
import email.policy
import email.utils
import mailbox
import re
import sys

FOLD = re.compile(r"\r?\n[ \t]+")
CLAUSE = re.compile(r"(?:^|\s)(from|by|via|with|id|for)\s+([^\s;()]+)(?:\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\))?", re.I)
BRACKET_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
REVERSE_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})\b")
TLS = re.compile(r"\b(?:version=)?(TLS_?v?1[._]?[0-3]|TLSv1(?:\.[0-3])?|SSLv3)\b(?:.*?cipher[= ]([A-Za-z0-9_-]+))?", re.I)
METHOD = re.compile(r"^\s*([A-Za-z0-9-]+)\s*=\s*([A-Za-z]+)(.*)$", re.S)
PROPERTY = re.compile(r"([A-Za-z0-9-]+\.[A-Za-z0-9-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)")
COMMENT = re.compile(r"\([^()]*\)")


def received(value):
    text = FOLD.sub(" ", str(value))  # compat32 gives a Header object for 8-bit fields
    head, _, date = text.rpartition(";")
    if not head:
        head, date = text, ""
    hop = {"date": email.utils.parsedate_tz(date.strip()) if date else None}
    for m in CLAUSE.finditer(head):
        word = m.group(1).lower()
        hop[word] = m.group(2)
        comment = m.group(3) or ""
        if word == "from":
            ip = BRACKET_IP.search(comment) or BRACKET_IP.search(m.group(2))
            hop["ip"] = ip.group(1) if ip else None
            name = REVERSE_NAME.match(comment)
            hop["rdns"] = name.group(1) if name else None
    tls = TLS.search(head)
    if tls:
        hop["tls"] = (tls.group(1), tls.group(2))
    return hop


def authentication_results(value):
    text = COMMENT.sub("", FOLD.sub(" ", str(value)))
    parts = text.split(";")
    results = []
    for part in parts[1:]:
        m = METHOD.match(part)
        if m:
            results.append((m.group(1).lower(), m.group(2).lower(), PROPERTY.findall(m.group(3))))
    return parts[0].strip(), results


def main():
    args = sys.argv[1:]
    split_only = args[:1] == ["--split-only"]
    path = args[-1]
    parser = email.parser.BytesHeaderParser(policy=email.policy.compat32)
    messages = hops = results = subject_bytes = 0
    for msg in mailbox.mbox(path, factory=None):
        h = parser.parsebytes(msg.as_bytes())
        subject = str(email.header.make_header(email.header.decode_header(h.get("Subject", ""))))
        subject_bytes += len(subject.encode())
        messages += 1
        if split_only:
            hops += len(h.get_all("Received") or [])
            results += len(h.get_all("Authentication-Results") or [])
            continue
        hops += len([received(v) for v in h.get_all("Received") or []])
        for v in h.get_all("Authentication-Results") or []:
            results += len(authentication_results(v)[1])
    print(f"messages {messages} (hops {hops}, auth results {results}, subject bytes {subject_bytes})")


main()
