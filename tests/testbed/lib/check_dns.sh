# shellcheck shell=bash
# DNS self-checks with dig (sourced by tests/testbed/check).

# q SERVER PORT ARGS...: dig with short timeouts, full output
q() {
  local server=$1 p=$2
  shift 2
  dig @"$server" -p "$p" +time=2 +tries=1 +norec "$@" 2>&1 || true
}

# answers NAME TYPE [SERVER PORT]: the answer section, one "type rdata" a line
answers() {
  q "${3:-127.0.0.1}" "${4:-$MAILDIAG_TB_DNS_PORT}" "$1" "$2" +noall +answer |
    awk '{ $1=$2=$3=""; sub(/^ +/, ""); print }'
}

status_of() {
  q "${3:-127.0.0.1}" "${4:-$MAILDIAG_TB_DNS_PORT}" "$1" "$2" |
    sed -n 's/.*status: \([A-Z]*\).*/\1/p'
}

# dns_is DESC NAME TYPE EXPECTED-ANSWER-LINES (sorted, "TYPE RDATA" per line)
dns_is() {
  local desc=$1 got want
  got=$(answers "$2" "$3" | sort)
  want=$(printf '%s\n' "${@:4}" | sort)
  if [[ $got == "$want" ]]; then ok "$desc"; else bad "$desc" "want [$want] got [$got]"; fi
}

dns_status() {
  local desc=$1 got
  got=$(status_of "$2" "$3" "${5:-}" "${6:-}")
  if [[ $got == "$4" ]]; then ok "$desc"; else bad "$desc" "want $4 got '${got}'"; fi
}

# nodata: NOERROR with an empty answer section
dns_nodata() {
  local desc=$1 st an
  st=$(status_of "$2" "$3")
  an=$(answers "$2" "$3")
  if [[ $st == NOERROR && -z $an ]]; then ok "$desc"; else bad "$desc" "status $st answers [$an]"; fi
}

