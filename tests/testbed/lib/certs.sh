# shellcheck shell=bash
# Test certificates, generated at every start (EC P-256: fast to make).
#   ca.pem              test CA ("maildiag test CA")
#   valid.pem/.key      CA-signed, names below, valid now
#   expired.pem/.key    CA-signed, same names, expired 30 days ago
#   wrongname.pem/.key  CA-signed, valid now, only for wrong-name.test
#   selfsigned.pem/.key self-signed, the right names, valid now
# Sets TB_TLSA_VALID (SHA-256 of valid.pem's SPKI, for TLSA 3 1 1) and
# TB_TLSA_OTHER (a hash that matches no served key).

TB_CERT_NAMES="DNS:mx1.mail.test,DNS:mx2.mail.test,DNS:mx3.mail.test,DNS:mail.test,DNS:smtp.mail.test,DNS:imap.mail.test,DNS:pop.mail.test,DNS:localhost,IP:127.0.0.1,IP:127.0.0.11,IP:127.0.0.12,IP:::1"

tb_openssl() {
  openssl "$@" 2>>"$RUN/log/openssl.log" >/dev/null ||
    tb_die "openssl $1 failed, see $RUN/log/openssl.log"
}

newkey() { tb_openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

utc_offset_days() { date -u -d "$1 days" +%Y%m%d%H%M%SZ; }

# sign NAME CN SANS START_DAYS END_DAYS
ca_sign() {
  local name=$1 cn=$2 sans=$3 start=$4 end=$5 d=$CERT_DIR
  newkey "$d/$name.key"
  tb_openssl req -new -config "$d/openssl.cnf" -key "$d/$name.key" \
    -subj "/O=maildiag testbed/CN=$cn" -addext "subjectAltName=$sans" -out "$d/$name.csr"
  tb_openssl ca -batch -config "$d/openssl.cnf" -extensions ext_server -notext \
    -startdate "$(utc_offset_days "$start")" -enddate "$(utc_offset_days "$end")" \
    -in "$d/$name.csr" -out "$d/$name.pem"
}

spki_sha256() {
  openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1
}

make_certs() {
  CERT_DIR=$RUN/certs
  mkdir -p "$CERT_DIR/newcerts"
  render "$TB_HOME/templates/openssl.cnf.in" "$CERT_DIR/openssl.cnf" CERT_DIR
  : >"$CERT_DIR/index.txt"
  printf '1000\n' >"$CERT_DIR/serial"

  newkey "$CERT_DIR/ca.key"
  tb_openssl req -new -x509 -config "$CERT_DIR/openssl.cnf" -extensions ext_ca \
    -key "$CERT_DIR/ca.key" -subj "/O=maildiag testbed/CN=maildiag test CA" \
    -days 30 -set_serial 1 -out "$CERT_DIR/ca.pem"

  ca_sign valid mx1.mail.test "$TB_CERT_NAMES" -1 30
  ca_sign expired mx1.mail.test "$TB_CERT_NAMES" -60 -30
  ca_sign wrongname wrong-name.test "DNS:wrong-name.test" -1 30

  newkey "$CERT_DIR/selfsigned.key"
  tb_openssl req -new -x509 -config "$CERT_DIR/openssl.cnf" -extensions ext_selfsigned \
    -key "$CERT_DIR/selfsigned.key" -subj "/O=maildiag testbed/CN=mx1.mail.test" \
    -addext "subjectAltName=$TB_CERT_NAMES" -days 30 -out "$CERT_DIR/selfsigned.pem"

  chmod 0644 "$CERT_DIR"/*.pem
  chmod 0600 "$CERT_DIR"/*.key
  TB_TLSA_VALID=$(spki_sha256 "$CERT_DIR/valid.pem")
  # a well-formed hash that matches no key the test bed serves
  TB_TLSA_OTHER=$(printf 'maildiag testbed: matches no certificate' | openssl dgst -sha256 -r | cut -d' ' -f1)
  [[ ${#TB_TLSA_VALID} == 64 && ${#TB_TLSA_OTHER} == 64 ]] || tb_die "TLSA hash failed"
}
