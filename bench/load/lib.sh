# Shared by the load scripts (source it): start notify-sim serve and a tuned nginx on free
# loopback ports, and run wrk against one server, printing one row of figures. The caller sets
# `root`, `tmp` (a scratch directory it removes) and the array `pids` (killed on exit).

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_notify_sim BIN CONFIG: sets notify_sim_pid, notify_sim_url (the edge) and
# notify_sim_admin_url (the control API).
start_notify_sim() {
  "$1" serve --config "$2" --port 0 --admin-port 0 --ready-file "$tmp/ready.json" \
    >"$tmp/serve.log" 2>&1 &
  notify_sim_pid=$!
  pids+=("$notify_sim_pid")
  for _ in $(seq 1 200); do [ -s "$tmp/ready.json" ] && break; sleep 0.05; done
  [ -s "$tmp/ready.json" ] || { echo "notify-sim serve did not start:"; cat "$tmp/serve.log"; exit 2; }
  notify_sim_url=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["edge_url"])' \
    "$tmp/ready.json")
  notify_sim_admin_url=$(python3 -c \
    'import json,sys; print(json.load(open(sys.argv[1]))["admin_url"])' "$tmp/ready.json")
}

# start_nginx: one worker, keep-alive without a request cap, a fixed SendEmail-shaped 200 at
# every path. Sets nginx_pid (the worker, which serves) and nginx_url.
start_nginx() {
  local port
  port=$(free_port)
  mkdir -p "$tmp/nginx"
  cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
error_log $tmp/nginx/error.log;
pid $tmp/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $tmp/nginx;
  server {
    listen 127.0.0.1:$port;
    location / { return 200 '<SendEmailResponse><SendEmailResult><MessageId>x</MessageId></SendEmailResult></SendEmailResponse>'; }
  }
}
NGINX
  nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;' &
  local master=$!
  pids+=("$master")
  nginx_url="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -s -o /dev/null "$nginx_url/" && break; sleep 0.05; done
  nginx_pid=$(pgrep -P "$master" | head -1)
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mb() { awk '/^VmRSS:/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# run_wrk NAME PID URL SCRIPT: DURATION seconds of wrk -t2 -c64 after a 2 s warm-up; prints
# "NAME req/s p50 p99 cpu_us_per_request rss_mb" and keeps wrk's output in $tmp/NAME.wrk.
run_wrk() {
  local name=$1 pid=$2 url=$3 script=$4 t0 t1 n
  wrk -t2 -c64 -d2s -s "$script" "$url/" >/dev/null
  t0=$(cpu_ticks "$pid")
  wrk -t2 -c64 -d"${DURATION:-10}s" --latency -s "$script" "$url/" >"$tmp/$name.wrk"
  t1=$(cpu_ticks "$pid")
  n=$(awk '/requests in/ {print $1}' "$tmp/$name.wrk")
  if grep -q "Non-2xx" "$tmp/$name.wrk"; then
    echo "$name: $(grep Non-2xx "$tmp/$name.wrk")" >&2
  fi
  printf '%s %s %s %s %s %s\n' "$name" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$tmp/$name.wrk")" \
    "$(awk '$1 == "50%" {print $2}' "$tmp/$name.wrk")" \
    "$(awk '$1 == "99%" {print $2}' "$tmp/$name.wrk")" \
    "$(awk -v t="$((t1 - t0))" -v n="$n" -v hz="$(getconf CLK_TCK)" \
      'BEGIN {printf "%.1f", t * 1e6 / hz / n}')" \
    "$(rss_mb "$pid")"
}
