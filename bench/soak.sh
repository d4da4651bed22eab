#!/usr/bin/env bash
# bench/soak.sh: a long mixed HTTP + TCP soak through a three-node cluster on loopback, with a node
# killed (kill -9) and restarted every KILL_EVERY seconds.
#
# What it runs
#   three nginx backends (one process, three ports, each answering with its name in X-Backend);
#   three applianced nodes (lb1..lb3) in one cluster (shared key, every node a seed), each with an
#   HTTP listener (route /sticky/ -> cluster "web", ApplianceCookie sessions, round robin) and a TCP
#   listener (pool "db", round robin over the same backends); bench/soak-client.py drives CLIENTS
#   sticky HTTP clients (each request to a random node, transport failures retried on another node,
#   as a client of a VIP would) and TCP_RATE new TCP connections/s to random nodes.
#   Every KILL_EVERY seconds one node (lb1, lb2, lb3, lb1, ...) gets kill -9 and is started again
#   RESTART_AFTER seconds later. RSS of every node is sampled every 5 s.
#
# What it prints
#   per 10 s: requests/s, errors and sticky violations; at the end: totals, errors, violations,
#   RSS per node (start, max, end), and a PNG (gnuplot) of throughput and memory over time.
#   Results: bench/results/soak-<date>.{md,png,csv}.
#
# Usage
#   bench/soak.sh
# Environment (defaults in brackets)
#   DURATION [1800] seconds   KILL_EVERY [300]   RESTART_AFTER [5]
#   CLIENTS [50]  PAUSE [0.05] mean seconds between one client's requests   TCP_RATE [50]
#   SKIP_BUILD=1 use the existing Release build   KEEP_LOGS=1 keep the work directory
# Needs: nginx, python3, gnuplot (installed with apt-get when missing and run as root).
# Only 127.0.0.1 is used; every wait is bounded; every process is stopped on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-1800}
KILL_EVERY=${KILL_EVERY:-300}
RESTART_AFTER=${RESTART_AFTER:-5}
CLIENTS=${CLIENTS:-50}
PAUSE=${PAUSE:-0.05}
TCP_RATE=${TCP_RATE:-50}
DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
WORK=$(mktemp -d /tmp/bench-soak.XXXXXX)
STAMP=$(date +%Y%m%d-%H%M%S)
OUT="$REPO/bench/results/soak-$STAMP"
declare -A PIDS
NGINX_PID=""

