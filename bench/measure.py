#!/usr/bin/env python3
"""Runs shell commands a few times and prints wall time (median) and peak RSS of the whole
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
    for cmd in sys.argv[2:]:
        walls, rss, cpu = [], 0.0, []
        for _ in range(repeats):
            w, r, c, rc, err = run_once(cmd)
            if rc not in (0, 1):
                sys.stderr.write(f"command failed ({rc}): {cmd}\n{err}\n")
                sys.exit(1)
            walls.append(w); cpu.append(c); rss = max(rss, r)
        walls.sort(); cpu.sort()
        print(json.dumps({"cmd": cmd, "wall_s": round(walls[len(walls) // 2], 4), "min_s": round(walls[0], 4),
                          "cpu_s": round(cpu[len(cpu) // 2], 4), "max_rss_mb": round(rss, 1)}))

if __name__ == "__main__":
    main()