check_dns() {
  local p=$MAILDIAG_TB_DNS_PORT t

  dns_is "mail.test MX: three preferences" mail.test MX \
    "MX 10 mx1.mail.test." "MX 20 mx2.mail.test." "MX 30 mx3.mail.test."
  dns_is "mx1.mail.test A 127.0.0.11" mx1.mail.test A "A 127.0.0.11"
  dns_is "mx2.mail.test A 127.0.0.12" mx2.mail.test A "A 127.0.0.12"
  dns_is "mx3.mail.test AAAA ::1" mx3.mail.test AAAA "AAAA ::1"
  dns_nodata "mx3.mail.test has no A (IPv6-only exchanger)" mx3.mail.test A
  dns_is "nullmx.test: null MX" nullmx.test MX "MX 0 ."
  dns_is "cname-mx.test: MX target is a CNAME" cname-mx.test MX "MX 10 mxalias.cname-mx.test."
  dns_is "mxalias.cname-mx.test CNAME mx1.mail.test" mxalias.cname-mx.test A \
    "CNAME mx1.mail.test." "A 127.0.0.11"
  dns_nodata "implicit.test: no MX" implicit.test MX
  dns_is "implicit.test: A 127.0.0.1 (implicit MX)" implicit.test A "A 127.0.0.1"
  dns_is "noaddr.test MX mx.noaddr.test" noaddr.test MX "MX 10 mx.noaddr.test."
  dns_nodata "mx.noaddr.test: no A" mx.noaddr.test A
  dns_nodata "mx.noaddr.test: no AAAA" mx.noaddr.test AAAA
  dns_is "dangling.test MX nowhere.dangling.test" dangling.test MX "MX 10 nowhere.dangling.test."
  dns_status "nowhere.dangling.test: NXDOMAIN" nowhere.dangling.test A NXDOMAIN
  dns_is "deadmx.test: dead first MX, working second" deadmx.test MX \
    "MX 10 mx.deadmx.test." "MX 20 mx1.mail.test."
  dns_status "nx.test: NXDOMAIN" nx.test MX NXDOMAIN
  dns_status "servfail.test: SERVFAIL (broken zone)" servfail.test MX SERVFAIL
  dns_status "example.com: REFUSED (outside NSD's zones)" example.com A REFUSED

  # PTR / FCrDNS
  dns_is "PTR 127.0.0.1 -> mail.test" 1.0.0.127.in-addr.arpa PTR "PTR mail.test."
  dns_is "PTR 127.0.0.11 -> mx1.mail.test (FCrDNS ok)" 11.0.0.127.in-addr.arpa PTR "PTR mx1.mail.test."
  dns_is "PTR 127.0.0.12 -> other.mail.test" 12.0.0.127.in-addr.arpa PTR "PTR other.mail.test."
  dns_is "other.mail.test A 127.0.0.13 (FCrDNS of 127.0.0.12 fails)" other.mail.test A "A 127.0.0.13"
  dns_status "PTR 127.0.0.2: NXDOMAIN" 2.0.0.127.in-addr.arpa PTR NXDOMAIN
  if [[ $MAILDIAG_TB_IPV6 == 1 ]]; then
    t=$(q ::1 "$p" -x ::1 +short)
    if [[ $t == mx3.mail.test. ]]; then ok "PTR ::1 -> mx3.mail.test (over IPv6)"; else bad "PTR ::1" "$t"; fi
  fi

  # TXT policies
  dns_is "mail.test SPF (valid)" mail.test TXT 'TXT "v=spf1 ip4:127.0.0.0/8 ip6:::1/128 mx -all"'
  t=$(answers spf-two.test TXT | grep -c 'v=spf1' || true)
  if [[ $t == 2 ]]; then ok "spf-two.test: two SPF records"; else bad "spf-two.test" "$t SPF records"; fi
  dns_is "spf-plusall.test: +all" spf-plusall.test TXT 'TXT "v=spf1 +all"'
  t=$(answers spf-toomany.test TXT | grep -o 'include:[a-z0-9.-]*' | sort -u)
  local n=0 inc
  for inc in $t; do
    [[ $(answers "${inc#include:}" TXT) == *v=spf1* ]] && n=$((n + 1))
  done
  if [[ $n -gt 10 ]]; then ok "spf-toomany.test: $n resolvable includes (> 10 lookups)"; else bad "spf-toomany.test" "$n includes"; fi
  dns_is "_dmarc.mail.test" _dmarc.mail.test TXT 'TXT "v=DMARC1; p=reject; rua=mailto:dmarc@mail.test; adkim=s; aspf=s"'
  dns_is "_mta-sts.mail.test" _mta-sts.mail.test TXT 'TXT "v=STSv1; id=20240101T000000Z"'
  dns_is "_smtp._tls.mail.test" _smtp._tls.mail.test TXT 'TXT "v=TLSRPTv1; rua=mailto:tlsrpt@mail.test"'
  t=$(q 127.0.0.1 "$p" bigtxt.test TXT +noedns +ignore)
  if [[ $t == *"flags: qr aa tc"* ]]; then ok "bigtxt.test: > 512 B, TC=1 over UDP without EDNS"; else bad "bigtxt.test" "no TC flag"; fi

  # DNSBL (RFC 5782 layout)
  dns_is "dnsbl.test lists 127.0.0.2 (A)" 2.0.0.127.dnsbl.test A "A 127.0.0.2"
  dns_is "dnsbl.test lists 127.0.0.2 (TXT)" 2.0.0.127.dnsbl.test TXT 'TXT "Listed in dnsbl.test: RFC 5782 test entry"'
  dns_is "dnsbl.test lists 127.0.0.12 (mx2)" 12.0.0.127.dnsbl.test A "A 127.0.0.2"
  dns_status "dnsbl.test: 127.0.0.1 not listed" 1.0.0.127.dnsbl.test A NXDOMAIN

  # TLSA: DNS vs the certificate the servers present
  check_tlsa

  # second resolver (unbound) and the fault ports
  local p2=$MAILDIAG_TB_DNS2_PORT
  t=$(answers split.test MX 127.0.0.1 "$p2")
  local t1
  t1=$(answers split.test MX)
  if [[ $t == "MX 10 mx2.mail.test." && $t1 == "MX 10 mx1.mail.test." ]]; then
    ok "split.test MX: NSD says mx1, unbound says mx2"
  else
    bad "split.test MX" "nsd [$t1] unbound [$t]"
  fi
  t=$(dig @127.0.0.1 -p "$p2" +time=2 +tries=1 mail.test MX +short | sort | tr '\n' ' ')
  if [[ $t == "10 mx1.mail.test. 20 mx2.mail.test. 30 mx3.mail.test. " ]]; then
    ok "unbound resolves mail.test MX through NSD"
  else bad "unbound mail.test MX" "$t"; fi
  t=$(dig @127.0.0.1 -p "$p2" +time=2 +tries=1 example.com A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
  if [[ $t == REFUSED ]]; then ok "unbound refuses names outside the test zones"; else bad "unbound example.com" "$t"; fi
  t=$(dig @127.0.0.1 -p "$MAILDIAG_TB_DNS_BLACKHOLE_PORT" +time=1 +tries=1 mail.test MX 2>&1 || true)
  if [[ $t == *"timed out"* ]]; then ok "dig to the blackhole port times out"; else bad "blackhole" "$t"; fi
  t=$(dig @127.0.0.1 -p "$MAILDIAG_TB_DNS_CLOSED_PORT" +time=1 +tries=1 mail.test MX 2>&1 || true)
  if [[ $t == *"connection refused"* ]]; then ok "dig to the closed DNS port: connection refused"; else bad "closed DNS port" "$t"; fi
}

# served_spki ADDR PORT: SHA-256 of the SPKI the SMTP server presents
served_spki() {
  openssl s_client -connect "$1:$2" -starttls smtp -servername mx1.mail.test </dev/null 2>/dev/null |
    openssl x509 -noout -pubkey 2>/dev/null | openssl pkey -pubin -outform DER 2>/dev/null |
    openssl dgst -sha256 -r | cut -d' ' -f1
}

check_tlsa() {
  local rec1 rec2 served
  rec1=$(answers _25._tcp.mx1.mail.test TLSA | awk '{ $1=$2=$3=$4=""; print }' | tr -d ' ' | tr 'A-F' 'a-f')
  rec2=$(answers _25._tcp.mx2.mail.test TLSA | awk '{ $1=$2=$3=$4=""; print }' | tr -d ' ' | tr 'A-F' 'a-f')
  served=$(served_spki 127.0.0.11 "$MAILDIAG_TB_SMTP_PORT")
  if [[ -n $rec1 && $rec1 == "$served" && $rec1 == "$MAILDIAG_TB_TLSA_SHA256" ]]; then
    ok "TLSA _25._tcp.mx1.mail.test 3 1 1 matches the served certificate"
  else
    bad "TLSA mx1" "record $rec1 served $served"
  fi
  served=$(served_spki 127.0.0.12 "$MAILDIAG_TB_SMTP_PORT")
  if [[ -n $rec2 && $rec2 != "$served" ]] && answers _25._tcp.mx2.mail.test TLSA | grep -q '^TLSA 3 1 1 '; then
    ok "TLSA _25._tcp.mx2.mail.test 3 1 1 does not match the served certificate"
  else
    bad "TLSA mx2" "record $rec2 served $served"
  fi
}
