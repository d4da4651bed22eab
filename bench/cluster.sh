#!/usr/bin/env bash
# bench/cluster.sh: membership benchmarks on loopback with real applianced processes.
#
# What it measures
#   1. Failure detection: three nodes; TRIALS times, kill -9 one node and take the time from the
#      kill to the "unreachable" log line on each survivor (log timestamps, UTC ms). Then the
#      killed node is restarted and must be up everywhere again before the next trial.
#      Prints median and max over all observations (TRIALS x 2 survivors).
#   2. Membership traffic: for 3 and for 7 nodes, let the cluster settle (SETTLE seconds after
#      every node has every other up), then read the kernel's per-socket TCP counters (`ss -tinH`:
#      bytes_sent, bytes_received) of every socket whose local or peer port is a cluster port, at
#      the start and at the end of a STEADY-second window. Both ends of each loopback connection are
#      such sockets, so the sum of bytes_sent over them is every byte the cluster put on the wire
#      (TCP payload: TLS records, headers of Akka's frames; no IP/TCP headers); bytes_received is
#      printed beside it as a check. A socket opened within the window counts from 0; one closed
#      within it is lost, so the script also prints how many sockets appeared and disappeared.
#      No log line is needed (the Akka layer logs none for traffic).
# Environment: TRIALS [20], STEADY [30], SETTLE [5], SKIP_BUILD=1 to use the existing Release build.
# Only 127.0.0.1 is used; every wait is bounded; all processes are killed on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRIALS=${TRIALS:-20}
STEADY=${STEADY:-30}
SETTLE=${SETTLE:-5}
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

# sample_sockets FILE: one line "local peer bytes_sent bytes_received" per TCP socket whose local or
# peer port is one of CPORT[1..n] (both ends of every loopback cluster connection).
sample_sockets() {
  ss -tinH | python3 -c '
import re, sys
ports = set(sys.argv[1].split(","))
head = None
for line in sys.stdin:
    if not line[0].isspace():
        f = line.split()
        head = (f[3], f[4]) if len(f) >= 5 else None
        continue
    if head is None:
        continue
    local, peer = head
    head = None
    if local.rsplit(":", 1)[1] not in ports and peer.rsplit(":", 1)[1] not in ports:
        continue
    sent = re.search(r"\bbytes_sent:(\d+)", line)
    recv = re.search(r"\bbytes_received:(\d+)", line)
    print(local, peer, sent.group(1) if sent else 0, recv.group(1) if recv else 0)
' "$(IFS=,; echo "${CPORT[*]:1}")" > "$1"
}

traffic() {                 # traffic N
  local n=$1 i t0 t1
  rm -f "$WORK"/lb*.log
  CPORT=()
  write_configs "$n"
  for i in $(seq 1 "$n"); do start_node "$i"; done
  for i in $(seq 1 "$n"); do wait_log "$WORK/lb$i.log" "is now up" $((n - 1)) 90; done
  log "traffic: $n nodes up; settling ${SETTLE}s, then measuring for ${STEADY}s"
  sleep "$SETTLE"
  t0=$(date +%s.%N); sample_sockets "$WORK/ss0"
  sleep "$STEADY"
  t1=$(date +%s.%N); sample_sockets "$WORK/ss1"
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  # every node must still be running and still see the others up (no churn inside the window)
  for i in $(seq 1 "$n"); do kill -0 "${PIDS[$i]}" 2>/dev/null || { log "lb$i died during the window"; return 1; }; done
  local churn; churn=$(cat "$WORK"/lb*.log | grep -c -E "is unreachable|was removed|incarnation .* ended" || true)
  for i in $(seq 1 "$n"); do kill -9 "${PIDS[$i]}" 2>/dev/null || true; wait "${PIDS[$i]}" 2>/dev/null || true; PIDS[$i]=""; done
  python3 - "$WORK/ss0" "$WORK/ss1" "$t0" "$t1" "$n" "$load" "$churn" <<'PY'
import sys
def read(path):
    out = {}
    for line in open(path):
        local, peer, sent, recv = line.split()
        out[(local, peer)] = (int(sent), int(recv))
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
secs, n = float(sys.argv[4]) - float(sys.argv[3]), int(sys.argv[5])
sent = sum(v[0] - a.get(k, (0, 0))[0] for k, v in b.items())
recv = sum(v[1] - a.get(k, (0, 0))[1] for k, v in b.items())
new, gone = len(set(b) - set(a)), len(set(a) - set(b))
print(f"membership traffic, {n} nodes: {sent / secs:.0f} bytes/s for the cluster, {sent / secs / n:.0f} bytes/s per node "
      f"(kernel TCP counters over {secs:.1f} s of steady state, {len(b)} sockets; received {recv / secs:.0f} bytes/s; "
      f"sockets opened in the window {new}, closed {gone}; unreachable/removed/ended lines in the logs {sys.argv[7]}; load {sys.argv[6]})")
PY
}

main() {
  command -v python3 >/dev/null || { log "python3 is needed"; exit 1; }
  if [ -z "${SKIP_BUILD:-}" ]; then dotnet build -c Release "$REPO/src/Appliance.Node" -nologo -v quiet >&2; fi
  [ -f "$DLL" ] || { log "$DLL not found"; exit 1; }
  echo "command: TRIALS=$TRIALS STEADY=$STEADY SETTLE=$SETTLE bench/cluster.sh; load $(cut -d' ' -f1-3 /proc/loadavg)"
  detection
  traffic 3
  traffic 7
}

main "$@"