log() { printf '[soak %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "$*"; exit 1; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null || true
  [ -n "${SAMPLER:-}" ] && kill "$SAMPLER" 2>/dev/null || true
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

(( DURATION > 0 && DURATION <= 7200 )) || die "DURATION must be from 1 to 7200 seconds"
(( KILL_EVERY >= 30 )) || die "KILL_EVERY must be at least 30 seconds"

install_missing() {
  local missing=()
  command -v nginx >/dev/null || missing+=(nginx)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v python3 >/dev/null || missing+=(python3)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing: ${missing[*]} (install them, or run as root to have them installed)"
  log "installing ${missing[*]}"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_backends() {
  mkdir -p "$WORK/nginx/logs"
  chmod 755 "$WORK"
  local servers=""
  for i in 1 2 3; do
    BPORT[$i]=$(free_port)
    servers+="server { listen 127.0.0.1:${BPORT[$i]}; location / { add_header X-Backend backend-$i always; return 200 'backend-$i\n'; } }"$'\n'
  done
  cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/nginx/nginx.pid;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000; $servers }
EOF
  nginx -q -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" -c "$WORK/nginx/nginx.conf" || die "nginx did not start"
  for _ in $(seq 1 50); do [ -s "$WORK/nginx/nginx.pid" ] && break; sleep 0.1; done
  NGINX_PID=$(cat "$WORK/nginx/nginx.pid")
}
declare -a BPORT CPORT HPORT TPORT APORT

write_configs() {
  head -c 32 /dev/urandom | base64 > "$WORK/key"
  local i seeds="" http_dest="" tcp_dest=""
  for i in 1 2 3; do CPORT[$i]=$(free_port); HPORT[$i]=$(free_port); TPORT[$i]=$(free_port); APORT[$i]=$(free_port); done
  for i in 1 2 3; do
    seeds+="\"127.0.0.1:${CPORT[$i]}\","
    http_dest+="\"backend-$i\": { \"Address\": \"http://127.0.0.1:${BPORT[$i]}/\" },"
    tcp_dest+="\"backend-$i\": { \"Address\": \"127.0.0.1:${BPORT[$i]}\" },"
  done
  seeds=${seeds%,}; http_dest=${http_dest%,}; tcp_dest=${tcp_dest%,}
  for i in 1 2 3; do
    cat > "$WORK/lb$i.json" <<JSON
{ "Node": { "Name": "lb$i" },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:${HPORT[$i]}" } ],
  "Admin": { "Address": "127.0.0.1:${APORT[$i]}" },
  "Cluster": { "BindAddress": "127.0.0.1:${CPORT[$i]}", "Seeds": [ $seeds ], "KeyFile": "$WORK/key" },
  "ReverseProxy": {
    "Routes": { "sticky": { "ClusterId": "web", "Match": { "Path": "/sticky/{**rest}" } } },
    "Clusters": { "web": { "LoadBalancingPolicy": "RoundRobin",
      "SessionAffinity": { "Enabled": true, "Policy": "ApplianceCookie", "AffinityKeyName": "soak" },
      "Destinations": { $http_dest } } } },
  "Tcp": {
    "Listeners": { "db": { "Address": "127.0.0.1:${TPORT[$i]}", "Pool": "db" } },
    "Pools": { "db": { "Policy": "RoundRobin", "Backends": { $tcp_dest } } } } }
JSON
  done
}

start_node() {              # start_node I
  dotnet "$DLL" run --config "$WORK/lb$1.json" >> "$WORK/lb$1.log" 2>&1 &
  PIDS[$1]=$!
}

wait_ready() {              # wait_ready I SECONDS: the admin API says ready
  local deadline=$(( $(date +%s) + $2 ))
  until curl -fsS "http://127.0.0.1:${APORT[$1]}/api/v1/status" 2>/dev/null | grep -q '"ready":true'; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "lb$1 not ready after $2 s"; tail -5 "$WORK/lb$1.log" >&2; return 1; }
    sleep 0.2
  done
}

