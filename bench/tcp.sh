#!/usr/bin/env bash
# bench/tcp.sh: TCP (layer 4) forwarding benchmark, loopback only.
#
# What it measures
#   applianced's TCP listener against HAProxy 2.6 in `mode tcp` (nbthread 2),
#   and applianced once more on its .NET socket engine (APPLIANCE_TCP_ENGINE=sockets,
#   row "applianced-sockets"; the default on Linux is the epoll event loop); with
#   BALANCERS=... also "applianced-inline" (the socket engine with
#   DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1),
#   both round robin over the same two backends: one nginx (2 workers) on two
#   ports, serving "hello\n" at / and a 1 GiB file at /big (sendfile).
#     (a) conn/s   new connections per second with a short request/response:
#                  wrk -H "Connection: close" (one TCP connection per request;
#                  nginx closes after answering, the proxy passes the FIN on)
#     (b) MB/s     bulk throughput over BULK_CONNECTIONS long connections, each
#                  downloading /big again and again (bench/tcp-client.py bulk)
#     (c) B/conn   memory per idle proxied connection pair: RSS of the balancer
#                  with IDLE_CONNECTIONS client connections open and idle
#                  (each with its backend connection), minus RSS before, divided
#                  by IDLE_CONNECTIONS (bench/tcp-client.py idle)
#   (a) and (b) run ROUNDS times, interleaved across the balancers; medians are
#   reported. (c) runs once per balancer on a freshly started process, warmed by
#   200 connections first so start-up costs are not counted.
#
# How to read it
#   ratio columns divide applianced by HAProxy (target: >= 0.8 for conn/s and
#   MB/s; under 2048 bytes per idle pair). The load generators, both
#   balancers and nginx share the machine's cores, so only ratios from the same
#   run compare.
#
# Usage
#   bench/tcp.sh
# Environment (defaults in brackets)
#   DURATION [10s]  CONNECTIONS [50]   one (a) run: wrk -t1 -c CONNECTIONS
#   BULK_SECONDS [10]  BULK_CONNECTIONS [4]   one (b) run
#   IDLE_CONNECTIONS [10000, or as many as the descriptor limit allows]  ROUNDS [3]
#   WARMUP [20] seconds of (a)+(b) load for applianced before measuring (JIT);
#                HAProxy gets 5
#   SKIP_BUILD=1  KEEP_TMP=1   as in bench/http.sh
#   DOTNET_*     passed through; DOTNET_gcServer=1, DOTNET_GCDynamicAdaptationMode=0
#                and DOTNET_TieredPGO=1 are set unless the caller sets them
# Results are printed and written to bench/results/tcp-<date>.md.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-50}
BULK_SECONDS=${BULK_SECONDS:-10}
BULK_CONNECTIONS=${BULK_CONNECTIONS:-4}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-}
ROUNDS=${ROUNDS:-3}
WARMUP=${WARMUP:-20}
APPLIANCED_DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
CLIENT="$REPO/bench/tcp-client.py"
RESULTS_DIR="$REPO/bench/results"
# applianced-sockets: the same daemon on the .NET socket engine instead of its event loops.
# applianced-inline: the socket engine with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (socket
# completions run on .NET's epoll threads instead of being queued to the thread pool).
read -r -a BALANCERS <<<"${BALANCERS:-haproxy applianced applianced-sockets}"
COMMAND_LINE="ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS BULK_SECONDS=$BULK_SECONDS BULK_CONNECTIONS=$BULK_CONNECTIONS${IDLE_CONNECTIONS:+ IDLE_CONNECTIONS=$IDLE_CONNECTIONS} WARMUP=$WARMUP${SKIP_BUILD:+ SKIP_BUILD=$SKIP_BUILD} $0"

log() { printf '[tcp-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
case "${1:-}" in -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; "") ;; *) die "no arguments expected (see --help)" ;; esac

WORK=$(mktemp -d /tmp/bench-tcp.XXXXXX)
chmod 755 "$WORK"
STARTED_PIDS=()

alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }
stop_pid() {
  local pid=$1
  alive "$pid" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do alive "$pid" || return 0; sleep 0.1; done
  log "pid $pid ignored TERM; sending KILL"
  kill -KILL "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$? pid
  trap - EXIT INT TERM
  set +e
  for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
  if [ "${KEEP_TMP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------- tools
missing=()
for tool in wrk haproxy nginx python3 ss; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || die "missing ${missing[*]} and not root"
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk haproxy nginx python3 iproute2 >"$WORK/apt.log" 2>&1 || die "apt-get failed"
  service nginx stop >/dev/null 2>&1 || true
  service haproxy stop >/dev/null 2>&1 || true
fi
# N idle pairs need 2N descriptors in the balancer. Raise the limit as far as allowed; where the
# hard limit is below 21,000 (containers without CAP_SYS_RESOURCE), measure as many as fit.
ulimit -n 200000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
FD_LIMIT=$(ulimit -n)
FIT=$(( (FD_LIMIT - 1000) / 2 ))
if [ -z "$IDLE_CONNECTIONS" ]; then
  IDLE_CONNECTIONS=$(( FIT < 10000 ? FIT / 500 * 500 : 10000 ))
  [ "$IDLE_CONNECTIONS" -lt 10000 ] && log "descriptor limit $FD_LIMIT: measuring $IDLE_CONNECTIONS idle pairs instead of 10,000"
fi
(( IDLE_CONNECTIONS <= FIT )) || die "ulimit -n $FD_LIMIT is too low for $IDLE_CONNECTIONS idle connections"
HAPROXY_MAXCONN=$(( (FD_LIMIT - 200) / 2 ))

TAKEN=" "
free_port() {
  local p
  for _ in $(seq 1 1000); do
    p=$((19000 + RANDOM % 1000))
    case "$TAKEN" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Hltn "sport = :$p" 2>/dev/null)" ]; then TAKEN="$TAKEN$p "; printf -v "$1" '%s' "$p"; return 0; fi
  done
  die "no free port in 19000-19999"
}
wait_listen() { for _ in $(seq 1 $(($2 * 10))); do [ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ] && return 0; sleep 0.1; done; return 1; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
established_to() { ss -Htn state established "( sport = :$1 or sport = :$2 )" 2>/dev/null | wc -l; }

# ----------------------------------------------------------------- backends
free_port B1; free_port B2
mkdir -p "$WORK/nginx/logs" "$WORK/www"
truncate -s 1G "$WORK/www/big"
printf 'hello\n' >"$WORK/www/index.txt"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes 2;
worker_rlimit_nofile $FD_LIMIT;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections $(( FD_LIMIT - 500 )); }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  keepalive_timeout 600s;
  client_header_timeout 600s;
  client_body_temp_path $WORK/nginx/tmp-body;
  proxy_temp_path $WORK/nginx/tmp-proxy;
  fastcgi_temp_path $WORK/nginx/tmp-fcgi;
  uwsgi_temp_path $WORK/nginx/tmp-uwsgi;
  scgi_temp_path $WORK/nginx/tmp-scgi;
  server {
    listen 127.0.0.1:$B1 backlog=4096;
    listen 127.0.0.1:$B2 backlog=4096;
    root $WORK/www;
    location = / { default_type text/plain; return 200 "hello\n"; }
    location = /big { default_type application/octet-stream; }
  }
}
EOF
nginx -q -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf" || die "nginx failed: $(tail -3 "$WORK/nginx/logs/error.log")"
for _ in $(seq 1 50); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.1; done
STARTED_PIDS+=("$(cat "$WORK/nginx/nginx.pid")")
wait_listen "$B1" 10 && wait_listen "$B2" 10 || die "nginx not listening"
log "backends: nginx on 127.0.0.1:$B1 and :$B2"

# ---------------------------------------------------------------- balancers
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "dotnet build -c Release src/Appliance.Node"
  dotnet build "$REPO/src/Appliance.Node" -c Release -nologo -v quiet >"$WORK/build.log" 2>&1 || { grep error "$WORK/build.log" | head -5 >&2; die "build failed"; }
fi
[ -f "$APPLIANCED_DLL" ] || die "no $APPLIANCED_DLL"

