# shellcheck shell=bash
# shellcheck disable=SC2034 # variables used by the scripts that source this
# Shared helpers for tests/testbed/{up,down,check}. Sourced, not executed.

TB_PY=/usr/bin/python3 # P17: the system Python, not pyenv's
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH # the daemons live in /usr/sbin

tb_log() { printf 'testbed: %s\n' "$*" >&2; }
tb_die() {
  printf 'testbed: ERROR: %s\n' "$*" >&2
  exit 1
}

# The run dir: MAILDIAG_TB_DIR, default /tmp/maildiag-testbed-$UID.
tb_run_dir() {
  local d=${MAILDIAG_TB_DIR:-/tmp/maildiag-testbed-$(id -u)}
  [[ $d == /* ]] || d=$PWD/$d
  printf '%s\n' "${d%/}"
}

# Pointer to the env file of the most recent `up` (for humans and scripts).
TB_POINTER=/tmp/maildiag-testbed-last-$(id -u).env

# render TEMPLATE OUT VAR...: copy TEMPLATE to OUT, replacing @VAR@ by $VAR.
render() {
  local tpl=$1 out=$2 text v
  shift 2
  text=$(<"$tpl")
  for v in "$@"; do
    text=${text//@"$v"@/${!v}}
  done
  if [[ $text =~ @[A-Z0-9_]+@ ]]; then
    tb_die "render $tpl: unreplaced placeholder ${BASH_REMATCH[0]}"
  fi
  printf '%s\n' "$text" >"$out"
}

# --- processes (P12) --------------------------------------------------------

# proc_info PID: set PI_STATE (one letter) and PI_START (field 22 of
# /proc/PID/stat, clock ticks since boot); both empty if PID is gone.
# Builtins only (no fork), so polling loops stay cheap on a loaded machine.
proc_info() {
  local stat
  local -a fld
  PI_STATE="" PI_START=""
  { read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 0
  read -r -a fld <<<"${stat##*) }" # fld[0] is field 3 (state)
  PI_STATE=${fld[0]} PI_START=${fld[19]}
}

proc_starttime() {
  proc_info "$1"
  printf '%s\n' "$PI_START"
}

# proc_alive PID: true if PID exists and is not a zombie (P12).
proc_alive() {
  proc_info "$1"
  [[ -n $PI_STATE && $PI_STATE != Z && $PI_STATE != X ]]
}

# record_pid NAME PID EXE: remember a started daemon (pid, exe, start time).
record_pid() {
  local name=$1 pid=$2 exe=$3
  printf '%s %s %s\n' "$pid" "$exe" "$(proc_starttime "$pid")" >"$RUN/pids/$name"
}

# pid_matches FILE: print the PID recorded in FILE if that process is still
# the one we started (same exe and start time) and not a zombie.
pid_matches() {
  local pid exe start cur_exe
  read -r pid exe start <"$1" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  proc_alive "$pid" || return 1
  [[ $PI_START == "$start" ]] || return 1
  cur_exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ $cur_exe == "$exe" ]] || return 1
  printf '%s\n' "$pid"
}

# descendants PID: all live descendant PIDs of PID (one pass over /proc).
descendants() {
  local p stat rest ppid
  local -A kids=()
  local -a queue=("$1")
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    { read -r stat <"/proc/$p/stat"; } 2>/dev/null || continue
    rest=${stat##*) }
    read -r _ ppid _ <<<"$rest"
    kids[$ppid]+="$p "
  done
  while ((${#queue[@]})); do
    p=${queue[0]}
    queue=("${queue[@]:1}")
    for c in ${kids[$p]:-}; do
      printf '%s\n' "$c"
      queue+=("$c")
    done
  done
}

# --- ports ------------------------------------------------------------------

# port_free PORT ADDR...: true if PORT can be bound for TCP and UDP on each ADDR.
ports_free() {
  "$TB_PY" - "$@" <<'PY'
import socket, sys
ports = [int(p) for p in sys.argv[1].split(",")]
addrs = sys.argv[2:]
bad = []
for port in ports:
    for a in addrs:
        fam = socket.AF_INET6 if ":" in a else socket.AF_INET
        for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
            s = socket.socket(fam, typ)
            try:
                s.bind((a, port))
            except OSError:
                bad.append(f"{a}:{port}/{'tcp' if typ == socket.SOCK_STREAM else 'udp'}")
            finally:
                s.close()
if bad:
    print(" ".join(bad[:8]))
    sys.exit(1)
PY
}


# wait_pidfile FILE SECONDS: wait until FILE names a live process.
wait_pidfile() {
  local f=$1 end pid
  end=$((SECONDS + $2))
  while ((SECONDS <= end)); do
    if [[ -s $f ]]; then
      pid=$(tr -d ' \n' <"$f")
      if [[ $pid =~ ^[0-9]+$ ]] && proc_alive "$pid"; then
        return 0
      fi
    fi
    sleep 0.02
  done
  return 1
}

# wait_listening SECONDS ADDR:PORT...: wait until each is a TCP listener.
# Sets TB_MISSING to those still missing on failure.
wait_listening() {
  local end=$((SECONDS + $1)) a listening
  shift
  while :; do
    listening=" $(ss -Hltn | awk '{ printf "%s ", $4 }')"
    TB_MISSING=""
    for a in "$@"; do
      [[ $listening == *" $a "* ]] || TB_MISSING+="$a "
    done
    [[ -z $TB_MISSING ]] && return 0
    ((SECONDS <= end)) || return 1
    sleep 0.02
  done
}
