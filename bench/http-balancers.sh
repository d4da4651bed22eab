# bench/http-balancers.sh: sourced by bench/http.sh. Starts the nginx backends and each
# balancer with the same shape of configuration: round robin over the two backends, keep-alive
# to them, no logging. MODE=tls and MODE=h2 put the same certificate on every balancer's
# listener (ALPN h2,http/1.1); the backends stay plain HTTP/1.1.
# Uses from http.sh: WORK, REPO, MODE, B1, B2, STARTED_PIDS, log, die, pid_from_file,
# wait_listen, free_port, run_fg, APPLIANCED_DLL.

# ------------------------------------------------------------- certificate
make_certificate() {       # one self-signed P-256 certificate for every balancer
  TLS_DIR="$WORK/tls"
  mkdir -p "$TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj /CN=bench.test -addext subjectAltName=DNS:bench.test,IP:127.0.0.1 \
    -keyout "$TLS_DIR/key.pem" -out "$TLS_DIR/cert.pem" >"$TLS_DIR/openssl.log" 2>&1 \
    || die "openssl could not make the certificate: $(tail -3 "$TLS_DIR/openssl.log")"
  cat "$TLS_DIR/cert.pem" "$TLS_DIR/key.pem" >"$TLS_DIR/haproxy.pem"
  chmod 644 "$TLS_DIR"/*.pem   # nginx workers read them unprivileged
}

# ------------------------------------------------------------------ backends
nginx_http_common() {      # nginx_http_common DIR: the http{} lines every nginx here shares
  local dir=$1
  cat <<EOF
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_temp_path $dir/tmp-body;
  proxy_temp_path $dir/tmp-proxy;
  fastcgi_temp_path $dir/tmp-fcgi;
  uwsgi_temp_path $dir/tmp-uwsgi;
  scgi_temp_path $dir/tmp-scgi;
EOF
}

start_backend() {          # start_backend NAME PORT: one nginx, one worker
  local name=$1 port=$2 dir="$WORK/$1"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
$(nginx_http_common "$dir")
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
  bind 127.0.0.1:$port$([ "$SCHEME" = https ] && echo " ssl crt $TLS_DIR/haproxy.pem alpn h2,http/1.1")
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
$(nginx_http_common "$dir")
  upstream backends {
    server 127.0.0.1:$B1;
    server 127.0.0.1:$B2;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    $(if [ "$SCHEME" = https ]; then
        echo "listen 127.0.0.1:$port ssl http2;"
        echo "    ssl_certificate $TLS_DIR/cert.pem; ssl_certificate_key $TLS_DIR/key.pem;"
      else
        echo "listen 127.0.0.1:$port;"
      fi)
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
    if ! { run_fg dotnet build "$REPO/src/Appliance.Node" -c Release -nologo -v quiet \
           && run_fg dotnet build "$REPO/bench/proto/HttpLoopProto" -c Release -nologo -v quiet; } \
         >"$WORK/build.log" 2>&1; then
      grep -E 'error' "$WORK/build.log" | sort -u | head -5 >&2 || true
      APPLIANCED_SKIP_REASON="applianced not built: skipping (dotnet build failed)"
      return 0
    fi
  fi
  [ -f "$APPLIANCED_DLL" ] && [ -f "$PROTO_DLL" ] || APPLIANCED_SKIP_REASON="applianced or the prototype not built: skipping"
}

start_applianced() {       # start_applianced PORT [yarp]: yarp = the cluster set to YARP's forwarder
  local port=$1 variant=${2:-} dir="$WORK/applianced${2:+-$2}" forwarder=Auto
  [ "$variant" = yarp ] && forwarder=Yarp
  local admin_port
  free_port admin_port     # each variant its own admin listener (the default 9900 would clash)
  mkdir -p "$dir"
  local listener='"Protocols": "Http1"'
  [ "$SCHEME" = https ] && listener='"Protocols": "Http1AndHttp2",
      "Tls": { "Certificates": [ { "Certificate": "'"$TLS_DIR/cert.pem"'", "Key": "'"$TLS_DIR/key.pem"'" } ] }'
  cat >"$dir/config.json" <<EOF
{ "Node": { "Name": "bench" },
  "Admin": { "Address": "127.0.0.1:$admin_port" },
  "Balancing": { "Clusters": { "backends": { "Forwarder": "$forwarder" } } },
  "Listeners": [ { "Name": "web", "Address": "127.0.0.1:$port", $listener } ],
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
start_proto-loop() {       # start_proto-loop PORT: the issue-17 prototype, round robin over B1 and B2
  local port=$1 dir="$WORK/proto-loop"
  mkdir -p "$dir"
  DOTNET_gcServer=0 DOTNET_TieredPGO=1 dotnet "$PROTO_DLL" "127.0.0.1:$port" "127.0.0.1:$B1" "127.0.0.1:$B2" \
    </dev/null >"$dir/proto.log" 2>&1 &
  BAL_PID=$!
  echo "$BAL_PID" >"$dir/proto.pid"
  STARTED_PIDS+=("$BAL_PID")
}
start_applianced-yarp() { start_applianced "$1" yarp; }
start_applianced-env() { start_applianced "$1" env; }

