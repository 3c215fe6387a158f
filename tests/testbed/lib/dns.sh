# shellcheck shell=bash
# shellcheck disable=SC2034 # template variables are read by render() via ${!v}
# DNS: NSD (authoritative, the test zones) and unbound (2nd resolver).

start_nsd() {
  local d=$RUN/nsd tpl=$TB_HOME/templates SERIAL TLSA_VALID=$TB_TLSA_VALID TLSA_OTHER=$TB_TLSA_OTHER
  local DNS_PORT=$MAILDIAG_TB_DNS_PORT DO_IP6=no NSD_LISTEN z
  SERIAL=$(date -u +%s)
  mkdir -p "$d/zones"
  NSD_LISTEN="    ip-address: 127.0.0.1@$DNS_PORT"
  if [[ $TB_IPV6 == 1 ]]; then
    NSD_LISTEN+=$'\n'"    ip-address: ::1@$DNS_PORT"
    DO_IP6=yes
  fi
  for z in test mail.test dnsbl.test servfail.test reverse4 reverse6; do
    render "$tpl/zones/$z.zone.in" "$d/zones/$z.zone" SERIAL TLSA_VALID TLSA_OTHER
  done
  # every zone must load, except servfail.test, which is broken on purpose
  local -A origin=([test]=test [mail.test]=mail.test [dnsbl.test]=dnsbl.test
    [reverse4]=0.0.127.in-addr.arpa [reverse6]=1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa)
  for z in "${!origin[@]}"; do
    nsd-checkzone "${origin[$z]}" "$d/zones/$z.zone" >>"$RUN/log/nsd.out" 2>&1 ||
      tb_die "zone $z does not load, see $RUN/log/nsd.out"
  done
  render "$tpl/nsd.conf.in" "$d/nsd.conf" NSD_LISTEN DNS_PORT DO_IP6 RUN
  nsd-checkconf "$d/nsd.conf" >>"$RUN/log/nsd.out" 2>&1 ||
    tb_die "nsd-checkconf failed, see $RUN/log/nsd.out"
  # P3: no inherited stdio
  nsd -c "$d/nsd.conf" </dev/null >>"$RUN/log/nsd.out" 2>&1 ||
    tb_die "nsd failed to start, see $RUN/log/nsd.out and $d/nsd.log"
}

nsd_started() {
  local pid
  wait_pidfile "$RUN/nsd/nsd.pid" 5 || tb_die "nsd wrote no pid file (see $RUN/nsd/nsd.log)"
  pid=$(tr -d ' \n' <"$RUN/nsd/nsd.pid")
  record_pid nsd "$pid" /usr/sbin/nsd
}

start_unbound() {
  local d=$RUN/unbound DNS_PORT=$MAILDIAG_TB_DNS_PORT DNS2_PORT=$MAILDIAG_TB_DNS2_PORT
  local DO_IP6=no UNBOUND_LISTEN UNBOUND_OUTGOING
  mkdir -p "$d"
  UNBOUND_LISTEN="    interface: 127.0.0.1@$DNS2_PORT"
  UNBOUND_OUTGOING="    outgoing-interface: 127.0.0.1"
  if [[ $TB_IPV6 == 1 ]]; then
    UNBOUND_LISTEN+=$'\n'"    interface: ::1@$DNS2_PORT"
    UNBOUND_OUTGOING+=$'\n'"    outgoing-interface: ::1"
    DO_IP6=yes
  fi
  # root hints on loopback: even a bug cannot make unbound leave the machine
  printf '.  3600000 NS a.root.invalid.\na.root.invalid. 3600000 A 127.0.0.1\n' >"$d/root.hints"
  render "$TB_HOME/templates/unbound.conf.in" "$d/unbound.conf" \
    UNBOUND_LISTEN UNBOUND_OUTGOING DNS_PORT DNS2_PORT DO_IP6 RUN
  unbound-checkconf "$d/unbound.conf" >>"$RUN/log/unbound.out" 2>&1 ||
    tb_die "unbound-checkconf failed, see $RUN/log/unbound.out"
  unbound -c "$d/unbound.conf" </dev/null >>"$RUN/log/unbound.out" 2>&1 ||
    tb_die "unbound failed to start, see $RUN/log/unbound.out and $d/unbound.log"
}

unbound_started() {
  local pid
  wait_pidfile "$RUN/unbound/unbound.pid" 5 || tb_die "unbound wrote no pid file"
  pid=$(tr -d ' \n' <"$RUN/unbound/unbound.pid")
  record_pid unbound "$pid" /usr/sbin/unbound
}
