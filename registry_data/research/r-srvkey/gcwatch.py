"""`python gcwatch.py ARGS...`: `python -m pipeline ARGS` with the cyclic GC's pauses logged (each gen-2 one and any
over 5 ms: seconds since start, generation, pause, objects collected; the sums a generation at exit, on stderr)."""
import atexit, gc, runpy, sys, time
T0 = time.perf_counter(); t = {}; sums = {0: [0, 0.0], 1: [0, 0.0], 2: [0, 0.0]}; log = []
def cb(phase, info):
    g = info["generation"]
    if phase == "start": t[g] = time.perf_counter()
    else:
        d = time.perf_counter() - t[g]; sums[g][0] += 1; sums[g][1] += d
        if g == 2 or d > 0.005: log.append((round(time.perf_counter() - T0, 2), g, round(d, 4), info["collected"]))
gc.callbacks.append(cb)
atexit.register(lambda: print("GC", {g: (n, round(s, 3)) for g, (n, s) in sums.items()}, "big:", log, file=sys.stderr))
sys.argv = ["pipeline", *sys.argv[1:]]
runpy.run_module("pipeline", run_name="__main__")
