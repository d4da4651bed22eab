#!/usr/bin/env bash
# bench/replication.sh: replicated sticky sessions between real applianced processes on loopback.
#
# What it measures
#   1. Visibility latency: two nodes; node lb1 writes RATE new sessions per second for DURATION
#      seconds; node lb2's histogram appliance_replication_visibility_seconds (its merge time
#      minus lb1's clock at the write; one machine, one clock) gives p50 and p99 for that run.
#      Replication bytes per session: lb2's replication bytes received during the run / sessions
#      (digests and gauges included, heartbeats and gossip not).
#   2. Full-state sync: node lb1 alone holds N sessions; lb2 starts and pulls them. The time is
#      lb2's syncTransferMs (its request to the last chunk merged) and syncMs (from lb2's start,
#      joining included).
#   3. Memory per session: lb1's resident set (VmRSS) before and after writing N sessions, idle
#      for a few seconds each time; also lb2's after the sync.
# Sessions are written through the benchmark-only endpoint POST /api/v1/diagnostics/sessions,
# which exists only when applianced starts with APPLIANCE_DIAGNOSTICS=1 (keys bench/<run>/<n>,
# 13-15 characters, three backend names). The nodes run as shipped (server GC).
# Environment: RATES ["1000 10000"; "" for none], DURATION [5], SYNC_SIZES ["100000 1000000"],
#              SKIP_BUILD=1 to use the existing Release build, KEEP_LOGS=1.
# Only 127.0.0.1 is used; every wait is bounded; all processes are killed on exit.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RATES=${RATES-"1000 10000"}    # RATES="" skips the visibility runs (memory and sync only)
DURATION=${DURATION:-5}
SYNC_SIZES=${SYNC_SIZES:-"100000 1000000"}
DLL="$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll"
WORK=$(mktemp -d /tmp/bench-replication.XXXXXX)
declare -A PIDS
declare -a CPORT APORT

log() { printf '[replication-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 143' INT TERM    # exit (and so clean up): a bare cleanup trap let `timeout` end nothing

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

write_configs() {           # two nodes sharing one key and seed list
  local i
  head -c 32 /dev/urandom | base64 > "$WORK/key"
  for i in 1 2; do CPORT[$i]=$(free_port); APORT[$i]=$(free_port); done
  for i in 1 2; do
    cat > "$WORK/lb$i.json" <<JSON
{ "Node": { "Name": "lb$i" },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:$(free_port)" } ],
  "Admin": { "Address": "127.0.0.1:${APORT[$i]}" },
  "Cluster": { "BindAddress": "127.0.0.1:${CPORT[$i]}", "Seeds": [ "127.0.0.1:${CPORT[1]}", "127.0.0.1:${CPORT[2]}" ], "KeyFile": "$WORK/key" },
  "ReverseProxy": { "Routes": { "r": { "ClusterId": "c", "Match": { "Path": "/{**x}" } } },
    "Clusters": { "c": { "Destinations": { "d": { "Address": "http://127.0.0.1:9/" } } } } } }
JSON
  done
}

start_node() { APPLIANCE_DIAGNOSTICS=1 dotnet "$DLL" run --config "$WORK/lb$1.json" >> "$WORK/lb$1.log" 2>&1 & PIDS[$1]=$!; }
stop_nodes() { local i; for i in 1 2; do [ -n "${PIDS[$i]:-}" ] && kill -9 "${PIDS[$i]}" 2>/dev/null || true; PIDS[$i]=""; done; }
api() { curl -sf --max-time 5 "http://127.0.0.1:${APORT[$1]}$2"; }
field() { api "$1" /api/v1/cluster/replication | python3 -c "import json,sys; v=json.load(sys.stdin)['$2']; print('' if v is None else v)"; }
rss_mb() { awk '/VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/${PIDS[$1]}/status"; }
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/${PIDS[$1]}/stat"; }   # user+system CPU seconds so far
calc() { python3 -c "print(f'{$1:.${2:-0}f}')"; }

wait_for() {                # wait_for SECONDS DESCRIPTION COMMAND...: until the command succeeds
  local deadline=$(( $(date +%s) + $1 )) what=$2; shift 2
  until "$@" 2>/dev/null; do
    [ "$(date +%s)" -ge "$deadline" ] && { log "timeout waiting for $what"; tail -n 5 "$WORK"/lb*.log >&2; return 1; }
    sleep 0.1
  done
}
both_synced() { synced 1 && synced 2; }
synced() { case "$(field "$1" sync)" in synced|alone) return 0 ;; *) return 1 ;; esac; }
sessions_at_least() { [ "$(field "$1" sessions)" -ge "$2" ]; }
inject() { curl -sf --max-time 5 -X POST "http://127.0.0.1:${APORT[$1]}/api/v1/diagnostics/sessions?count=$2&rate=$3" >/dev/null; }
visibility() { api "$1" /metrics | grep '^appliance_replication_visibility_seconds_bucket' > "$2"; }

