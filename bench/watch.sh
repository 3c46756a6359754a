#!/usr/bin/env bash
# Live-follow benchmark: a writer appends IndexTTS lines at RATE lines/s for SECONDS while
# `ttsmon watch` follows the file; prints lines/s kept up with (written vs counted, and whether
# the lag grew) and the CPU share of `watch` (from /proc/PID/stat), then its CPU while idle.
# Usage: bench/watch.sh [RATE] [SECONDS]   (defaults 100000 30)
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-100000}
seconds=${2:-30}
swift build -c release --product ttsmon >/dev/null
bin=$PWD/.build/release/ttsmon
out=bench/out/watch
rm -rf "$out"; mkdir -p "$out"
# Source lines: a generated log, replayed in a loop by the writer.
$bin gen --out "$out/src" --requests 20000 --no-hostile >/dev/null
python3 - "$bin" "$out" "$rate" "$seconds" <<'PY'
import json, os, subprocess, sys, time
bin, out, rate, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
lines = open(f"{out}/src/app.log", "rb").read().split(b"\n")[:-1]
complete = [b"synthesis_complete:" in l for l in lines]
log = f"{out}/app.log"
open(log, "wb").close()
watch = subprocess.Popen([bin, "watch", "--log", log, "--interval", "1", "--window", "1m"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
hz = os.sysconf("SC_CLK_TCK")
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / hz
last_total = [0]
def reader():
    for line in watch.stdout:
        try: last_total[0] = json.loads(line)["requests"]["total"]
        except Exception: pass
import threading
threading.Thread(target=reader, daemon=True).start()
time.sleep(1)
w = open(log, "ab", buffering=0)
written = requests = 0
i = 0
batch = max(1, rate // 100)
start = time.time(); cpu0 = cpu(watch.pid)
lags = []
while time.time() - start < seconds:
    chunk = []
    for _ in range(batch):
        chunk.append(lines[i]); requests += complete[i]; i = (i + 1) % len(lines)
    w.write(b"\n".join(chunk) + b"\n"); written += batch
    target = start + written / rate
    delay = target - time.time()
    if delay > 0: time.sleep(delay)
    if written % rate < batch: lags.append(requests - last_total[0])
elapsed = time.time() - start
busy = cpu(watch.pid) - cpu0
deadline = time.time() + 10
while last_total[0] < requests and time.time() < deadline: time.sleep(0.1)
caught = time.time()
idle0 = cpu(watch.pid); time.sleep(10); idle = cpu(watch.pid) - idle0
watch.terminate(); watch.wait()
print(f"writer: {written} lines in {elapsed:.1f} s = {written/elapsed:,.0f} lines/s ({requests} requests)")
print(f"watch counted {last_total[0]} requests ({'all' if last_total[0] == requests else 'MISSING ' + str(requests - last_total[0])})")
print(f"backlog (requests written but not yet counted) sampled each second: first {lags[:3]}, last {lags[-3:]}")
print(f"watch CPU while following: {busy/elapsed*100:.1f}% of one core (must be < 25%)")
print(f"watch CPU while idle (10 s): {idle/10*100:.2f}% of one core (must be < 1%)")
PY
