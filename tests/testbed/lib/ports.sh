# shellcheck shell=bash
# shellcheck disable=SC2034 # template variables are read by render() via ${!v}
# Port plan. Each name becomes MAILDIAG_TB_<NAME>_PORT = base + index.
# A name's port can be pinned by exporting that variable before `up`;
# MAILDIAG_TB_BASE_PORT pins the base. See docs/testing.md for each port.

TB_PORT_NAMES=(
  DNS DNS2 DNS_BLACKHOLE DNS_CLOSED
  SMTP SMTPS SUBMISSION SMTP_PLAINAUTH SMTP_OPENRELAY
  SMTP_EXPIRED SMTP_WRONGNAME SMTP_SELFSIGNED
  POP3 POP3S IMAP IMAPS
  HOSTILE_SMTP_SILENT HOSTILE_SMTP_DRIP HOSTILE_SMTP_GARBAGE
  HOSTILE_SMTP_ENDLESS_BANNER HOSTILE_SMTP_ENDLESS_EHLO HOSTILE_SMTP_LONGLINE
  HOSTILE_SMTP_MIDREPLY HOSTILE_SMTP_421 HOSTILE_SMTP_554
  HOSTILE_SMTP_554_RESET
  HOSTILE_STARTTLS_GARBAGE HOSTILE_STARTTLS_INJECT
  HOSTILE_POP3_ERR HOSTILE_POP3_ENDLESS_LIST HOSTILE_IMAP_GARBAGE
  FILTERED REFUSED
)

# hostile.py mode name for each HOSTILE_* / special port served by hostile.py
hostile_mode_of() {
  case $1 in
    HOSTILE_*) local m=${1#HOSTILE_} && printf '%s\n' "${m,,}" ;;
    DNS_BLACKHOLE) echo dns_blackhole ;;
    FILTERED) echo filtered ;;
    *) return 1 ;;
  esac
}

# Addresses our listeners use (ports must be free on all of them).
tb_addresses() {
  printf '%s\n' 127.0.0.1 127.0.0.11 127.0.0.12
  if [[ $TB_IPV6 == 1 ]]; then printf '%s\n' ::1; fi
}

# choose_ports: set MAILDIAG_TB_<NAME>_PORT for every name. Called under
# the global lock, so a concurrent `up` sees our ports once bound.
choose_ports() {
  local n=${#TB_PORT_NAMES[@]} base tries=0 i name var addrs bad lo top
  local -a pinned=() list=()
  local -A is_pinned=()
  mapfile -t addrs < <(tb_addresses)
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range
  top=$((lo < 30000 ? 30000 : lo))
  for name in "${TB_PORT_NAMES[@]}"; do
    var=MAILDIAG_TB_${name}_PORT
    if [[ -n ${!var:-} ]]; then
      [[ ${!var} =~ ^[0-9]+$ ]] || tb_die "$var=${!var} is not a port number"
      pinned+=("${!var}")
      is_pinned[$name]=1
    fi
  done
  if ((${#pinned[@]})) && ! bad=$(ports_free "$(IFS=, && echo "${pinned[*]}")" "${addrs[@]}"); then
    tb_die "pinned ports in use: $bad"
  fi
  while :; do
    tries=$((tries + 1))
    if [[ -n ${MAILDIAG_TB_BASE_PORT:-} ]]; then
      base=$MAILDIAG_TB_BASE_PORT
    else
      # a block of 64 in 20000..(start of the ephemeral range), so that
      # client sockets' ephemeral ports never take one of ours
      base=$((20000 + 64 * (RANDOM % ((top - 20000 - 64) / 64))))
    fi
    list=()
    for i in "${!TB_PORT_NAMES[@]}"; do
      name=${TB_PORT_NAMES[$i]}
      var=MAILDIAG_TB_${name}_PORT
      [[ -n ${is_pinned[$name]:-} ]] || printf -v "$var" '%s' $((base + i))
      list+=("${!var}")
    done
    if bad=$(ports_free "$(IFS=, && echo "${list[*]}")" "${addrs[@]}"); then
      break
    fi
    if [[ -n ${MAILDIAG_TB_BASE_PORT:-} ]] || ((tries >= 20)); then
      tb_die "ports in use: $bad (set MAILDIAG_TB_BASE_PORT or MAILDIAG_TB_<NAME>_PORT)"
    fi
  done
  for name in "${TB_PORT_NAMES[@]}"; do
    var=MAILDIAG_TB_${name}_PORT
    export "${var?}"
  done
  TB_BASE_PORT=$base
  tb_log "ports: base $base, $n ports"
}
