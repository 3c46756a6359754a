#!/usr/bin/env bash
# Dashboard benchmark: full-frame render time at 150×45 from a fixed state, CPU of an idle
# dashboard (tmux, 10 s), frames per second while a writer appends 100 k lines/s (with the
# 24 h window on), and the time
# to the first correct frame on a large log (BIG_MB, default 2000: the last minutes' figures,
# checked against `report --from -5m`, not the top of the file's).
# Usage: bench/dashboard.sh [RATE] [SECONDS]   (defaults 100000 15)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-100000}
seconds=${2:-15}
swift build -c release --product ttsmon >/dev/null 2>&1
bin=$PWD/.build/release/ttsmon
out=$PWD/bench/out/dashboard
rm -rf "$out"; mkdir -p "$out"
$bin bench-render --frames 2000
$bin gen --out "$out/src" --requests 20000 --no-hostile >/dev/null
cp "$out/src/app.log" "$out/app.log"
sock=ttsmon-bench-$$
# The 24 h window on: its minute-by-minute figures are computed at every refresh.
tmux -L $sock new-session -d -x 150 -y 45 "TTSMON_FRAME_STATS=$out/frames $bin dashboard --window 24h --log $out/app.log"
sleep 3
pid=$(python3 -c '
import os, sys
for p in os.listdir("/proc"):
    try: a = open(f"/proc/{p}/cmdline", "rb").read().split(b"\0")
    except Exception: continue
    if len(a) > 1 and a[0].decode() == sys.argv[1] and a[1] == b"dashboard": print(p); break
' "$bin")
python3 - "$pid" "$out" "$rate" "$seconds" "$sock" <<'PY'
import os, subprocess, sys, time
pid, out, rate, seconds, sock = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
hz = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
c0 = cpu(); time.sleep(10); idle = (cpu() - c0) / 10
print(f"idle dashboard CPU: {idle*100:.2f}% of one core (must be < 1%)")
lines = open(f"{out}/src/app.log", "rb").read().split(b"\n")[:-1]
w = open(f"{out}/app.log", "ab", buffering=0)
batch = rate // 100; i = 0; written = 0
def frames(): return int(open(f"{out}/frames").read().split()[0])
f0 = frames(); c0 = cpu(); start = time.time()
while time.time() - start < seconds:
    chunk = []
    for _ in range(batch):
        chunk.append(lines[i]); i = (i + 1) % len(lines)
    w.write(b"\n".join(chunk) + b"\n"); written += batch
    d = start + written / rate - time.time()
    if d > 0: time.sleep(d)
elapsed = time.time() - start
time.sleep(1.1)
busy = (cpu() - c0) / elapsed
fps = (frames() - f0) / (elapsed + 1.1)
print(f"writer: {written/elapsed:,.0f} lines/s for {elapsed:.0f} s; dashboard CPU {busy*100:.1f}% of one core, {fps:.1f} frames/s (must be >= 4)")
subprocess.run(["tmux", "-L", sock, "send-keys", "q"])
PY
tmux -L $sock kill-server 2>/dev/null || true

# Time to the first correct frame on a large log (generated once, kept in bench/out/big).
big_mb=${BIG_MB:-2000}
big=$PWD/bench/out/big
if [ "$(cat "$big/mb" 2>/dev/null)" != "$big_mb" ]; then
  rm -rf "$big"
  echo "generating a ${big_mb} MB log..." >&2
  $bin gen --out "$big" --requests $((big_mb * 1000)) --incident --no-hostile --seed 7 >/dev/null
  echo "$big_mb" > "$big/mb"
fi
expected=$($bin report --format json --from -5m "$big/app.log" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"]["total"])')
tmux -L $sock kill-server 2>/dev/null || true
python3 - "$bin" "$big/app.log" "$expected" "$sock" <<'PY'
import os, re, subprocess, sys, time
bin, log, expected, sock = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
size = os.path.getsize(log) / 1e6
start = time.time()
subprocess.run(["tmux", "-L", sock, "new-session", "-d", "-x", "150", "-y", "45", f"{bin} dashboard --window 5m --log {log}"], check=True)
shown = None
while time.time() - start < 120:
    screen = subprocess.run(["tmux", "-L", sock, "capture-pane", "-p"], capture_output=True, text=True).stdout
    header = screen.split("\n", 1)[0]
    m = re.search(r"([\d,]+) req in 5m", screen)
    if m and "reading" not in header:
        shown = int(m.group(1).replace(",", "")); break
    time.sleep(0.02)
elapsed = time.time() - start
subprocess.run(["tmux", "-L", sock, "send-keys", "q"])
print(f"first correct frame on a {size:.0f} MB log: {elapsed:.2f} s (aim <= 1 s); 5m shows {shown} requests, report --from -5m {expected}")
PY
tmux -L $sock kill-server 2>/dev/null || true
