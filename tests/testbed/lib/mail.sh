# shellcheck shell=bash
# shellcheck disable=SC2034 # template variables are read by render() via ${!v}
# Postfix and Dovecot instances, everything under $RUN.

TB_DOMAIN=mail.test
TB_USER=alice@mail.test
TB_PASSWORD=alice-secret-1
TB_USER2=bob@mail.test
TB_PASSWORD2=bob-secret-2
TB_GREY_RCPT=grey@mail.test
TB_SIZE_LIMIT=1048576

# The uid/gid that owns the maildirs: Debian's `mail` user (no new user is
# created, nothing is written to /etc).
vmail_ids() {
  VMAIL_UID=$(id -u mail)
  VMAIL_GID=$(id -g mail)
}

make_maildirs() {
  local u
  mkdir -p "$RUN/mail"
  for u in alice bob grey; do
    mkdir -p "$RUN/mail/$u/Maildir"/{cur,new,tmp}
  done
  chown -R "$VMAIL_UID:$VMAIL_GID" "$RUN/mail"
  chmod -R u=rwX,go= "$RUN/mail"
  chmod 0755 "$RUN/mail"
}

start_postfix() {
  local PF_CONF=$RUN/postfix/etc CERT_DIR=$RUN/certs SIZE_LIMIT=$TB_SIZE_LIMIT
  local SASL_PATH=$RUN/dovecot/run/auth-postfix PF_INET_PROTOCOLS=ipv4 SMTP_LISTENERS
  local SMTPS_PORT=$MAILDIAG_TB_SMTPS_PORT SUBMISSION_PORT=$MAILDIAG_TB_SUBMISSION_PORT
  local SMTP_PLAINAUTH_PORT=$MAILDIAG_TB_SMTP_PLAINAUTH_PORT
  local SMTP_OPENRELAY_PORT=$MAILDIAG_TB_SMTP_OPENRELAY_PORT
  local SMTP_EXPIRED_PORT=$MAILDIAG_TB_SMTP_EXPIRED_PORT
  local SMTP_WRONGNAME_PORT=$MAILDIAG_TB_SMTP_WRONGNAME_PORT
  local SMTP_SELFSIGNED_PORT=$MAILDIAG_TB_SMTP_SELFSIGNED_PORT
  local p=$MAILDIAG_TB_SMTP_PORT
  mkdir -p "$PF_CONF" "$RUN/postfix/queue" "$RUN/postfix/data"
  chown postfix "$RUN/postfix/data" # P2
  # The plain SMTP port, on the addresses of mx1/mx2 (and mx3 = ::1) too.
  SMTP_LISTENERS="127.0.0.1:$p inet n - n - - smtpd
127.0.0.11:$p inet n - n - - smtpd
  -o myhostname=mx1.mail.test
127.0.0.12:$p inet n - n - - smtpd
  -o myhostname=mx2.mail.test"
  if [[ $TB_IPV6 == 1 ]]; then # P8
    PF_INET_PROTOCOLS=all
    SMTP_LISTENERS+="
[::1]:$p inet n - n - - smtpd
  -o myhostname=mx3.mail.test"
  fi
  render "$TB_HOME/templates/main.cf.in" "$PF_CONF/main.cf" \
    RUN PF_CONF CERT_DIR SIZE_LIMIT SASL_PATH PF_INET_PROTOCOLS VMAIL_UID VMAIL_GID
  render "$TB_HOME/templates/master.cf.in" "$PF_CONF/master.cf" \
    SMTP_LISTENERS SMTPS_PORT SUBMISSION_PORT SMTP_PLAINAUTH_PORT SMTP_OPENRELAY_PORT \
    SMTP_EXPIRED_PORT SMTP_WRONGNAME_PORT SMTP_SELFSIGNED_PORT CERT_DIR
  printf '%s\n' "alice@mail.test alice/Maildir/" "bob@mail.test bob/Maildir/" \
    "grey@mail.test grey/Maildir/" >"$PF_CONF/vmailbox"
  printf '%s\n' "$TB_GREY_RCPT 450 4.7.1 Greylisted, please try again later" \
    >"$PF_CONF/recipient_access"
  # P1: a config file younger than ~1 s makes Postfix wait for it to settle
  touch -d "@$(($(date +%s) - 60))" "$PF_CONF"/*
  : >"$RUN/postfix/maillog"
  # P3: no inherited stdio; P7: absolute -c
  postfix -c "$PF_CONF" start </dev/null >>"$RUN/log/postfix.out" 2>&1 ||
    tb_die "postfix failed to start, see $RUN/log/postfix.out and $RUN/postfix/maillog"
}

postfix_started() {
  local f=$RUN/postfix/queue/pid/master.pid pid
  wait_pidfile "$f" 5 || tb_die "postfix master wrote no pid file (see $RUN/postfix/maillog)"
  pid=$(tr -d ' \n' <"$f") # P12: space padded
  record_pid postfix "$pid" /usr/lib/postfix/sbin/master
}

start_dovecot() {
  local d=$RUN/dovecot CERT_DIR=$RUN/certs LISTEN=127.0.0.1 DH_LINE=""
  local POP3_PORT=$MAILDIAG_TB_POP3_PORT POP3S_PORT=$MAILDIAG_TB_POP3S_PORT
  local IMAP_PORT=$MAILDIAG_TB_IMAP_PORT IMAPS_PORT=$MAILDIAG_TB_IMAPS_PORT
  local AUTH_FAILURE_DELAY=${AUTH_FAILURE_DELAY:-0} INSTANCE
  INSTANCE=maildiag-tb-$TB_BASE_PORT
  mkdir -p "$d/run" "$d/state"
  [[ $TB_IPV6 == 1 ]] && LISTEN="127.0.0.1, ::1"
  [[ -r /usr/share/dovecot/dh.pem ]] && DH_LINE="ssl_dh = </usr/share/dovecot/dh.pem"
  render "$TB_HOME/templates/dovecot.conf.in" "$d/dovecot.conf" \
    RUN CERT_DIR LISTEN DH_LINE POP3_PORT POP3S_PORT IMAP_PORT IMAPS_PORT \
    AUTH_FAILURE_DELAY INSTANCE VMAIL_UID
  {
    printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$TB_USER" "$TB_PASSWORD" "$VMAIL_UID" "$VMAIL_GID" "$RUN/mail/alice"
    printf '%s:{PLAIN}%s:%s:%s::%s::\n' "$TB_USER2" "$TB_PASSWORD2" "$VMAIL_UID" "$VMAIL_GID" "$RUN/mail/bob"
  } >"$d/users"
  chmod 0640 "$d/users"
  chgrp dovecot "$d/users"
  : >"$d/dovecot.log"
  # P3: Dovecot keeps its inherited stderr open for its whole life
  dovecot -c "$d/dovecot.conf" </dev/null >/dev/null 2>>"$RUN/log/dovecot.out" ||
    tb_die "dovecot failed to start, see $RUN/log/dovecot.out and $d/dovecot.log"
}

dovecot_started() {
  local f=$RUN/dovecot/run/master.pid pid
  wait_pidfile "$f" 5 || tb_die "dovecot wrote no pid file (see $RUN/dovecot/dovecot.log)"
  pid=$(tr -d ' \n' <"$f")
  record_pid dovecot "$pid" /usr/sbin/dovecot
}
