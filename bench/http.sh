#!/usr/bin/env bash
# bench/http.sh: HTTP/1.1 reverse-proxy benchmark, loopback only.
#
# What it measures
#   The same tiny request (GET /, answer "hello\n", keep-alive everywhere) sent
#   by wrk through three load balancers configured the same way: round robin
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
# Environment (defaults in brackets)
#   DURATION [10s]  CONNECTIONS [50]  THREADS [1]     one measured wrk run
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
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-}
APPLIANCED_DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
RESULTS_DIR="$REPO/bench/results"
ALL_BALANCERS=(haproxy nginx applianced)

COMMAND_LINE="ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS${WARMUP:+ WARMUP=$WARMUP}${SKIP_BUILD:+ SKIP_BUILD=$SKIP_BUILD} $0${*:+ $*}"

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() { sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; }

# ---------------------------------------------------------------- arguments
BALANCERS=()
for arg in "$@"; do
  case "$arg" in
    -h|--help) usage; exit 0 ;;
    haproxy|nginx|applianced|applianced-yarp|applianced-env) BALANCERS+=("$arg") ;;
    *) die "unknown argument '$arg' (expected: haproxy nginx applianced applianced-yarp)" ;;
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
    [ "$(curl -s -m 2 "http://127.0.0.1:$port/" 2>/dev/null)" = hello ] && return 0
    alive "$pid" || { log "pid $pid exited"; return 1; }
    sleep 1
  done
  return 1
}

