#!/usr/bin/env bash
# bench/idle.sh: idle cost of a two-node applianced cluster on loopback (issue 15).
#
# Two applianced processes form a cluster on 127.0.0.1 (no VIPs, no health checks, no traffic).
# After SETTLE seconds (counted from both nodes reporting 2 members Up), CPU is sampled from
# /proc/PID/stat (utime+stime, clock ticks) over WINDOW seconds and printed as % of one core per
# node, with RSS (VmRSS) and the thread count at the end of the window. If haproxy or keepalived
# binaries are present they run idle beside it (haproxy: one loopback frontend, one backend, no
# checks; keepalived: loopback-only, no VRRP instance, so it idles as a daemon would with nothing
# to do), else the script says they are absent. Everything it starts is killed on exit.
# Environment: SETTLE [10], WINDOW [30], DLL [Release build], CLUSTER_JSON (extra Cluster keys,
#   e.g. '"GossipInterval": "00:00:01"'), KEEP_LOGS=1, THREADS=1 (print per-thread CPU by name).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SETTLE=${SETTLE:-10}
WINDOW=${WINDOW:-30}
DLL=${DLL:-$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll}
CLUSTER_JSON=${CLUSTER_JSON:-}
WORK=$(mktemp -d /tmp/bench-idle.XXXXXX)
PIDS=()
TICK=$(getconf CLK_TCK)