wait_members_up() {        # wait_members_up SECONDS: every node sees all three members up
  local deadline=$(( $(date +%s) + $1 )) i
  for i in 1 2 3; do
    until [ "$(curl -fsS "http://127.0.0.1:${APORT[$i]}/api/v1/cluster/members" 2>/dev/null | grep -o '"state":"up"' | wc -l)" -ge 3 ]; do
      [ "$(date +%s)" -ge "$deadline" ] && { log "lb$i does not see three members up after $1 s"; return 1; }
      sleep 0.2
    done
  done
}

sample_rss() {              # every 5 s: seconds since start, RSS (KiB) of lb1..lb3 (empty while down)
  local start=$1
  echo "t,lb1,lb2,lb3" > "$WORK/rss.csv"
  while true; do
    local row="$(( $(date +%s) - start ))"
    for i in 1 2 3; do
      local pid; pid=$(cat "$WORK/lb$i.pid" 2>/dev/null || echo 0)
      row+=",$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)"   # empty while down: a gap in the plot
    done
    echo "$row" >> "$WORK/rss.csv"
    sleep 5
  done
}

plot() {
  gnuplot <<EOF 2>/dev/null || log "gnuplot failed; CSVs are in $OUT.*"
set terminal pngcairo size 1200,700 noenhanced
set output "$OUT.png"
set datafile separator ","
set multiplot layout 2,1 title "applianced soak: $DURATION s, kill -9 every $KILL_EVERY s"
set ylabel "per second"; set xlabel "seconds"; set key outside right
plot "$OUT-traffic.csv" using 1:(\$2+\$3) every ::1 with lines title "HTTP requests", \
     "" using 1:(\$4+\$5) every ::1 with lines title "TCP connections", \
     "" using 1:(\$3+\$5) every ::1 with impulses title "errors"
set ylabel "RSS (MiB)"
plot for [i=2:4] "$OUT-rss.csv" using 1:(column(i)/1024) every ::1 with lines title sprintf("lb%d", i-1)
unset multiplot
EOF
}

install_missing
[ -n "${SKIP_BUILD:-}" ] || { log "building (Release)"; dotnet build "$REPO/src/Appliance.Node" -c Release -v q -nologo >/dev/null; }
[ -f "$DLL" ] || die "no build at $DLL"
mkdir -p "$REPO/bench/results"
start_backends
write_configs
for i in 1 2 3; do start_node "$i"; echo "${PIDS[$i]}" > "$WORK/lb$i.pid"; done
for i in 1 2 3; do wait_ready "$i" 60; done
wait_members_up 60
log "cluster ready: HTTP ${HPORT[1]},${HPORT[2]},${HPORT[3]}  TCP ${TPORT[1]},${TPORT[2]},${TPORT[3]}; soaking for $DURATION s"

START=$(date +%s)
sample_rss "$START" & SAMPLER=$!
python3 "$REPO/bench/soak-client.py" --http "${HPORT[1]},${HPORT[2]},${HPORT[3]}" --tcp "${TPORT[1]},${TPORT[2]},${TPORT[3]}" \
  --seconds "$DURATION" --clients "$CLIENTS" --pause "$PAUSE" --tcp-rate "$TCP_RATE" --csv "$WORK/traffic.csv" \
  > "$WORK/client.log" 2>&1 &
CLIENT=$!

KILLS=0
victim=1
while kill -0 "$CLIENT" 2>/dev/null; do
  next=$(( START + (KILLS + 1) * KILL_EVERY ))
  while kill -0 "$CLIENT" 2>/dev/null && [ "$(date +%s)" -lt "$next" ]; do sleep 1; done
  kill -0 "$CLIENT" 2>/dev/null || break
  [ $(( next + RESTART_AFTER + 30 )) -lt $(( START + DURATION )) ] || break   # not in the last half minute
  log "kill -9 lb$victim (pid ${PIDS[$victim]})"
  kill -9 "${PIDS[$victim]}"; wait "${PIDS[$victim]}" 2>/dev/null || true
  echo 0 > "$WORK/lb$victim.pid"
  sleep "$RESTART_AFTER"
  start_node "$victim"; echo "${PIDS[$victim]}" > "$WORK/lb$victim.pid"
  wait_ready "$victim" 60 || log "lb$victim did not become ready again"
  log "lb$victim back"
  KILLS=$((KILLS + 1)); victim=$(( victim % 3 + 1 ))
done
wait "$CLIENT" || true
kill "$SAMPLER" 2>/dev/null || true; SAMPLER=""

cp "$WORK/traffic.csv" "$OUT-traffic.csv"; cp "$WORK/rss.csv" "$OUT-rss.csv"
plot
summary=$(grep '^SUMMARY' "$WORK/client.log" || echo "SUMMARY missing (client log: $(tail -3 "$WORK/client.log"))")
rss=$(awk -F, 'NR>1 { for (i=2;i<=4;i++) if ($i != "") { if (!(i in first)) first[i]=$i; if ($i>max[i]) max[i]=$i; last[i]=$i } }
  END { for (i=2;i<=4;i++) printf "lb%d start %.0f MiB, max %.0f MiB, end %.0f MiB; ", i-1, first[i]/1024, max[i]/1024, last[i]/1024 }' "$WORK/rss.csv")
crashes=$(grep -l -E "Unhandled exception|FATAL|crit:" "$WORK"/lb*.log 2>/dev/null | xargs -r -n1 basename | tr '\n' ' ' || true)
{
  echo "# soak $STAMP"
  echo
  echo "Command: \`DURATION=$DURATION KILL_EVERY=$KILL_EVERY CLIENTS=$CLIENTS PAUSE=$PAUSE TCP_RATE=$TCP_RATE bench/soak.sh\`"
  echo "Load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "- kills: $KILLS (kill -9, restarted after $RESTART_AFTER s)"
  echo "- client: ${summary#SUMMARY }"
  echo "- RSS: $rss"
  echo "- node logs with unhandled exceptions or critical lines: ${crashes:-none}"
  echo "- plot: $(basename "$OUT").png"
} | tee "$OUT.md"
grep '^violation' "$WORK/client.log" | head -20 || true