# check_round_robin PORT: both backends answer over one client connection
check_round_robin() {
  local port=$1 u="http://127.0.0.1:$1/" seen
  seen=$(curl -s -m 5 -D - -o /dev/null "$u" "$u" "$u" "$u" 2>/dev/null \
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

# ------------------------------------------------------------------ backends
start_backend() {          # start_backend NAME PORT: one nginx, one worker
  local name=$1 port=$2 dir="$WORK/$1"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/tmp-body;
  proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fcgi;
  uwsgi_temp_path $dir/tmp-uwsgi;
  scgi_temp_path $dir/tmp-scgi;
  server {
    listen 127.0.0.1:$port;
    location / {
      default_type text/plain;
      add_header X-Backend $name;
      return 200 "hello\n";
    }
  }
}
EOF
  nginx -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" \
    || die "backend $name failed to start: $(tail -5 "$dir/logs/error.log" 2>/dev/null)"
  STARTED_PIDS+=("$(pid_from_file "$dir/nginx.pid" 10)")
  wait_listen "$port" 10 || die "backend $name not listening on $port"
}

# ----------------------------------------------------------------- balancers
# Each start_* function starts one balancer on $1 and sets BAL_PID.
# B1/B2 are the backend ports.

start_haproxy() {
  local port=$1 dir="$WORK/haproxy"
  mkdir -p "$dir"
  cat >"$dir/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 4096
  # no 'log' line: logging off

defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 60s
  timeout server 60s

frontend web
  bind 127.0.0.1:$port
  default_backend backends

backend backends
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
EOF
  haproxy -f "$dir/haproxy.cfg" -D -p "$dir/haproxy.pid" >"$dir/haproxy.log" 2>&1 \
    || { log "haproxy failed to start:"; cat "$dir/haproxy.log" >&2; return 1; }
  BAL_PID=$(pid_from_file "$dir/haproxy.pid" 10) || { log "haproxy wrote no pid file"; return 1; }
  STARTED_PIDS+=("$BAL_PID")
}

start_nginx() {
  local port=$1 dir="$WORK/nginx-lb"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 2;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/tmp-body;
  proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fcgi;
  uwsgi_temp_path $dir/tmp-uwsgi;
  scgi_temp_path $dir/tmp-scgi;
  upstream backends {
    server 127.0.0.1:$B1;
    server 127.0.0.1:$B2;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$port;
    location / {
      proxy_pass http://backends;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
  nginx -q -p "$dir" -e "$dir/logs/error.log" -c "$dir/nginx.conf" \
    || { log "nginx balancer failed to start:"; tail -5 "$dir/logs/error.log" >&2; return 1; }
  BAL_PID=$(pid_from_file "$dir/nginx.pid" 10) || { log "nginx wrote no pid file"; return 1; }
  STARTED_PIDS+=("$BAL_PID")
}

APPLIANCED_SKIP_REASON=""
APPLIANCED_BUILT=""
build_applianced() {       # sets APPLIANCED_SKIP_REASON when it can't be run
  if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "dotnet build -c Release src/Appliance.Node (log: $WORK/build.log)"
    if ! run_fg dotnet build "$REPO/src/Appliance.Node" -c Release -nologo -v quiet \
         >"$WORK/build.log" 2>&1; then
      grep -E 'error' "$WORK/build.log" | sort -u | head -5 >&2 || true
      APPLIANCED_SKIP_REASON="applianced not built: skipping (dotnet build failed)"
      return 0
    fi
  fi
  [ -f "$APPLIANCED_DLL" ] || APPLIANCED_SKIP_REASON="applianced not built: skipping"
}

start_applianced() {       # start_applianced PORT [yarp]: yarp = the cluster set to YARP's forwarder
  local port=$1 variant=${2:-} dir="$WORK/applianced${2:+-$2}" forwarder=Auto
  [ "$variant" = yarp ] && forwarder=Yarp
  local admin_port
  free_port admin_port     # each variant its own admin listener (the default 9900 would clash)
  mkdir -p "$dir"
  cat >"$dir/config.json" <<EOF
{ "Node": { "Name": "bench" },
  "Admin": { "Address": "127.0.0.1:$admin_port" },
  "Balancing": { "Clusters": { "backends": { "Forwarder": "$forwarder" } } },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:$port", "Protocols": "Http1" } ],
  "ReverseProxy": {
    "Routes": { "all": { "ClusterId": "backends", "Match": { "Path": "/{**catch-all}" } } },
    "Clusters": { "backends": {
      "LoadBalancingPolicy": "RoundRobin",
      "HttpRequest": { "Version": "1.1", "VersionPolicy": "RequestVersionExact" },
      "Destinations": {
        "b1": { "Address": "http://127.0.0.1:$B1/" },
        "b2": { "Address": "http://127.0.0.1:$B2/" } } } } } }
EOF
  # Caller's environment passes through; these three only if not already set.
  (
    export DOTNET_gcServer="${DOTNET_gcServer:-1}"
    export DOTNET_GCDynamicAdaptationMode="${DOTNET_GCDynamicAdaptationMode:-0}"
    export DOTNET_TieredPGO="${DOTNET_TieredPGO:-1}"
    # shellcheck disable=SC2086  # APPLIANCED_ARGS is split on purpose
    if [ "$variant" = env ]; then for kv in ${VARIANT_ENV:-}; do export "${kv?}"; done; fi
    exec dotnet "$APPLIANCED_DLL" run --config "$dir/config.json" ${APPLIANCED_ARGS:-}
  ) </dev/null >"$dir/applianced.log" 2>&1 &
  BAL_PID=$!
  echo "$BAL_PID" >"$dir/applianced.pid"
  STARTED_PIDS+=("$BAL_PID")
}
start_applianced-yarp() { start_applianced "$1" yarp; }
start_applianced-env() { start_applianced "$1" env; }

# ---------------------------------------------------------------------- wrk
to_ms() {                  # "412.00us" / "1.20ms" / "2.00s" / "1.00m" -> ms
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000;
    else if (u == "m") n *= 60000; else if (u == "h") n *= 3600000;
    printf "%.3f", n }'
}

# run_wrk PORT DURATION OUTFILE
run_wrk() {
  run_fg wrk --latency -t "$THREADS" -c "$CONNECTIONS" -d "$2" "http://127.0.0.1:$1/" >"$3" 2>&1
}

# Results, one entry per balancer (medians over rounds), filled by measure_all.
declare -A RPS P50 P99 RSS ERRS STATUS PID ROUND_RPS CPU

start_one() {              # start_one NAME: start, check, warm up; leaves it running
  local name=$1 port warm
  free_port port
  if [ -n "$WARMUP" ]; then warm=$WARMUP
  elif [[ $name == applianced* ]]; then warm=20s
  else warm=5s; fi

  log "$name: starting on 127.0.0.1:$port"
  BAL_PID=""
  if ! "start_$name" "$port"; then
    STATUS[$name]="failed to start"
    return 0
  fi
  local ready_secs=15
  [[ $name == applianced* ]] && ready_secs=60
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
      rps[$name]+=" $(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")"
      # CPU microseconds the balancer spent per request it answered in this run.
      cpu[$name]+=" $(awk -v t=$((ticks_after - ticks_before)) -v hz="$CLK_TCK" \
                     '/ requests in / {n = $1} END {if (n > 0) printf "%.1f", t / hz * 1e6 / n}' "$out")"
      p50[$name]+=" $(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")"
      p99[$name]+=" $(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")"
      errs[$name]=$(( ${errs[$name]:-0} + $(awk '/Socket errors:/ {gsub(",", ""); s += $4 + $6 + $8 + $10}
                  /Non-2xx or 3xx responses:/ {s += $NF} END {print s + 0}' "$out") ))
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
  local wrk_cmd="wrk --latency -t $THREADS -c $CONNECTIONS -d $DURATION http://127.0.0.1:PORT/"
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
  start_backend b1 "$B1"
  start_backend b2 "$B2"

  local name
  for name in "${BALANCERS[@]}"; do
    if [[ $name == applianced* ]]; then
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
  file="$RESULTS_DIR/http-$stamp.md"
  {
    echo "# HTTP benchmark $stamp"
    echo
    echo "- command: \`$COMMAND_LINE\`"
    echo "- wrk: \`$wrk_cmd\`"
    echo "- machine: $(nproc) cores, $(uname -sr), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
    echo "- versions: $(haproxy -v 2>/dev/null | head -1 | awk '{print "haproxy", $3}'), $(nginx -v 2>&1 | sed 's/.*nginx\//nginx /'), $(wrk -v 2>&1 | head -1 | awk '{print "wrk", $2}'), dotnet $(dotnet --version 2>/dev/null || echo n/a)"
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
