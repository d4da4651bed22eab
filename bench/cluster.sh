#!/usr/bin/env bash
# bench/cluster.sh: membership benchmarks on loopback with real applianced processes.
#
# What it measures
#   1. Failure detection: three nodes; TRIALS times, kill -9 one node and take the time from the
#      kill to the "unreachable" log line on each survivor (log timestamps, UTC ms). Then the
#      killed node is restarted and must be up everywhere again before the next trial.
#      Prints median and max over all observations (TRIALS x 2 survivors).
#   2. Membership traffic: for 3 and for 7 nodes, run a steady cluster for STEADY seconds, stop
#      every node with SIGTERM, and sum the "Cluster traffic" lines each node logs on stop
#      (bytes sent over its lifetime, join included), as bytes/s for the whole cluster and per node.
# Environment: TRIALS [20], STEADY [30], SKIP_BUILD=1 to use the existing Release build.
# Only 127.0.0.1 is used; every wait is bounded; all processes are killed on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRIALS=${TRIALS:-20}
STEADY=${STEADY:-30}
DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
WORK=$(mktemp -d /tmp/bench-cluster.XXXXXX)
declare -A PIDS

log() { printf '[cluster-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

write_configs() {           # write_configs N: configs lb1..lbN sharing one key and seed list
  local n=$1 i seeds=""
  head -c 32 /dev/urandom | base64 > "$WORK/key"
  for i in $(seq 1 "$n"); do CPORT[$i]=$(free_port); done
  for i in $(seq 1 "$n"); do seeds+="\"127.0.0.1:${CPORT[$i]}\","; done
  seeds=${seeds%,}
  for i in $(seq 1 "$n"); do
    cat > "$WORK/lb$i.json" <<JSON
{ "Node": { "Name": "lb$i" },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:$(free_port)" } ],
  "Admin": { "Address": "127.0.0.1:$(free_port)" },
  "Cluster": { "BindAddress": "127.0.0.1:${CPORT[$i]}", "Seeds": [ $seeds ], "KeyFile": "$WORK/key" },
  "ReverseProxy": { "Routes": { "r": { "ClusterId": "c", "Match": { "Path": "/{**x}" } } },
    "Clusters": { "c": { "Destinations": { "d": { "Address": "http://127.0.0.1:9/" } } } } } }
JSON
  done
}
declare -a CPORT

start_node() {              # start_node I
  DOTNET_gcServer=0 dotnet "$DLL" run --config "$WORK/lb$1.json" >> "$WORK/lb$1.log" 2>&1 &
  PIDS[$1]=$!
}

wait_log() {                # wait_log FILE TEXT COUNT SECONDS
  local deadline=$(( $(date +%s) + $4 ))
  while [ "$(grep -c -F -- "$2" "$1" 2>/dev/null || true)" -lt "$3" ]; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "timeout waiting for '$2' in $1"; tail -5 "$1" >&2; return 1; }
    sleep 0.05
  done
}

up_count() { grep -c -F -- "member $2 (127.0.0.1:${CPORT[$3]}) is now up" "$WORK/$1.log" 2>/dev/null || true; }

detection() {
  log "detection: 3 nodes, $TRIALS trials of kill -9"
  write_configs 3
  local i t
  for i in 1 2 3; do start_node "$i"; done
  for i in 1 2; do wait_log "$WORK/lb$i.log" "member lb3 (127.0.0.1:${CPORT[3]}) is now up" 1 30; done
  : > "$WORK/detect.txt"
  for t in $(seq 1 "$TRIALS"); do
    local before1 before2 killed
    before1=$(grep -c "member lb3 .* is unreachable" "$WORK/lb1.log" || true)
    before2=$(grep -c "member lb3 .* is unreachable" "$WORK/lb2.log" || true)
    killed=$(date -u +%s.%N)
    kill -9 "${PIDS[3]}"; PIDS[3]=""
    wait_log "$WORK/lb1.log" "member lb3 (127.0.0.1:${CPORT[3]}) is unreachable" $((before1 + 1)) 10
    wait_log "$WORK/lb2.log" "member lb3 (127.0.0.1:${CPORT[3]}) is unreachable" $((before2 + 1)) 10
    for i in 1 2; do
      grep "member lb3 .* is unreachable" "$WORK/lb$i.log" | tail -1 | awk -v k="$killed" '{
        cmd = "date -u -d " $1 " +%s.%N"; cmd | getline t; close(cmd); printf "%.0f\n", (t - k) * 1000 }' >> "$WORK/detect.txt"
    done
    for i in 1 2; do wait_log "$WORK/lb$i.log" "member lb3 (127.0.0.1:${CPORT[3]}) was removed" "$t" 10; done
    local ups1 ups2; ups1=$(up_count lb1 lb3 3); ups2=$(up_count lb2 lb3 3)
    start_node 3
    wait_log "$WORK/lb1.log" "member lb3 (127.0.0.1:${CPORT[3]}) is now up" $((ups1 + 1)) 30
    wait_log "$WORK/lb2.log" "member lb3 (127.0.0.1:${CPORT[3]}) is now up" $((ups2 + 1)) 30
    sleep 1 # let heartbeats to the new incarnation settle before the next kill
    log "trial $t: $(tail -2 "$WORK/detect.txt" | paste -sd' ') ms"
  done
  for i in 1 2 3; do [ -n "${PIDS[$i]:-}" ] && kill -9 "${PIDS[$i]}" 2>/dev/null || true; PIDS[$i]=""; done
  sort -n "$WORK/detect.txt" | awk '{v[NR]=$1} END {printf "detection after kill -9 (%d observations): median %d ms, max %d ms, min %d ms\n", NR, v[int((NR+1)/2)], v[NR], v[1]}'
}

traffic() {                 # traffic N
  local n=$1 i
  rm -f "$WORK"/lb*.log
  write_configs "$n"
  for i in $(seq 1 "$n"); do start_node "$i"; done
  for i in $(seq 1 "$n"); do wait_log "$WORK/lb$i.log" "is now up" $((n - 1)) 60; done
  log "traffic: $n nodes up; steady for ${STEADY}s"
  sleep "$STEADY"
  for i in $(seq 1 "$n"); do kill -TERM "${PIDS[$i]}"; done
  for i in $(seq 1 "$n"); do wait "${PIDS[$i]}" 2>/dev/null || true; PIDS[$i]=""; done
  cat "$WORK"/lb*.log | grep "Cluster traffic" | sed -E 's/.* ([0-9]+) bytes sent, .* in ([0-9.]+) s.*/\1 \2/' |
    awk -v n="$n" '{b += $1; r += $1 / $2} END {printf "membership traffic, %d nodes: %.0f bytes/s for the cluster, %.0f bytes/s per node (lifetime average, join included)\n", n, r, r / n}'
}

main() {
  command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
  if [ -z "${SKIP_BUILD:-}" ]; then dotnet build -c Release "$REPO/src/Appliance.Node" -nologo -v quiet >&2; fi
  [ -f "$DLL" ] || { log "$DLL not found"; exit 1; }
  echo "command: TRIALS=$TRIALS STEADY=$STEADY bench/cluster.sh"
  detection
  traffic 3
  traffic 7
}

main "$@"
