"""Runnable threads of the process between consecutive marks of the main thread: python tl_report.py OUT"""
import sys
out = sys.argv[1]
ev = [l.split(" ", 3) for l in open(out).read().splitlines()]
sm = []
for l in open(out + ".samples").read().splitlines():
    parts = l.split(" ")
    sm.append((float(parts[0]), int(parts[1]), parts[2] if len(parts) > 2 else ""))
t0 = float(ev[0][0]); c0 = float(ev[0][1])
marks = [(float(e[0]), float(e[1]), e[2], e[3].strip()) for e in ev]
for (t, c, th, what), nxt in zip(marks, marks[1:] + [None]):
    end = nxt[0] if nxt else t
    inside = [s for s in sm if t <= s[0] < end]
    avg = sum(min(s[1], 9) for s in inside) / len(inside) if inside else float("nan")
    print(f"{t - t0:6.3f} {c - c0:6.3f} {th:16s} {what:28s} -> next {end - t:6.3f} s, runnable {avg:4.2f} "
          f"({len(inside)} samples)")
# the run (run start -> run end) and fits (run end -> fits end): the cores its threads left idle on a 2-core machine,
# sum over samples of max(0, 2 - runnable threads) x the sample's interval (load-independent: a thread waiting for
# a core the host gives another process counts as runnable)
stamps = {}
for m in marks:  # each label's first stamp
    stamps.setdefault(m[3], m[0])
for label, a, b in (("run", "run start", "run end"), ("fits", "run end", "fits end"),
                    ("first plan", "run start", "build end")):
    inside = [s for s in sm if stamps[a] <= s[0] < stamps[b]]
    idle = sum(max(0, 2 - s[1]) * (t1[0] - s[0]) for s, t1 in zip(inside, inside[1:]))
    span = stamps[b] - stamps[a]
    print(f"{label}: {span:.3f} s, idle core-s {idle:.3f} ({idle / (2 * span):.1%} of 2 cores)")