start_haproxy() {          # start_haproxy PORT: sets BAL_PID
  mkdir -p "$WORK/haproxy"
  cat >"$WORK/haproxy/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn $HAPROXY_MAXCONN

defaults
  mode tcp
  timeout connect 5s
  timeout client 10m
  timeout server 10m

frontend front
  bind 127.0.0.1:$1
  default_backend pool

backend pool
  balance roundrobin
  server b1 127.0.0.1:$B1
  server b2 127.0.0.1:$B2
EOF
  haproxy -db -f "$WORK/haproxy/haproxy.cfg" </dev/null >"$WORK/haproxy/haproxy.log" 2>&1 &
  BAL_PID=$!
}

start_applianced() {       # start_applianced PORT [DIR]: sets BAL_PID
  local dir="$WORK/${2:-applianced}" admin
  mkdir -p "$dir"
  free_port admin # several daemons run at once: each needs its own admin port (the default is 9900)
  cat >"$dir/config.json" <<EOF
{ "Node": { "Name": "bench" },
  "Admin": { "Address": "127.0.0.1:$admin" },
  "Tcp": {
    "Listeners": { "front": { "Address": "127.0.0.1:$1", "Pool": "pool", "IdleTimeout": "00:10:00" } },
    "Pools": { "pool": { "Policy": "RoundRobin", "Backends": {
      "b1": { "Address": "127.0.0.1:$B1" }, "b2": { "Address": "127.0.0.1:$B2" } } } } } }
EOF
  (
    export DOTNET_gcServer="${DOTNET_gcServer:-1}"
    export DOTNET_GCDynamicAdaptationMode="${DOTNET_GCDynamicAdaptationMode:-0}"
    export DOTNET_TieredPGO="${DOTNET_TieredPGO:-1}"
    exec dotnet "$APPLIANCED_DLL" run --config "$dir/config.json"
  ) </dev/null >"$dir/applianced.log" 2>&1 &
  BAL_PID=$!
}

start_applianced-sockets() {
  APPLIANCE_TCP_ENGINE=sockets start_applianced "$1" applianced-sockets
}

start_applianced-inline() {
  APPLIANCE_TCP_ENGINE=sockets DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 start_applianced "$1" applianced-inline
}

declare -A PORT_OF PID_OF
start_one() {              # start_one NAME: fresh process, answering through the proxy
  local name=$1 port
  free_port port
  "start_$name" "$port"
  STARTED_PIDS+=("$BAL_PID")
  for _ in $(seq 1 300); do
    [ "$(python3 "$CLIENT" get 127.0.0.1 "$port" 2>/dev/null)" = hello ] && break
    alive "$BAL_PID" || die "$name exited: $(tail -5 "$WORK/$name"/*.log)"
    sleep 0.2
  done
  [ "$(python3 "$CLIENT" get 127.0.0.1 "$port")" = hello ] || die "$name does not answer through 127.0.0.1:$port"
  PORT_OF[$name]=$port PID_OF[$name]=$BAL_PID
  log "$name: pid $BAL_PID on 127.0.0.1:$port"
}
stop_one() { stop_pid "${PID_OF[$1]}"; }

conn_rate() {              # conn_rate PORT DURATION: wrk's Requests/sec, one connection per request
  local out="$WORK/wrk.$RANDOM.txt"
  wrk -t 1 -c "$CONNECTIONS" -d "$2" -H "Connection: close" "http://127.0.0.1:$1/" >"$out" 2>&1 || true
  local rps errors
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  errors=$(awk '/Socket errors/ {gsub(",", ""); s += $4 + $6 + $8 + $10} /Non-2xx/ {s += $5} END {print s + 0}' "$out")
  echo "${rps:-0} $errors"
}
bulk_rate() { python3 "$CLIENT" bulk 127.0.0.1 "$1" "$BULK_CONNECTIONS" "$2"; }   # prints MB/s

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# ------------------------------------------------------ (a) and (b): rounds
declare -A CONN BULK ERR
for name in "${BALANCERS[@]}"; do
  start_one "$name"
  warm=5; [ "$name" != haproxy ] && warm=$WARMUP
  log "$name: warm-up ${warm}s"
  conn_rate "${PORT_OF[$name]}" "$((warm / 2 + 1))s" >/dev/null
  bulk_rate "${PORT_OF[$name]}" "$((warm / 2 + 1))" >/dev/null
  CONN[$name]="" BULK[$name]="" ERR[$name]=0
