"""Small check framework shared by check_servers.py and check_hostile.py.
Standard library only. Reads MAILDIAG_TB_* from the environment."""

import os
import smtplib
import ssl

E = os.environ
HOST = E["MAILDIAG_TB_HOST"]
ALT = E["MAILDIAG_TB_ALT_SOURCE"]
IPV6 = E.get("MAILDIAG_TB_IPV6") == "1"
USER, PASSWORD = E["MAILDIAG_TB_USER"], E["MAILDIAG_TB_PASSWORD"]
CA = E["MAILDIAG_TB_CA_FILE"]
HELO = "client.test"  # explicit: smtplib would otherwise look up our FQDN
T = 5.0
RESULTS = {"pass": 0, "fail": 0}


def port(name):
    return int(E[f"MAILDIAG_TB_{name}_PORT"])


def check(desc):
    """Decorator: run the case at once and record pass/fail."""
    def run(fn):
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            RESULTS["fail"] += 1
            print(f"FAIL {desc}: {type(e).__name__}: {e}", flush=True)
        else:
            RESULTS["pass"] += 1
            print(f"ok   {desc}", flush=True)
        return fn
    return run


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def finish():
    """Print the totals line that tests/testbed/check adds up; exit status."""
    print(f"#RESULT {RESULTS['pass']} {RESULTS['fail']}")
    return 1 if RESULTS["fail"] else 0


def verify_ctx(hostname_check=True):
    ctx = ssl.create_default_context(cafile=CA)
    ctx.check_hostname = hostname_check
    return ctx


def noverify_ctx():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def smtp(p, host=HOST, source=None):
    s = smtplib.SMTP(timeout=T, local_hostname=HELO,
                     source_address=(source, 0) if source else None)
    code, banner = s.connect(host, p)
    return s, code, banner.decode()


def starttls(s, ctx, name="mx1.mail.test"):
    """STARTTLS with SNI/verification for `name` (smtplib would use the IP)."""
    s.ehlo()
    code, _ = s.docmd("STARTTLS")
    expect(code == 220, f"STARTTLS answered {code}")
    s.sock = ctx.wrap_socket(s.sock, server_hostname=name)
    s.file = None
    s.helo_resp = s.ehlo_resp = None
    s.esmtp_features = {}
    s.does_esmtp = False
    s.ehlo()


def reply(code_msg):
    code, msg = code_msg
    return f"{code} {msg.decode(errors='replace')}"
