#!/usr/bin/env bash
# ttsmon history benchmark (issue 19): a week of rotated logs (~1.5 GB of text in seven .gz plus
# the live file, `ttsmon gen --rotate 7` at 2.5 requests/s of log time), and, measured round by
# round in one run against zgrep and zcat on the same files:
#   cold trace into the oldest file, without the index and while building it;
#   repeated trace of other ids through the index;
#   the index's size against the text it covers, and what building it adds to a cold scan;
#   report -R over the week against zcat alone, with peak memory.
# Usage: bench/history.sh [REQUESTS]   (default 1500000; data in bench/out/history, ignored by git)
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-1500000}
repeats=${REPEATS:-3}
out=bench/out/history
swift build -c release --product ttsmon >/dev/null
bin=$PWD/.build/release/ttsmon
if [ ! -f "$out/app.log" ] || [ "$(cat "$out/requests" 2>/dev/null)" != "$requests" ]; then
  rm -rf "$out"
  echo "generating $requests requests over a week of log time (7 rotated .gz + live)..." >&2
  $bin gen --out "$out" --requests "$requests" --rotate 7 --rate 2.5 --incident --seed 19 >/dev/null
  echo "$requests" > "$out/requests"
fi
files="$out/app.log.7.gz $out/app.log.6.gz $out/app.log.5.gz $out/app.log.4.gz $out/app.log.3.gz $out/app.log.2.gz $out/app.log.1.gz $out/app.log"
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
export XDG_CACHE_HOME=$cache
set +o pipefail
oldest=$(zcat "$out/app.log.7.gz" | head -20000 | grep -a -o 'synthesis_complete: id=[A-Za-z0-9_.:-]*' | sed -n '1000p' | cut -d= -f2)
others=$(for f in 6 4 2; do zcat "$out/app.log.$f.gz" | head -50000 | grep -a -o 'synthesis_complete: id=[A-Za-z0-9_.:-]*' | sed -n '3000p' | cut -d= -f2; done; grep -a -o 'synthesis_complete: id=[A-Za-z0-9_.:-]*' "$out/app.log" | sed -n '5000p' | cut -d= -f2)
set -o pipefail
[ -n "$oldest" ] && [ -n "$others" ] || { echo "bench: no request ids found" >&2; exit 1; }
text_bytes=$(zcat -f $files | wc -c)

# Warm trace: the index built once before the rounds; each round traces the other ids.
$bin index $files >/dev/null
warm_cmd="for id in $(echo $others | tr '\n' ' '); do $bin trace --format json \$id $files; done"
results=$(python3 bench/measure.py "$repeats" \
  "zgrep -h $oldest $files" \
  "zcat $files" \
  "$bin trace --no-index --format json $oldest $files" \
  "$bin index --clear; $bin trace --format json $oldest $files" \
  "$warm_cmd" \
  "$bin report -R --format json $out/app.log")
index_bytes=$(du -cb "$cache"/ttsmon/index/*.idx | tail -1 | cut -f1)
build_cmd="$bin index --clear >/dev/null; $bin index $files"
build=$(python3 bench/measure.py "$repeats" "$build_cmd")
ids=$(echo $others | wc -w)
python3 - "$text_bytes" "$index_bytes" "$ids" "$results" "$build" <<'PY'
import json, sys
text, index, ids = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
zgrep, zcat, cold, building, warm, report = [json.loads(l) for l in sys.argv[4].splitlines()]
build = json.loads(sys.argv[5])
def r(a, b): return a["wall_s"] / b["wall_s"]
print(f"input: a week of logs, {text/1e9:.2f} GB of text in 7 .gz + the live file; median of {len(zgrep['rounds'])} rounds")
print(f"zgrep -h ID (all files)             : {zgrep['wall_s']:.3f} s")
print(f"zcat (all files)                    : {zcat['wall_s']:.3f} s")
print(f"trace, cold, --no-index             : {cold['wall_s']:.3f} s   {r(cold, zgrep):.3f}x zgrep   (must be <= 0.15)")
print(f"trace, cold, building the index     : {building['wall_s']:.3f} s   {r(building, zgrep):.3f}x zgrep   peak RSS {building['max_rss_mb']:.0f} MB")
print(f"trace through the index, per id     : {warm['wall_s']/ids*1000:.1f} ms   {warm['wall_s']/ids/zgrep['wall_s']:.4f}x zgrep   (must be <= 50 ms, <= 0.02)")
print(f"index size                          : {index/1e6:.1f} MB = {100*index/text:.2f}% of the text   (must be <= 5%)")
print(f"building it, added to a cold scan   : +{100*(r(building, cold)-1):.0f}% (trace while indexing vs --no-index); ttsmon index alone {build['wall_s']:.3f} s   (aim <= +30%)")
print(f"report -R over the week             : {report['wall_s']:.3f} s   {r(report, zcat):.2f}x zcat   peak RSS {report['max_rss_mb']:.0f} MB   (must be <= 0.5, <= 64 MB)")
PY
