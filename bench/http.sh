#!/usr/bin/env bash
# bench/http.sh: HTTP reverse-proxy benchmark, loopback only.
#
# What it measures
#   The same tiny request (GET /, answer "hello\n", keep-alive everywhere) sent
#   by wrk (MODE=plain, tls) or h2load (MODE=h2) through load balancers
#   configured the same way: round robin
#   over the same two nginx backends, keep-alive to the backends, no logging.
#     haproxy     nbthread 2, mode http, http-reuse always
#     nginx       worker_processes 2, upstream keepalive 64, HTTP/1.1 upstream
#     applianced  this repository's daemon (YARP routing, its own HTTP/1.1
#                 forwarder), Release build, server GC
#   All balancers run side by side; each gets a warm-up run, then ROUNDS measured
#   `wrk --latency` runs, interleaved across balancers, and the medians are reported.
#   Only one balancer runs at a time; the backends run throughout.
#
# How to read it
#   req/s         throughput of the measured run (higher is better)
#   p50/p99 ms    latency percentiles from wrk (lower is better)
#   rps/hap       req/s divided by HAProxy's req/s (1.00 = as fast as HAProxy)
#   p99/hap       p99 divided by HAProxy's p99 (1.00 = same tail, >1 = worse)
#   RSS MiB       resident memory of the balancer after the run (master and
#                 worker processes summed)
#   CPU us/req    CPU time the balancer process used (user + system) per
#                 request answered in the measured run
#   errors        wrk socket errors + non-2xx/3xx answers (should be 0)
#   wrk, the balancer and both backends share the machine's cores, so the
#   absolute numbers are only comparable between rows of the same run.
#
# Usage
#   bench/http.sh [haproxy] [nginx] [applianced] [applianced-yarp] [applianced-env]
#                   (default: the first three)
#     applianced-yarp  applianced with the cluster's Forwarder set to "Yarp"
#                      (YARP's forwarder and HttpClient instead of the direct one)
#     applianced-env   applianced with the extra environment in VARIANT_ENV
#                      ("K=V K2=V2"), to compare a runtime setting in the same run
#     proto-loop       issue 17's prototype of an HTTP/1.1 engine on the epoll
#                      loops (bench/proto/HttpLoopProto; MODE=plain only): the
#                      ceiling of that design, with no routing and no pipeline
# Environment (defaults in brackets)
#   MODE [plain]    plain: HTTP/1.1 over TCP (wrk)
#                   tls:   HTTP/1.1 over TLS 1.3 (wrk), the same self-signed P-256
#                          certificate on every balancer, ALPN h2,http/1.1
#                   h2:    HTTP/2 over TLS (h2load -c CONNECTIONS -m STREAMS);
#                          p50/p99 from h2load's per-request log
#   The backends always speak plain HTTP/1.1.
#   DURATION [10s]  CONNECTIONS [50, h2: 10]  THREADS [1]  one measured run
#   STREAMS [10]    h2 only: concurrent streams per connection
#   ROUNDS [3]      measured runs per balancer, interleaved; medians reported
#   WARMUP          warm-up length for every balancer; if unset, 20s for
#                   applianced (tiered JIT) and 5s for the others
#   SKIP_BUILD=1    do not run `dotnet build`; use the dll if it exists
#   KEEP_TMP=1      keep the temp dir (configs, logs, raw wrk output)
#   APPLIANCED_ARGS extra arguments after `run --config FILE`
#   DOTNET_*        passed through to applianced; DOTNET_gcServer=1,
#                   DOTNET_GCDynamicAdaptationMode=0 and DOTNET_TieredPGO=1
#                   are set unless the caller sets them
# Results are printed and written to bench/results/http-<date>.md.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
MODE=${MODE:-plain}
case "$MODE" in
  plain) SCHEME=http; CONNECTIONS=${CONNECTIONS:-50} ;;
  tls) SCHEME=https; CONNECTIONS=${CONNECTIONS:-50} ;;
  h2) SCHEME=https; CONNECTIONS=${CONNECTIONS:-10} ;;
  *) echo "bench/http.sh: MODE must be plain, tls or h2 (got '$MODE')" >&2; exit 2 ;;
