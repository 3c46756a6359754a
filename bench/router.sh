#!/usr/bin/env bash
# ttsmon router benchmark: the same fast upstream (nginx-light answering POST /tts with a WAV)
# reached directly, through HAProxy (main plus a `backup` server) and through `ttsmon router`,
# each driven by wrk in the same run; prints throughput, p50/p99 latency and peak RSS, then the
# router's RSS under 1,000 concurrent connections.
# Needs Debian's wrk, haproxy and nginx-light (apt-get install wrk haproxy nginx-light).
# Usage: bench/router.sh [SECONDS] [CONNECTIONS]   (default 10 s, 64 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
for tool in wrk haproxy nginx; do
  command -v $tool >/dev/null || { echo "bench/router.sh: $tool is not installed (apt-get install wrk haproxy nginx-light)" >&2; exit 1; }
done
swift build -c release --product ttsmon >/dev/null
bin=$PWD/.build/release/ttsmon
out=$PWD/bench/out/router
rm -rf "$out"; mkdir -p "$out/www"
# A 0.5 s 16 kHz mono WAV (16 KB): what a short synthesis returns.
python3 - "$out/www/tone.wav" <<'PY'
import math, struct, sys
rate, n = 16000, 8000
data = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(n))
hdr = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16) + b"data" + struct.pack("<I", len(data))
open(sys.argv[1], "wb").write(hdr + data)
PY
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
up1=$(free_port); up2=$(free_port); hap=$(free_port); rtr=$(free_port)
cat > "$out/nginx.conf" <<CONF
worker_processes 1;
pid $out/nginx.pid;
error_log $out/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $out/tmp;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$up1; listen 127.0.0.1:$up2;
    location = /health { default_type application/json; return 200 '{"status":"ok","model_loaded":true}'; }
    # nginx serves no static file to a POST (405): answer that as 200 with the file.
    location = /tts { alias $out/www/tone.wav; default_type audio/wav; error_page 405 =200 \$uri; }
  }
}
CONF
mkdir -p "$out/tmp"
nginx -c "$out/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
cat > "$out/haproxy.cfg" <<CONF
global
  maxconn 4096
defaults
  mode http
  timeout connect 3s
  timeout client 30s
  timeout server 30s
  option http-keep-alive
frontend tts
  bind 127.0.0.1:$hap
  default_backend fleet
backend fleet
  option httpchk GET /health
  server main 127.0.0.1:$up1 check inter 5s
  server standby 127.0.0.1:$up2 check inter 5s backup
CONF
haproxy -f "$out/haproxy.cfg" -db >/dev/null 2>&1 &
haproxy_pid=$!
"$bin" router --listen 127.0.0.1:$rtr --log "$out/router.log" main=http://127.0.0.1:$up1 standby=http://127.0.0.1:$up2 2>/dev/null &
router_pid=$!
trap 'kill $nginx_pid $haproxy_pid $router_pid 2>/dev/null || true' EXIT
for port in $up1 $hap $rtr; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null && break; python3 -c 'import time; time.sleep(0.1)'; done
done
cat > "$out/post.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"text": "今天天气真好", "voice": "female"}'
wrk.headers["Content-Type"] = "application/json"
LUA
run() { wrk -t2 -c"$2" -d"${seconds}s" --latency -s "$out/post.lua" "http://127.0.0.1:$1/tts" 2>&1; }
hwm() { awk '/VmHWM/ {print int($2/1024)}' /proc/$1/status; }
direct=$(run $up1 $connections)
haproxy=$(run $hap $connections)
router=$(run $rtr $connections)
haproxy_rss=$(hwm $haproxy_pid); router_rss=$(hwm $router_pid)
many=$(run $rtr 1000)
router_many_rss=$(hwm $router_pid)
python3 - "$direct" "$haproxy" "$router" "$many" "$haproxy_rss" "$router_rss" "$router_many_rss" "$connections" "$seconds" <<'PY'
import re, sys
def parse(text):
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    def lat(p):
        m = re.search(r"\s%s%%\s+([\d.]+)(us|ms|s)\b" % p, text)
        v, u = float(m.group(1)), m.group(2)
        return v / 1000 if u == "us" else v * 1000 if u == "s" else v
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: (.*)", text)
    return rps, lat(50), lat(99), int(errors.group(1)) if errors else 0, sock.group(1) if sock else "none"
d, h, r, m = (parse(t) for t in sys.argv[1:5])
hrss, rrss, mrss, conns, secs = sys.argv[5], sys.argv[6], sys.argv[7], sys.argv[8], sys.argv[9]
print(f"POST /tts (16 KB WAV) from nginx-light, wrk -t2 -c{conns} -d{secs}s, one run on this machine")
for name, (rps, p50, p99, bad, sock) in (("direct to nginx", d), ("through HAProxy", h), ("through ttsmon router", r)):
    print(f"  {name:22s}: {rps:9.0f} req/s  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  non-2xx {bad}  socket errors {sock}")
print(f"  router / HAProxy throughput  : {r[0]/h[0]:.2f}x   (aim >= 0.5x; below 0.3x is not done)")
print(f"  router p99 added over direct : {r[2]-d[2]:.2f} ms   (aim <= 1 ms; HAProxy adds {h[2]-d[2]:.2f} ms)")
print(f"  peak RSS: HAProxy {hrss} MB, router {rrss} MB")
print(f"  router at 1000 connections   : {m[0]:.0f} req/s, p99 {m[2]:.1f} ms, peak RSS {mrss} MB   (aim <= 64 MB)")
PY