log() { printf '[idle %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ -f "$DLL" ] || { echo "no $DLL (dotnet build Appliance.sln -c Release)" >&2; exit 2; }
command -v curl >/dev/null || { echo "needs curl" >&2; exit 2; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { # utime+stime of PID (fields 14 and 15; the name in field 2 may hold spaces)
  local rest; rest=$(sed 's/^.*) //' "/proc/$1/stat"); set -- $rest; echo $(( ${12} + ${13} ))
}
rss_mb() { awk '/^VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
threads() { awk '/^Threads/ { print $2 }' "/proc/$1/status"; }
thread_ticks() { # name ticks, per thread
  for t in /proc/$1/task/*; do
    local rest; rest=$(sed 's/^.*) //' "$t/stat" 2>/dev/null) || continue
    set -- $rest; printf '%s\t%s\n' "$(cat "$t/comm" 2>/dev/null)" $(( ${12} + ${13} ))
  done
}

head -c 32 /dev/urandom | base64 > "$WORK/cluster.key"
declare -a CP HP AP
for n in 0 1; do CP[$n]=$(free_port); HP[$n]=$(free_port); AP[$n]=$(free_port); done
SEEDS="\"127.0.0.1:${CP[0]}\", \"127.0.0.1:${CP[1]}\""
for n in 0 1; do
  cat > "$WORK/lb$((n + 1)).json" <<JSON
{
  "Node": { "Name": "lb$((n + 1))" },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:${HP[$n]}" } ],
  "Admin": { "Address": "127.0.0.1:${AP[$n]}" },
  "Cluster": { "BindAddress": "127.0.0.1:${CP[$n]}", "Seeds": [ $SEEDS ], "KeyFile": "$WORK/cluster.key"${CLUSTER_JSON:+, $CLUSTER_JSON} },
  "ReverseProxy": { "Routes": { "r": { "ClusterId": "c", "Match": { "Path": "/{**x}" } } },
    "Clusters": { "c": { "Destinations": { "d": { "Address": "http://127.0.0.1:9/" } } } } }
}
JSON
done

declare -a NODE
for n in 0 1; do
  dotnet "$DLL" run --config "$WORK/lb$((n + 1)).json" > "$WORK/lb$((n + 1)).log" 2>&1 &
  NODE[$n]=$!; PIDS+=("$!")
done

up_count() { curl -fsS -m 1 "http://127.0.0.1:${AP[$1]}/api/v1/cluster/members" 2>/dev/null | grep -o '"state":"up"' | wc -l; }
deadline=$((SECONDS + 60))
until [ "$(up_count 0)" = 2 ] && [ "$(up_count 1)" = 2 ]; do
  [ $SECONDS -lt $deadline ] || { log "cluster did not form in 60 s; logs in $WORK"; KEEP_LOGS=1; exit 1; }
  sleep 0.5
done
log "two members Up on both nodes; settling ${SETTLE}s"

# Other idle daemons, side by side.
declare -A OTHER
if command -v haproxy >/dev/null; then
  cat > "$WORK/haproxy.cfg" <<CFG
global
  maxconn 1000
defaults
  mode http
  timeout connect 1s
  timeout client 30s
  timeout server 30s
frontend web
  bind 127.0.0.1:$(free_port)
  default_backend b
backend b
  server d 127.0.0.1:9
CFG
  haproxy -f "$WORK/haproxy.cfg" -db > "$WORK/haproxy.log" 2>&1 &
  OTHER[haproxy]=$!; PIDS+=("$!")
else
  echo "haproxy: absent (not installed)"
fi
if command -v keepalived >/dev/null; then
  printf 'global_defs {\n  router_id idle\n}\n' > "$WORK/keepalived.conf"
  keepalived -n -l -f "$WORK/keepalived.conf" -p "$WORK/ka.pid" -r "$WORK/vrrp.pid" -c "$WORK/chk.pid" > "$WORK/keepalived.log" 2>&1 &
  OTHER[keepalived]=$!; PIDS+=("$!")
else
  echo "keepalived: absent (not installed)"
fi

sleep "$SETTLE"
declare -A T0
for n in 0 1; do T0[lb$((n + 1))]=$(ticks "${NODE[$n]}"); [ -n "${THREADS:-}" ] && thread_ticks "${NODE[$n]}" > "$WORK/threads0.$n"; done
for k in "${!OTHER[@]}"; do T0[$k]=$(ticks "${OTHER[$k]}"); done
start=$(date +%s.%N)
sleep "$WINDOW"
end=$(date +%s.%N)
elapsed=$(echo "$end - $start" | bc -l)

printf '%-12s %8s %8s %8s\n' process "cpu%" "rss MB" threads
for n in 0 1; do
  p=${NODE[$n]}; kill -0 "$p" 2>/dev/null || { log "lb$((n + 1)) died; logs in $WORK"; KEEP_LOGS=1; exit 1; }
  d=$(( $(ticks "$p") - T0[lb$((n + 1))] ))
  printf '%-12s %8.2f %8s %8s\n' "lb$((n + 1))" "$(echo "100 * $d / $TICK / $elapsed" | bc -l)" "$(rss_mb "$p")" "$(threads "$p")"
  if [ -n "${THREADS:-}" ]; then
    thread_ticks "$p" > "$WORK/threads1.$n"
    # Threads share names: sum ticks by name, before and after.
    join -t $'\t' <(awk -F'\t' '{s[$1]+=$2} END {for (k in s) print k "\t" s[k]}' "$WORK/threads1.$n" | sort) \
                  <(awk -F'\t' '{s[$1]+=$2} END {for (k in s) print k "\t" s[k]}' "$WORK/threads0.$n" | sort) -a1 \
      | awk -F'\t' -v t="$TICK" -v e="$elapsed" '{d=$2-($3==""?0:$3); if (d>0) printf "    %-20s %6.2f%%\n", $1, 100*d/t/e}' | sort -k2 -rn
  fi
done
for k in "${!OTHER[@]}"; do
  p=${OTHER[$k]}; kill -0 "$p" 2>/dev/null || { echo "$k: exited early (see $WORK/$k.log)"; continue; }
  d=$(( $(ticks "$p") - T0[$k] ))
  printf '%-12s %8.2f %8s %8s\n' "$k" "$(echo "100 * $d / $TICK / $elapsed" | bc -l)" "$(rss_mb "$p")" "$(threads "$p")"
done
echo "window ${WINDOW}s after ${SETTLE}s settle; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
