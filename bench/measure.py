#!/usr/bin/env python3
"""Runs shell commands a few times (interleaved, round by round) and prints wall time (median) and peak RSS of the whole
command tree, measured with wait4 rusage. Used by bench/run.sh; prints one JSON line per command."""
import json, os, subprocess, sys, time

def run_once(cmd):
    start = time.perf_counter()
    proc = subprocess.Popen(["bash", "-c", cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of bash -c is the largest single process (bash exec's a lone command).
    return wall, usage.ru_maxrss / 1024.0, usage.ru_utime + usage.ru_stime, proc.returncode, err

def main():
    repeats = int(sys.argv[1])
    cmds = sys.argv[2:]
    walls = {c: [] for c in cmds}
    cpu = {c: [] for c in cmds}
    rss = {c: 0.0 for c in cmds}
    # Round-robin: each round runs every command once, so a noisy neighbour on a shared machine
    # slows all of them alike instead of whichever happened to run then.
    for _ in range(repeats):
        for cmd in cmds:
            w, r, c, rc, err = run_once(cmd)
            if rc not in (0, 1):
                sys.stderr.write(f"command failed ({rc}): {cmd}\n{err}\n")
                sys.exit(1)
            walls[cmd].append(w); cpu[cmd].append(c); rss[cmd] = max(rss[cmd], r)
    for cmd in cmds:
        ws, cs = sorted(walls[cmd]), sorted(cpu[cmd])
        print(json.dumps({"cmd": cmd, "wall_s": round(ws[len(ws) // 2], 4), "min_s": round(ws[0], 4),
                          "cpu_s": round(cs[len(cs) // 2], 4), "max_rss_mb": round(rss[cmd], 1),
                          "rounds": [round(w, 4) for w in walls[cmd]]}))

if __name__ == "__main__":
    main()
