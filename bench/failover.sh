#!/usr/bin/env bash
# bench/failover.sh: VIP failover time in network namespaces, applianced beside keepalived.
#
# Topology (root only, addresses from 198.18.0.0/15 only, everything created and deleted here):
#   a bridge in namespace "<p>sw"; namespaces <p>lb1, <p>lb2 and <p>cl (client), each joined to
#   the bridge by a veth. VIP 198.18.1.100/24, lb1 priority 200, lb2 priority 100, preempt on.
# Modes (MODES, default "applianced keepalived"):
#   applianced  each lb runs applianced (cluster + VIP + proxy on :8080) in front of a python
#               backend on its own 127.0.0.1:5001 that answers with the lb's name.
#   keepalived  each lb runs keepalived with its default timers (advert_int 1 s, so master down
#               after 3 x 1 s + skew) and a python server on *:8080 that answers with the lb's name.
# What it measures: TRIALS times, "kill the owner" while the client requests
#   http://198.18.1.100:8080/ every 20 ms (curl, 200 ms timeout), and take the time from the kill
#   to the first successful request from lb2; then restart lb1 and wait until it serves the VIP
#   again. Killing the owner is kill -9 of applianced (it is the proxy too), and for keepalived
#   kill -9 of keepalived and of the :8080 server (the node is gone in both cases; the address
#   stays on its dead interface, as with a crashed process).
#   Prints each trial, then median and max per mode, and the load average.
# KILL=process (default): the owner's processes die, its host stays up (so its kernel refuses
#   connections to the dead ports). KILL=host: its switch port also goes down first, as when the
#   whole machine or its link fails: nothing answers at all, only failure detection can tell.
# Environment: TRIALS [20], MODES, KILL, DLL [Release build of applianced], CLUSTER_JSON (extra keys for
#   the Cluster section, e.g. '"PhiThreshold": 8'), KEEP_LOGS=1 to keep the logs.
set -euo pipefail

[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 2; }
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TRIALS=${TRIALS:-20}
MODES=${MODES:-applianced keepalived}
DLL=${DLL:-$REPO/src/Appliance.Node/bin/Release/net10.0/applianced.dll}
CLUSTER_JSON=${CLUSTER_JSON:-}
KILL=${KILL:-process}
P=fo$$
WORK=$(mktemp -d /tmp/bench-failover.XXXXXX)
declare -A PIDS
VIP=198.18.1.100

log() { printf '[failover %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
stop_all() {
  for k in "${!PIDS[@]}"; do [ -n "${PIDS[$k]}" ] && kill -9 "${PIDS[$k]}" 2>/dev/null || true; unset "PIDS[$k]"; done
  sleep 0.2
}
cleanup() {
  stop_all
  for n in lb1 lb2 cl sw; do ip netns del "$P$n" 2>/dev/null || true; done
  [ -n "${KEEP_LOGS:-}" ] && log "logs kept in $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for tool in curl python3; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
case " $MODES " in *" keepalived "*) command -v keepalived >/dev/null || { echo "needs keepalived (apt-get install keepalived)" >&2; exit 2; };; esac

ip netns add "${P}sw"
ip -n "${P}sw" link add br0 type bridge
ip -n "${P}sw" link set br0 up
i=10
for n in lb1 lb2 cl; do
  i=$((i + 1))
  ip netns add "$P$n"
  ip -n "${P}sw" link add "$n" type veth peer name eth0 netns "$P$n"
  ip -n "${P}sw" link set "$n" master br0 up
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
  "Cluster": { "BindAddress": "198.18.1.1$n:7946", "Seeds": [ "198.18.1.11:7946", "198.18.1.12:7946" ], "KeyFile": "$WORK/cluster.key"${CLUSTER_JSON:+, $CLUSTER_JSON} },
  "Vips": [ { "Address": "$VIP/24", "Interface": "eth0", "Priorities": { "lb1": 200, "lb2": 100 } } ],
  "ReverseProxy": { "Routes": { "all": { "ClusterId": "web", "Match": { "Path": "/{**catch-all}" } } },
    "Clusters": { "web": { "Destinations": { "b": { "Address": "http://127.0.0.1:5001/" } } } } }
}
JSON
  # keepalived with its defaults: only what a VRRP instance must name is set.
  cat > "$WORK/ka$n.conf" <<CONF
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority $([ $n = 1 ] && echo 200 || echo 100)
  virtual_ipaddress {
    $VIP/24
  }
}
CONF
done

