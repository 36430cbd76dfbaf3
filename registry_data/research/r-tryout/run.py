"""Run commands one at a time from /tmp/tryout-run; log rc, wall, CPU s, traceback?, last stderr line."""
import json, os, resource, subprocess, sys, time
cmds = [l.rstrip('\n') for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
log = open(sys.argv[2], 'a')
for c in cmds:
    tag, _, cmd = c.partition('|')
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.time()
    try:
        p = subprocess.run(['bash', '-c', cmd], cwd='/tmp/tryout-run', capture_output=True, text=True, timeout=int(os.environ.get('TO', 150)))
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        rc, out, err = 'timeout', (e.stdout or b'').decode() if isinstance(e.stdout, bytes) else (e.stdout or ''), (e.stderr or b'').decode() if isinstance(e.stderr, bytes) else (e.stderr or '')
    w = time.time() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime
    tb = 'Traceback' in err or 'Traceback' in out
    errl = [l for l in err.strip().split('\n') if l.strip()]
    outl = [l for l in out.strip().split('\n') if l.strip()]
    rec = dict(tag=tag, cmd=cmd, rc=rc, wall=round(w, 1), cpu=round(cpu, 1), traceback=tb,
               err_head=errl[:6], err_tail=errl[-3:], out_head=outl[:4], out_tail=outl[-2:], nout=len(outl))
    log.write(json.dumps(rec) + '\n'); log.flush()
    print(f"[{tag}] rc={rc} wall={w:.1f}s cpu={cpu:.1f}s tb={tb} :: {cmd[:110]}")
    for l in (errl[:6] if rc not in (0,) else errl[-2:]): print('   E|', l[:220])
    for l in outl[:3]: print('   O|', l[:220])
