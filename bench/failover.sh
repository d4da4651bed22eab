#!/usr/bin/env bash
# bench/failover.sh: VIP failover time with real applianced processes in network namespaces.
#
# Topology (root only, addresses from 198.18.0.0/15 only, everything created and deleted here):
#   a bridge in namespace "<p>sw"; namespaces <p>lb1, <p>lb2 (applianced, a python backend each on
#   127.0.0.1:5001) and <p>cl (client), each joined to the bridge by a veth. VIP 198.18.1.100/24,
#   lb1 priority 200, lb2 priority 100, preempt on.
# What it measures: TRIALS times, kill -9 the VIP owner (lb1) while the client requests
#   http://198.18.1.100:8080/ every 20 ms (curl, 200 ms timeout), and take the time from the kill
#   to the first successful request; then restart lb1 and wait until it holds the VIP again.
#   Prints each trial, then median and max.
# Environment: TRIALS [20], DLL [Debug build of applianced], KEEP_LOGS=1 to keep the logs.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRIALS=${TRIALS:-20}
DLL=${DLL:-$REPO/src/Appliance.Node/bin/Debug/net10.0/applianced.dll}
P=fo$$
WORK=$(mktemp -d /tmp/bench-failover.XXXXXX)
declare -A PIDS
VIP=198.18.1.100

log() { printf '[failover %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  for n in lb1 lb2 cl sw; do ip netns del "$P$n" 2>/dev/null || true; done
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

ip netns add "${P}sw"
ip -n "${P}sw" link add br0 type bridge
ip -n "${P}sw" link set br0 up
i=10
for n in lb1 lb2 cl; do
  i=$((i + 1))
  ip netns add "$P$n"
  ip link add "$P$n" type veth peer name eth0 netns "$P$n"
  ip link set "$P$n" netns "${P}sw"
  ip -n "${P}sw" link set "$P$n" master br0 up
  ip -n "$P$n" addr add "198.18.1.$i/24" dev eth0
  ip -n "$P$n" link set eth0 up
  ip -n "$P$n" link set lo up
done

head -c 32 /dev/urandom | base64 > "$WORK/cluster.key"
for n in 1 2; do
  mkdir -p "$WORK/www$n" && echo "lb$n" > "$WORK/www$n/index.html"
  cat > "$WORK/lb$n.json" <<JSON
{
  "Node": { "Name": "lb$n" },
  "Listeners": [ { "Name": "web", "Address": "*:8080" } ],
  "Admin": { "Address": "127.0.0.1:9900" },
  "Cluster": { "BindAddress": "198.18.1.1$n:7946", "Seeds": [ "198.18.1.11:7946", "198.18.1.12:7946" ], "KeyFile": "$WORK/cluster.key" },
  "Vips": [ { "Address": "$VIP/24", "Interface": "eth0", "Priorities": { "lb1": 200, "lb2": 100 } } ],
  "ReverseProxy": { "Routes": { "all": { "ClusterId": "web", "Match": { "Path": "/{**catch-all}" } } },
    "Clusters": { "web": { "Destinations": { "b": { "Address": "http://127.0.0.1:5001/" } } } } }
}
JSON
  ip netns exec "${P}lb$n" python3 -m http.server 5001 --bind 127.0.0.1 --directory "$WORK/www$n" >/dev/null 2>&1 &
  PIDS[www$n]=$!
done

start() { ip netns exec "${P}$1" dotnet "$DLL" run --config "$WORK/$1.json" >>"$WORK/$1.log" 2>&1 & PIDS[$1]=$!; }
owner() { ip netns exec "${P}cl" curl -s -m 0.2 "http://$VIP:8080/" 2>/dev/null || true; }
wait_owner() { # $1 = expected answer, bounded by 30 s
  local deadline=$((SECONDS + 30))
  while [ $SECONDS -lt $deadline ]; do [ "$(owner)" = "$1" ] && return 0; sleep 0.1; done
  log "timed out waiting for $1 to serve the VIP"; return 1
}

start lb1; sleep 2; start lb2
wait_owner lb1
sleep 3
results=()
for t in $(seq 1 "$TRIALS"); do
  # Wait until lb2 sees lb1 Up again (VIP claimed by lb1 and the cluster settled).
  sleep 2
  t0=$(date +%s%N)
  kill -9 "${PIDS[lb1]}"
  while :; do
    [ "$(owner)" = lb2 ] && break
    [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 20000 ] && { log "trial $t: no answer within 20 s"; break; }
    sleep 0.02
  done
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  results+=("$ms")
  log "trial $t: first successful request after $ms ms"
  start lb1
  wait_owner lb1
done

printf '%s\n' "${results[@]}" | sort -n > "$WORK/results"
n=${#results[@]}
median=$(sed -n "$(( (n + 1) / 2 ))p" "$WORK/results")
max=$(tail -1 "$WORK/results")
echo "failover kill -9 -> first success over $n trials: median ${median} ms, max ${max} ms"
