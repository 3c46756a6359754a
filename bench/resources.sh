#!/usr/bin/env bash
# Resource sampling cost (#20): an idle `ttsmon watch` on an empty log, sampling the host, four
# `--process` selections (pid, name, :port, one that is gone) and a stand-in nvidia-smi, against
# the same watch with nothing but the host. Prints each one's CPU share over SECONDS (from
# /proc/PID/stat; the stand-in's own runs counted in, they are children) — the whole process,
# so an upper bound on the sampling's share.   Usage: bench/resources.sh [SECONDS]  (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
swift build -c release --product ttsmon >/dev/null
bin=$PWD/.build/release/ttsmon
out=bench/out/resources
rm -rf "$out"; mkdir -p "$out/bin"
printf '#!/bin/sh\necho "0, 97, 15235, 16384"\necho "1, 12, 401, 16384"\n' > "$out/bin/nvidia-smi"
chmod +x "$out/bin/nvidia-smi"
: > "$out/app.log"
python3 - "$bin" "$out" "$seconds" <<'PY'
import os, socket, subprocess, sys, time
bin, out, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
hz = os.sysconf("SC_CLK_TCK")
sleeper = subprocess.Popen([sys.executable, "-c", "import time  # bench-resources-sleeper\ntime.sleep(600)"])
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
port = listener.getsockname()[1]
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in f[11:15]) / hz   # utime stime cutime cstime
def run(extra, env):
    p = subprocess.Popen([bin, "watch", "--log", f"{out}/app.log", "--interval", "5"] + extra,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(3)   # started, first GPU query done
    c0, t0 = cpu(p.pid), time.time()
    time.sleep(seconds)
    c1, t1 = cpu(p.pid), time.time()
    p.terminate(); p.wait()
    return (c1 - c0) / (t1 - t0) * 100
plain_env = dict(os.environ, PATH="/usr/bin:/bin")
gpu_env = dict(os.environ, PATH=f"{out}/bin:/usr/bin:/bin")
base = run([], plain_env)
full = run(["--process", str(sleeper.pid), "--process", "bench-resources-sleeper", "--process", f":{port}",
            "--process", "999999"], gpu_env)
sleeper.kill()
print(f"idle watch, host only          : {base:.2f}% of a core over {seconds} s")
print(f"idle watch, host + 4 processes + nvidia-smi every 5 s: {full:.2f}% of a core   (sampling must be < 0.5%)")
print(f"  difference (the processes and GPUs): {full - base:.2f}% of a core")
PY
