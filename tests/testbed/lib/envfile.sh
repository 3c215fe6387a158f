# shellcheck shell=bash
# The env file that tests source: KEY=VALUE lines, no quoting, no spaces in
# values (so shell, CMake and C++ can all read it). docs/testing.md lists
# every variable.

write_env_file() {
  local out=$1 tmp name var dns dns2
  tmp=$out.tmp
  dns="127.0.0.1:$MAILDIAG_TB_DNS_PORT"
  dns2="127.0.0.1:$MAILDIAG_TB_DNS2_PORT"
  if [[ $TB_IPV6 == 1 ]]; then
    dns+=",[::1]:$MAILDIAG_TB_DNS_PORT"
    dns2+=",[::1]:$MAILDIAG_TB_DNS2_PORT"
  fi
  {
    echo "# maildiag test bed, written by tests/testbed/up on $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "MAILDIAG_TB_DIR=$RUN"
    echo "MAILDIAG_TB_ENV=$out"
    echo "MAILDIAG_TB_IPV6=$TB_IPV6"
    echo "MAILDIAG_TB_HOST=127.0.0.1"
    echo "MAILDIAG_TB_HOST6=::1"
    echo "MAILDIAG_TB_ALT_SOURCE=127.0.0.2"
    echo "MAILDIAG_TB_BASE_PORT=$TB_BASE_PORT"
    for name in "${TB_PORT_NAMES[@]}"; do
      var=MAILDIAG_TB_${name}_PORT
      echo "$var=${!var}"
    done
    echo "MAILDIAG_TB_DNS_SERVERS=$dns"
    echo "MAILDIAG_TB_DNS2_SERVERS=$dns2"
    echo "MAILDIAG_TB_DOMAIN=$TB_DOMAIN"
    echo "MAILDIAG_TB_MX1=mx1.mail.test"
    echo "MAILDIAG_TB_MX1_ADDR=127.0.0.11"
    echo "MAILDIAG_TB_MX2=mx2.mail.test"
    echo "MAILDIAG_TB_MX2_ADDR=127.0.0.12"
    echo "MAILDIAG_TB_MX3=mx3.mail.test"
    echo "MAILDIAG_TB_MX3_ADDR=::1"
    echo "MAILDIAG_TB_USER=$TB_USER"
    echo "MAILDIAG_TB_PASSWORD=$TB_PASSWORD"
    echo "MAILDIAG_TB_USER2=$TB_USER2"
    echo "MAILDIAG_TB_PASSWORD2=$TB_PASSWORD2"
    echo "MAILDIAG_TB_UNKNOWN_RCPT=nobody@mail.test"
    echo "MAILDIAG_TB_GREY_RCPT=$TB_GREY_RCPT"
    echo "MAILDIAG_TB_RELAY_RCPT=someone@relay.test"
    echo "MAILDIAG_TB_SIZE_LIMIT=$TB_SIZE_LIMIT"
    echo "MAILDIAG_TB_CA_FILE=$RUN/certs/ca.pem"
    echo "MAILDIAG_TB_CERT_VALID=$RUN/certs/valid.pem"
    echo "MAILDIAG_TB_CERT_EXPIRED=$RUN/certs/expired.pem"
    echo "MAILDIAG_TB_CERT_WRONGNAME=$RUN/certs/wrongname.pem"
    echo "MAILDIAG_TB_CERT_SELFSIGNED=$RUN/certs/selfsigned.pem"
    echo "MAILDIAG_TB_TLSA_SHA256=$TB_TLSA_VALID"
    echo "MAILDIAG_TB_TLSA_OTHER_SHA256=$TB_TLSA_OTHER"
    echo "MAILDIAG_TB_POSTFIX_CONFIG=$RUN/postfix/etc"
    echo "MAILDIAG_TB_POSTFIX_LOG=$RUN/postfix/maillog"
    echo "MAILDIAG_TB_DOVECOT_LOG=$RUN/dovecot/dovecot.log"
    echo "MAILDIAG_TB_MAILDIR=$RUN/mail/alice/Maildir"
    echo "MAILDIAG_TB_MAILDIR2=$RUN/mail/bob/Maildir"
  } >"$tmp"
  chmod 0644 "$tmp"
  mv -f "$tmp" "$out"
}