www() { # $1 = lb1|lb2, $2 = bind address, $3 = port
  ip netns exec "${P}$1" python3 -m http.server "$3" --bind "$2" --directory "$WORK/www${1#lb}" >/dev/null 2>&1 & PIDS[www$1]=$!
}
start() { # $1 = lb1|lb2
  case $MODE in
    applianced)
      ip netns exec "${P}$1" dotnet "$DLL" run --config "$WORK/$1.json" >>"$WORK/$MODE-$1.log" 2>&1 & PIDS[$1]=$! ;;
    keepalived)
      www "$1" 0.0.0.0 8080
      ip netns exec "${P}$1" keepalived -n -l -D -P -f "$WORK/ka${1#lb}.conf" -p "$WORK/$1.pid" -r "$WORK/$1-vrrp.pid" \
        >>"$WORK/$MODE-$1.log" 2>&1 & PIDS[$1]=$! ;;
  esac
}
kill_owner() { # the node is gone: its VIP handler and whatever served :8080
  [ "$KILL" = host ] && ip -n "${P}sw" link set lb1 down
  if [ "$MODE" = keepalived ]; then
    # keepalived runs VRRP in a child process that stops gracefully (sending priority 0, a
    # handover, not a crash) when its parent dies: kill -9 the child first.
    kill -9 "$(cat "$WORK/lb1-vrrp.pid")" 2>/dev/null || true
    kill -9 "${PIDS[wwwlb1]}" 2>/dev/null || true
  fi
  kill -9 "${PIDS[lb1]}" 2>/dev/null || true
  rm -f "$WORK/lb1.pid" "$WORK/lb1-vrrp.pid"
}
owner() { ip netns exec "${P}cl" curl -s -m 0.2 "http://$VIP:8080/" 2>/dev/null || true; }
wait_owner() { # $1 = expected answer, bounded by 60 s
  local deadline=$((SECONDS + 60))
  while [ $SECONDS -lt $deadline ]; do [ "$(owner)" = "$1" ] && return 0; sleep 0.1; done
  log "timed out waiting for $1 to serve the VIP"; return 1
}

summary=()
for MODE in $MODES; do
  stop_all
  for n in lb1 lb2; do ip -n "$P$n" addr del "$VIP/24" dev eth0 2>/dev/null || true; done
  if [ "$MODE" = applianced ]; then www lb1 127.0.0.1 5001; www lb2 127.0.0.1 5001; fi
  start lb1; sleep 2; start lb2
  wait_owner lb1
  sleep 3
  results=()
  for t in $(seq 1 "$TRIALS"); do
    sleep 2 # let lb2 see lb1 settled (and, for keepalived, lb1's adverts) before the next kill
    t0=$(date +%s%N)
    kill_owner
    while :; do
      [ "$(owner)" = lb2 ] && break
      [ $(( ($(date +%s%N) - t0) / 1000000 )) -gt 20000 ] && { log "$MODE trial $t: no answer within 20 s"; break; }
      sleep 0.02
    done
    ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    results+=("$ms")
    log "$MODE trial $t: first successful request after $ms ms (load $(cut -d' ' -f1-3 /proc/loadavg))"
    [ "$KILL" = host ] && ip -n "${P}sw" link set lb1 up
    start lb1
    wait_owner lb1
  done
  printf '%s\n' "${results[@]}" | sort -n > "$WORK/results-$MODE"
  n=${#results[@]}
  median=$(sed -n "$(( (n + 1) / 2 ))p" "$WORK/results-$MODE")
  max=$(tail -1 "$WORK/results-$MODE")
  summary+=("$MODE (KILL=$KILL): kill -> first success over $n trials: median ${median} ms, max ${max} ms")
done

printf '%s\n' "${summary[@]}"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
