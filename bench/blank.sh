#!/usr/bin/env bash
# Blank space on the overview (#18): runs the demo in a 150×45 tmux pane, captures the screen
# after SECONDS and prints the share of the panels' interiors that are spaces (aim: a third).
# Usage: bench/blank.sh [SECONDS]   (default 65: the demo's 1-minute window full)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-65}
swift build -c release --product ttsmon >/dev/null
bin=$PWD/.build/release/ttsmon
mkdir -p bench/out
socket="ttsmon-blank-$$"
tmux -L "$socket" new-session -d -s d -x 150 -y 45 "$bin demo"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
sleep "$seconds"
tmux -L "$socket" capture-pane -t d -p > bench/out/blank-screen.txt
python3 - bench/out/blank-screen.txt <<'PY'
import sys
rows = open(sys.argv[1]).read().split("\n")[:45]
inside = blank = 0
# Rows under the header and alert strip, above the footer: every cell between a panel's left
# and right border (│ … │, borders paired left to right) is its interior.
for row in rows[2:-1]:
    bars = [i for i, c in enumerate(row) if c == "│"]
    for a, b in zip(bars[0::2], bars[1::2]):
        inside += b - a - 1
        blank += row[a + 1:b].count(" ")
print(f"demo overview at 150x45: {blank} of {inside} panel interior cells blank = {blank / max(1, inside) * 100:.0f}%   (aim: <= 33%, issue 18)")
PY