esac
STREAMS=${STREAMS:-10}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-}
APPLIANCED_DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
PROTO_DLL="$REPO/bench/proto/HttpLoopProto/bin/Release/net10.0/HttpLoopProto.dll"
RESULTS_DIR="$REPO/bench/results"
ALL_BALANCERS=(haproxy nginx applianced)

COMMAND_LINE="MODE=$MODE ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS${WARMUP:+ WARMUP=$WARMUP}${SKIP_BUILD:+ SKIP_BUILD=$SKIP_BUILD} $0${*:+ $*}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }

# ---------------------------------------------------------------- arguments
BALANCERS=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    haproxy|nginx|applianced|applianced-yarp|applianced-env|proto-loop) BALANCERS+=("$arg") ;;
    *) die "unknown argument '$arg' (expected: haproxy nginx applianced applianced-yarp applianced-env proto-loop)" ;;
  esac
done
[ ${#BALANCERS[@]} -gt 0 ] || BALANCERS=("${ALL_BALANCERS[@]}")

# ------------------------------------------------------------ temp dir, trap
WORK=$(mktemp -d /tmp/bench-http.XXXXXX)
chmod 755 "$WORK"          # nginx workers run as an unprivileged user
STARTED_PIDS=()            # every process this script started (by pid)
FG_PID=""                  # the command run_fg is waiting for

# run_fg CMD...: run a long command (wrk, dotnet build) so that Ctrl-C stops
# the script at once: bash defers traps while a foreground child runs, and
# wrk treats SIGINT as "stop early and print results", so run it in the
# background and `wait`, which a trapped signal interrupts.
run_fg() {
  "$@" &
  FG_PID=$!
  local rc=0
  wait "$FG_PID" || rc=$?
  FG_PID=""
  return "$rc"
}

alive() {                  # alive PID: running and not a zombie
  kill -0 "$1" 2>/dev/null || return 1
  [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

stop_pid() {               # stop_pid PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    alive "$pid" || return 0
    sleep 0.1
  done
  log "pid $pid ignored TERM; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$? pid f cmd
  trap - EXIT INT TERM
  set +e
  [ -n "$FG_PID" ] && stop_pid "$FG_PID"
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
  # pid files catch daemons whose pid we only learned from the file
  for f in "$WORK"/*/*.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null || true)
    [ -n "$pid" ] && stop_pid "$pid"
  done
  # last resort: anything still running whose command line names our temp dir
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}; pid=${pid%/cmdline}
    [ "$pid" = "$$" ] && continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"$f" || true)
    if [[ $cmd == *"$WORK/"* ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------ tooling
ensure_tools() {
  local missing=()
  command -v wrk     >/dev/null || missing+=(wrk)
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v nginx   >/dev/null || missing+=(nginx)
  command -v curl    >/dev/null || missing+=(curl)
  command -v ss      >/dev/null || missing+=(iproute2)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ "$MODE" = h2 ]; then command -v h2load >/dev/null || missing+=(nghttp2-client); fi
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$WORK/apt.log" 2>&1 \
    || { tail -20 "$WORK/apt.log" >&2; die "apt-get install failed"; }
  # The packages may have started their system services; we use our own.
  service nginx stop >/dev/null 2>&1 || true
  service haproxy stop >/dev/null 2>&1 || true
}

# -------------------------------------------------------------------- ports
TAKEN_PORTS=" "
free_port() {              # free_port VAR: sets VAR to a free port in 18000-18999
  local p
  for _ in $(seq 1 1000); do
    p=$((18000 + RANDOM % 1000))
    case "$TAKEN_PORTS" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then
      TAKEN_PORTS="$TAKEN_PORTS$p "
      printf -v "$1" '%s' "$p"; return 0
    fi
  done
  die "no free port in 18000-18999"
}

wait_listen() {            # wait_listen PORT SECONDS
  local port=$1 secs=$2
  for _ in $(seq 1 $((secs * 10))); do
    [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && return 0
    sleep 0.1
  done
  return 1
}

# wait_http PORT SECONDS PID: until GET / answers "hello" through the
# balancer; gives up early if PID has exited
wait_http() {
  local port=$1 secs=$2 pid=$3
  for _ in $(seq 1 "$secs"); do
    [ "$(curl -sk -m 2 "$SCHEME://127.0.0.1:$port/" 2>/dev/null)" = hello ] && return 0
    alive "$pid" || { log "pid $pid exited"; return 1; }
    sleep 1
  done
  return 1
}

# check_round_robin PORT: both backends answer over one client connection
check_round_robin() {
  local port=$1 u="$SCHEME://127.0.0.1:$1/" seen
  seen=$(curl -sk -m 5 -D - -o /dev/null "$u" "$u" "$u" "$u" 2>/dev/null \
         | tr -d '\r' | sed -n 's/^[Xx]-[Bb]ackend: //p' | sort -u | tr '\n' ' ')
  case "$seen" in
    *b1*b2*) return 0 ;;
    *) log "warning: port $port did not spread 4 requests over both backends (saw: ${seen:-none})"; return 0 ;;
  esac
}

# ------------------------------------------------------------------ helpers
pid_from_file() {          # pid_from_file FILE SECONDS
  local f=$1 secs=$2
  for _ in $(seq 1 $((secs * 10))); do
    [ -s "$f" ] && { cat "$f"; return 0; }
    sleep 0.1
  done
  return 1
}

rss_kib() {                # RSS of PID and its direct children, in KiB
  local pid=$1 total=0 p kb
  for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
    kb=$(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || true)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

cpu_ticks() {              # user+system clock ticks of PID and its direct children
  local pid=$1 total=0 p t
  for p in "$pid" $(pgrep -P "$pid" 2>/dev/null || true); do
    t=$(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true)
    total=$((total + ${t:-0}))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

# Backends and balancers (their configuration files per MODE) live beside this script.
# shellcheck source=bench/http-balancers.sh
source "$REPO/bench/http-balancers.sh"

# ---------------------------------------------------------------------- wrk
to_ms() {                  # "412.00us" / "1.20ms" / "2.00s" / "1.00m" -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
    else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000;
    printf "%.3f", n }'
}

# run_wrk PORT DURATION OUTFILE: one run of the mode's load tool (h2load also writes
# OUTFILE.log, one line per request, for the percentiles)
run_wrk() {
  if [ "$MODE" = h2 ]; then
    run_fg h2load -t "$THREADS" -c "$CONNECTIONS" -m "$STREAMS" -D "${2%s}" \
      --log-file="$3.log" "https://127.0.0.1:$1/" >"$3" 2>&1
  else
    run_fg wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$2" "$SCHEME://127.0.0.1:$1/" >"$3" 2>&1
  fi
}

# read_run OUTFILE: prints "requests rps p50_ms p99_ms errors" for one run of either tool
read_run() {
  local out=$1
  if [ "$MODE" = h2 ]; then
    local pct
    pct=$(awk -F'\t' '{print $3}' "$out.log" | sort -n | awk '{v[NR] = $1} END {
      if (NR == 0) print "n/a n/a"; else printf "%.3f %.3f", v[int(NR * 0.50) + 1] / 1000, v[int(NR * 0.99) + 1] / 1000 }')
    rm -f "$out.log"
    awk -v pct="$pct" '/^finished in/ {gsub(",", ""); rps = $4}
      /^requests:/ {n = $8; bad = $10 + $12 + $14}
      /^status codes:/ {bad += $7 + $9}
      END {printf "%d %.0f %s %d\n", n, rps, pct, bad}' "$out"
  else
    awk -v p50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")" \
        -v p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")" '
      / requests in / {n = $1}
      /^Requests\/sec:/ {rps = $2}
      /Socket errors:/ {gsub(",", ""); bad += $4 + $6 + $8 + $10}
      /Non-2xx or 3xx responses:/ {bad += $NF}
      END {printf "%d %.0f %s %s %d\n", n, rps, p50, p99, bad}' "$out"
  fi
}

# Results, one entry per balancer (medians over rounds), filled by measure_all.
declare -A RPS P50 P99 RSS ERRS STATUS PID ROUND_RPS CPU

start_one() {              # start_one NAME: start, check, warm up; leaves it running
  local name=$1 port warm
  free_port port
  if [ -n "$WARMUP" ]; then warm=$WARMUP
  elif [[ $name == applianced* || $name == proto-loop ]]; then warm=20s
  else warm=5s; fi

  log "$name: starting on 127.0.0.1:$port"
  BAL_PID=""
  if ! "start_$name" "$port"; then
    STATUS[$name]="failed to start"
    return 0
  fi
  local ready_secs=15
  [[ $name == applianced* || $name == proto-loop ]] && ready_secs=60
  if ! wait_http "$port" "$ready_secs" "$BAL_PID"; then
    log "$name: no 'hello' through 127.0.0.1:$port within ${ready_secs}s"
    for f in "$WORK/$name"*/*.log "$WORK/$name"*/logs/*.log; do
      [ -f "$f" ] && { log "--- $f"; tail -20 "$f" >&2; }
    done
    STATUS[$name]="not answering"
    stop_pid "$BAL_PID"
    return 0
  fi
  check_round_robin "$port"
  PID[$name]=$BAL_PID
  PORT_OF[$name]=$port
  log "$name: warm-up $warm"
  run_wrk "$port" "$warm" "$WORK/$name.warmup.txt" || true
  STATUS[$name]=ok
}
declare -A PORT_OF

median() {                 # median of the numbers given as arguments
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {
    if (NR == 0) print ""; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# Measured runs are interleaved (haproxy, nginx, applianced, haproxy, ...) for ROUNDS rounds,
# so a slow patch of the machine hits every balancer alike; the report shows medians.
measure_all() {
  local round name out
  declare -A rps p50 p99 errs cpu
  for round in $(seq 1 "$ROUNDS"); do
    for name in "${BALANCERS[@]}"; do
      [ "${STATUS[$name]:-}" = ok ] || continue
      out="$WORK/$name.wrk.$round.txt"
      log "$name: measured run $round/$ROUNDS ($DURATION)"
      local ticks_before ticks_after
      ticks_before=$(cpu_ticks "${PID[$name]}")
      if ! run_wrk "${PORT_OF[$name]}" "$DURATION" "$out"; then
        cat "$out" >&2; STATUS[$name]="wrk failed"; continue
      fi
      ticks_after=$(cpu_ticks "${PID[$name]}")
      local n r q50 q99 bad
      read -r n r q50 q99 bad < <(read_run "$out")
      rps[$name]+=" $r"
      # CPU microseconds the balancer spent per request it answered in this run.
      cpu[$name]+=" $(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" -v n="$n" \
                     'BEGIN {if (n > 0) printf "%.1f", t / hz * 1e6 / n}')"
      p50[$name]+=" $q50"
      p99[$name]+=" $q99"
      errs[$name]=$(( ${errs[$name]:-0} + bad ))
    done
  done
  for name in "${BALANCERS[@]}"; do
    [ "${STATUS[$name]:-}" = ok ] || continue
    # shellcheck disable=SC2086
    CPU[$name]=$(median ${cpu[$name]})
    RPS[$name]=$(median ${rps[$name]}); P50[$name]=$(median ${p50[$name]}); P99[$name]=$(median ${p99[$name]})
    ROUND_RPS[$name]=${rps[$name]# }
    ERRS[$name]=${errs[$name]:-0}
    RSS[$name]=$(awk -v k="$(rss_kib "${PID[$name]}")" 'BEGIN {printf "%.1f", k / 1024}')
  done
  for name in "${BALANCERS[@]}"; do
    [ -n "${PID[$name]:-}" ] && stop_pid "${PID[$name]}"
  done
  return 0
}

# ------------------------------------------------------------------- report
ratio() {                  # ratio A B -> A/B with 2 decimals, or n/a
  awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
    if (a == "" || b == "" || b + 0 == 0) print "n/a"; else printf "%.2f", a / b }'
}

print_report() {           # print_report text|md
  local fmt=$1 name hr hp
  hr=${RPS[haproxy]:-}; hp=${P99[haproxy]:-}
  if [ "$fmt" = md ]; then
    echo "| balancer | req/s | p50 ms | p99 ms | rps/hap | p99/hap | CPU us/req | RSS MiB | errors |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  else
    printf '%-17s %10s %8s %8s %8s %8s %10s %8s %7s\n' \
      balancer req/s "p50 ms" "p99 ms" rps/hap p99/hap "CPU us/req" "RSS MiB" errors
  fi
  for name in "${BALANCERS[@]}"; do
    if [ "${STATUS[$name]:-}" != ok ]; then
      if [ "$fmt" = md ]; then echo "| $name | ${STATUS[$name]:-skipped} | | | | | | | |"
      else printf '%-17s %s\n' "$name" "${STATUS[$name]:-skipped}"; fi
      continue
    fi
    local rr pr
    rr=$(ratio "${RPS[$name]}" "$hr"); pr=$(ratio "${P99[$name]}" "$hp")
    if [ "$fmt" = md ]; then
      echo "| $name | ${RPS[$name]} | ${P50[$name]} | ${P99[$name]} | $rr | $pr | ${CPU[$name]} | ${RSS[$name]} | ${ERRS[$name]} |"
    else
      printf '%-17s %10s %8s %8s %8s %8s %10s %8s %7s\n' "$name" "${RPS[$name]}" \
        "${P50[$name]}" "${P99[$name]}" "$rr" "$pr" "${CPU[$name]}" "${RSS[$name]}" "${ERRS[$name]}"
    fi
  done
}

# --------------------------------------------------------------------- main
main() {
  local wrk_cmd="wrk --latency -t $THREADS -c $CONNECTIONS -d $DURATION $SCHEME://127.0.0.1:PORT/"
  [ "$MODE" = h2 ] && wrk_cmd="h2load -t $THREADS -c $CONNECTIONS -m $STREAMS -D ${DURATION%s} https://127.0.0.1:PORT/"
  echo "command: $COMMAND_LINE"
  echo "wrk:     $wrk_cmd  (after a warm-up run of the same shape; $ROUNDS interleaved rounds, medians shown)"
  echo

  ensure_tools
  LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
  if awk -v l="${LOAD_START%% *}" 'BEGIN {exit !(l > 1.0)}'; then
    log "warning: load average is $LOAD_START before starting: other work on the machine will skew the numbers"
  fi
  free_port B1; free_port B2
  log "backends: nginx b1 on $B1, nginx b2 on $B2"
  [ "$SCHEME" = https ] && make_certificate
  start_backend b1 "$B1"
  start_backend b2 "$B2"

  local name
  for name in "${BALANCERS[@]}"; do
    if [ "$name" = proto-loop ] && [ "$MODE" != plain ]; then
      STATUS[$name]="skipped (plain HTTP only)"
      continue
    fi
    if [[ $name == applianced* || $name == proto-loop ]]; then
      [ -n "$APPLIANCED_BUILT" ] || { build_applianced; APPLIANCED_BUILT=1; }
      if [ -n "$APPLIANCED_SKIP_REASON" ]; then
        echo "$APPLIANCED_SKIP_REASON"
        STATUS[$name]="skipped (not built)"
        continue
      fi
    fi
    start_one "$name"
  done
  measure_all

  local stamp file
  stamp=$(date +%Y-%m-%d-%H%M%S)
  mkdir -p "$RESULTS_DIR"
  file="$RESULTS_DIR/http-$MODE-$stamp.md"
  {
    echo "# HTTP benchmark $stamp, MODE=$MODE"
    echo
    echo "- command: \`$COMMAND_LINE\`"
    echo "- wrk: \`$wrk_cmd\`"
    echo "- machine: $(nproc) cores, $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "- versions: $(haproxy -v 2>/dev/null | head -1 | awk '{print "haproxy", $3}'), $(nginx -v 2>&1 | sed 's/.*nginx\//nginx /'), $(wrk -v 2>&1 | head -1 | awk '{print "wrk", $2}'),$([ "$MODE" = h2 ] && h2load --version | head -1 | sed 's/^/ /;s/$/,/') dotnet $(dotnet --version 2>/dev/null || echo n/a)"
    echo "- load average before / after: $LOAD_START / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- backends: 2 x nginx (1 worker each), \`return 200 \"hello\\n\"\`, keep-alive"
    echo "- $ROUNDS interleaved measured rounds per balancer; req/s per round: $(for n in "${BALANCERS[@]}"; do printf '%s [%s] ' "$n" "${ROUND_RPS[$n]:-}"; done)"
    echo
    print_report md
  } >"$file"

  echo
  print_report text
  echo
  echo "written: ${file#"$REPO"/}"

  for name in "${BALANCERS[@]}"; do
    case "${STATUS[$name]:-}" in ok|skipped*) ;; *) return 1 ;; esac
  done
}

main