done
for round in $(seq 1 "$ROUNDS"); do
  for name in "${BALANCERS[@]}"; do
    read -r rps errors < <(conn_rate "${PORT_OF[$name]}" "$DURATION")
    mbs=$(bulk_rate "${PORT_OF[$name]}" "$BULK_SECONDS")
    log "round $round $name: $rps conn/s ($errors errors), $mbs MB/s"
    CONN[$name]="${CONN[$name]} $rps" BULK[$name]="${BULK[$name]} $mbs" ERR[$name]=$((ERR[$name] + errors))
  done
done
for name in "${BALANCERS[@]}"; do stop_one "$name"; done

# --------------------------------------------------------- (c) idle memory
declare -A BEFORE AFTER PER_PAIR
for name in "${BALANCERS[@]}"; do
  start_one "$name"
  python3 "$CLIENT" churn 127.0.0.1 "${PORT_OF[$name]}" 200
  sleep 3
  BEFORE[$name]=$(rss_kib "${PID_OF[$name]}")
  python3 "$CLIENT" idle 127.0.0.1 "${PORT_OF[$name]}" "$IDLE_CONNECTIONS" 120 >"$WORK/idle.$name.txt" 2>&1 &
  idle_pid=$!
  STARTED_PIDS+=("$idle_pid")
  for _ in $(seq 1 600); do
    [ "$(established_to "$B1" "$B2")" -ge "$IDLE_CONNECTIONS" ] && break
    alive "$idle_pid" || break
    sleep 0.2
  done
  held=$(established_to "$B1" "$B2")
  sleep 3
  AFTER[$name]=$(rss_kib "${PID_OF[$name]}")
  PER_PAIR[$name]=$(( (AFTER[$name] - BEFORE[$name]) * 1024 / IDLE_CONNECTIONS ))
  log "$name: $held backend connections held; RSS ${BEFORE[$name]} KiB -> ${AFTER[$name]} KiB: ${PER_PAIR[$name]} B per pair"
  [ "$held" -ge "$IDLE_CONNECTIONS" ] || log "warning: only $held of $IDLE_CONNECTIONS connections reached the backends"
  stop_pid "$idle_pid"
  stop_one "$name"
done

# ------------------------------------------------------------------ report
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
declare -A MC MB
for name in "${BALANCERS[@]}"; do MC[$name]=$(median ${CONN[$name]}) MB[$name]=$(median ${BULK[$name]}); done
stamp=$(date '+%Y-%m-%d %H:%M')
{
  echo "Result of $stamp (commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)), command: \`$COMMAND_LINE\`, $IDLE_CONNECTIONS idle pairs"
  echo
  echo "| balancer | conn/s | MB/s | RSS before KiB | RSS idle KiB | bytes per idle pair | conn/s / hap | MB/s / hap | bytes / hap | wrk errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  for name in "${BALANCERS[@]}"; do
    echo "| $name | ${MC[$name]} | ${MB[$name]} | ${BEFORE[$name]} | ${AFTER[$name]} | ${PER_PAIR[$name]} |" \
      "$(ratio "${MC[$name]}" "${MC[haproxy]}") | $(ratio "${MB[$name]}" "${MB[haproxy]}") | $(ratio "${PER_PAIR[$name]}" "${PER_PAIR[haproxy]}") | ${ERR[$name]} |"
  done
  echo
  for name in "${BALANCERS[@]}"; do echo "Per-round $name: conn/s${CONN[$name]}; MB/s${BULK[$name]}."; done
} >"$WORK/report.md"
cat "$WORK/report.md"
mkdir -p "$RESULTS_DIR"
cp "$WORK/report.md" "$RESULTS_DIR/tcp-$(date +%Y%m%d-%H%M).md"
