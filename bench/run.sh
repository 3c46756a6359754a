#!/usr/bin/env bash
# ttsmon benchmark: builds release, generates a ~300 MB IndexTTS log with `ttsmon gen`, and
# prints ratios against baselines run on the same files in the same run:
#   report  vs  the seed's pipeline  zcat -f | grep -a -F synthesis_complete: | awk | sort -n
#   trace   vs  zgrep -h ID  over the same rotated set (id in the oldest of 4 .gz files)
# Usage: bench/run.sh [REQUESTS]   (default 300000 ≈ 300 MB; data goes to bench/out/, ignored by git)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-300000}
repeats=${REPEATS:-3}
out=bench/out
swift build -c release --product ttsmon >/dev/null
bin=.build/release/ttsmon
mkdir -p "$out"
if [ ! -f "$out/plain/app.log" ] || [ "$(cat "$out/requests" 2>/dev/null)" != "$requests" ]; then
  rm -rf "$out/plain" "$out/rotated"
  echo "generating $requests requests (plain, and rotated into 4 .gz files)..." >&2
  $bin gen --out "$out/plain" --requests "$requests" --incident --seed 11 >/dev/null
  $bin gen --out "$out/rotated" --requests "$requests" --incident --seed 11 --rotate 4 >/dev/null
  echo "$requests" > "$out/requests"
fi
plain="$out/plain/app.log"
size=$(stat -c %s "$plain")
files="$out/rotated/app.log.4.gz $out/rotated/app.log.3.gz $out/rotated/app.log.2.gz $out/rotated/app.log.1.gz $out/rotated/app.log"
set +o pipefail
id=$(zcat "$out/rotated/app.log.4.gz" | head -20000 | grep -a -o 'synthesis_complete: id=[A-Za-z0-9_.:-]*' | sed -n '1000p' | cut -d= -f2)
set -o pipefail
[ -n "$id" ] || { echo "bench: no request id found in the oldest rotated file" >&2; exit 1; }

# The seed's method: status, code and latency of every completed request, latencies sorted
# for the percentiles (what `report` computes, minus stages, cache and failovers).
seed_pipeline="zcat -f $plain | grep -a -F synthesis_complete: | awk -F', ' '{d=\"\";s=\"\";c=\"\";for(i=1;i<=NF;i++){if(\$i~/^duration_ms=/)d=substr(\$i,13);else if(\$i~/^status=/)s=substr(\$i,8);else if(\$i~/^error_code=/)c=substr(\$i,12)} n[s]++; if(c!=\"\")e[c]++; print d > \"/dev/stdout\"} END{for(k in e) print k, e[k] > \"/dev/stderr\"}' 2>/dev/null | sort -n | awk '{a[NR]=\$1} END{print a[int(NR*0.5)], a[int(NR*0.95)], a[int(NR*0.99)], a[NR]}'"
report_cmd="$bin report --format json $plain"
zgrep_cmd="zgrep -h $id $files"
# The cold path: --no-index (bench/history.sh measures the request index).
trace_cmd="$bin trace --no-index --format json $id $files"
# A user format file (bench/seed-as-user-format.toml: the seed's layout as regular expressions)
# over the first 50 MB of the same log, on one core: MB/s per core.
user_log="$out/user-format-50MB.log"
[ -f "$user_log" ] || head -c 50000000 "$plain" | sed '$d' > "$user_log"
user_size=$(stat -c %s "$user_log")
user_cmd="taskset -c 0 $bin report --format json --format-file bench/seed-as-user-format.toml $user_log"

results=$(python3 bench/measure.py "$repeats" "$seed_pipeline" "$report_cmd" "$zgrep_cmd" "$trace_cmd" "$user_cmd")
python3 - "$size" "$results" "$user_size" <<'PY'
import json, sys
size = int(sys.argv[1])
rows = [json.loads(l) for l in sys.argv[2].splitlines()]
seed, report, zgrep, trace, user = rows
user_mb = int(sys.argv[3]) / 1e6
mb = size / 1e6
print(f"input: {mb:.0f} MB IndexTTS log, {len(rows)} commands run round by round, median of {len(seed['rounds'])} rounds")
print(f"seed pipeline (zcat|grep|awk|sort): {seed['wall_s']:.3f} s  {mb/seed['wall_s']:.0f} MB/s")
print(f"ttsmon report --format json       : {report['wall_s']:.3f} s  {mb/report['wall_s']:.0f} MB/s  cpu {report['cpu_s']:.2f} s  peak RSS {report['max_rss_mb']:.0f} MB")
def per_round(a, b):
    r = sorted(x / y for x, y in zip(a["rounds"], b["rounds"]))
    return r[len(r) // 2]
print(f"  report / seed pipeline          : {report['wall_s']/seed['wall_s']:.2f}x median, {report['min_s']/seed['min_s']:.2f}x best-of-runs, {per_round(report, seed):.2f}x median of rounds   (must be <= 0.35, issue 16; RSS must be <= 64 MB)")
print(f"zgrep -h ID (4 rotated .gz + live) : {zgrep['wall_s']:.3f} s")
print(f"ttsmon trace ID (same files)       : {trace['wall_s']:.3f} s  peak RSS {trace['max_rss_mb']:.0f} MB")
print(f"  trace / zgrep                   : {trace['wall_s']/zgrep['wall_s']:.2f}x median, {trace['min_s']/zgrep['min_s']:.2f}x best-of-runs, {per_round(trace, zgrep):.2f}x median of rounds   (must be <= 1.0)")
print(f"user format file, one core ({user_mb:.0f} MB): {user['wall_s']:.3f} s  {user_mb/user['cpu_s']:.0f} MB/s per core of CPU time   (must be >= 50)")
PY
