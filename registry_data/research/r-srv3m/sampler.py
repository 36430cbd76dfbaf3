"""Samples every ~2 ms which threads of process PID are runnable (state R in /proc/PID/task/*/stat): epoch, count,
names. Runs until PID exits: python sampler.py PID OUT"""
import os, sys, time
pid, out = sys.argv[1], sys.argv[2]
rows = []
base = f"/proc/{pid}/task"
while True:
    try:
        tids = os.listdir(base)
    except FileNotFoundError:
        break
    t = time.time()
    running = []
    for tid in tids:
        try:
            s = open(f"{base}/{tid}/stat").read()
        except OSError:
            continue
        name = s[s.index("(") + 1:s.rindex(")")]
        state = s[s.rindex(")") + 2]
        if state == "R":
            running.append(name)
    rows.append(f"{t:.4f} {len(running)} {','.join(running)}")
    time.sleep(0.002)
open(out, "w").write("\n".join(rows) + "\n")