# Percentiles from the difference of two cumulative histogram dumps (upper bound of the bucket, ms).
percentiles() {
  python3 - "$1" "$2" <<'PY'
import re, sys
def read(path):
    out = {}
    for line in open(path):
        m = re.search(r'le="([^"]+)"\} (\d+)', line)
        out[m.group(1)] = int(m.group(2))
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
les = sorted(b, key=lambda k: float('inf') if k == '+Inf' else float(k))
counts = [(le, b[le] - a.get(le, 0)) for le in les]
total = counts[-1][1]
def pct(p):
    for le, c in counts:
        if c >= p * total:
            return '>5000' if le == '+Inf' else f'{float(le) * 1000:g}'
print(f"{total} {pct(0.5)} {pct(0.99)}")
PY
}

visibility_runs() {
  log "visibility: 2 nodes"
  write_configs
  start_node 1; start_node 2
  wait_for 60 "both nodes synced" both_synced
  local rate count before after s0 b0 b1 result
  for rate in $RATES; do
    count=$(( rate * DURATION ))
    s0=$(field 2 sessions); b0=$(field 2 bytesReceived)
    visibility 2 "$WORK/h0"
    inject 1 "$count" "$rate"
    wait_for $(( DURATION + 60 )) "$count sessions on lb2" sessions_at_least 2 $(( s0 + count ))
    sleep 1
    visibility 2 "$WORK/h1"; b1=$(field 2 bytesReceived)
    read -r seen p50 p99 <<< "$(percentiles "$WORK/h0" "$WORK/h1")"
    printf 'visibility at %6d sessions/s for %ds: %d writes seen on lb2, p50 <= %s ms, p99 <= %s ms; %.0f replication bytes per session; load %s\n' \
      "$rate" "$DURATION" "$seen" "$p50" "$p99" "$(calc "($b1 - $b0) / $count")" "$(cut -d' ' -f1-3 /proc/loadavg)"
  done
  stop_nodes
}

sync_run() {                # sync_run N
  local n=$1 rss0 rss1 rss2 c0 c1 c2 d2 started
  rm -f "$WORK"/lb*.log
  write_configs
  start_node 1
  wait_for 60 "lb1 alone" synced 1
  sleep 3; rss0=$(rss_mb 1); c0=$(cpu_s 1); started=$(date +%s)
  inject 1 "$n" 0
  wait_for 1800 "$n sessions on lb1" sessions_at_least 1 $n
  printf 'writing %d sessions into lb1: %d s, %s CPU seconds; load %s\n' "$n" $(( $(date +%s) - started )) "$(calc "$(cpu_s 1) - $c0" 1)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  sleep 5; rss1=$(rss_mb 1); c1=$(cpu_s 1)
  start_node 2
  wait_for 1800 "lb2 synced" synced 2
  c2=$(cpu_s 1); d2=$(cpu_s 2)
  [ "$(field 2 sync)" = synced ] || log "lb2 did not pull from lb1 (status $(field 2 sync)): the figures below are not a sync"
  sleep 3; rss2=$(rss_mb 2)
  printf 'full sync of %d sessions: transfer %s ms (request to last chunk), %s ms from lb2 start, %s sessions on lb2; CPU seconds: lb1 %s sending, lb2 %s from its start; load %s\n' \
    "$n" "$(field 2 syncTransferMs)" "$(field 2 syncMs)" "$(field 2 sessions)" "$(calc "$c2 - $c1" 1)" "$d2" "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf 'memory with %d sessions: lb1 RSS %s MB (%s MB before: %s bytes per session), lb2 RSS after the sync %s MB\n' \
    "$n" "$rss1" "$rss0" "$(calc "($rss1 - $rss0) * 1048576 / $n")" "$rss2"
  stop_nodes
}

main() {
  for tool in python3 curl; do command -v "$tool" >/dev/null || { log "$tool is needed"; exit 1; }; done
  if [ -z "${SKIP_BUILD:-}" ]; then dotnet build -c Release "$REPO/src/Appliance.Node" -nologo -v quiet >&2; fi
  [ -f "$DLL" ] || { log "$DLL not found"; exit 1; }
  echo "command: RATES=\"$RATES\" DURATION=$DURATION SYNC_SIZES=\"$SYNC_SIZES\" bench/replication.sh"
  [ -z "$RATES" ] || visibility_runs
  for n in $SYNC_SIZES; do sync_run "$n"; done
}

main "$@"
