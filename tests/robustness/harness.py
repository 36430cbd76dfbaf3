"""Run one robustness case and judge it (issue 14's acceptance).

A case runs ``mlsys`` in this process (typer's runner, the entry point's error handling from
``pipeline.cli.app.failure``) in a fresh folder, under a time limit, and is judged:

- **traceback**: an exception the entry point does not turn into one clear line (a bug);
- **hang**: the case outran its time limit (``signal.alarm`` interrupts Python code; a native call
  that never returns is ended by ``faulthandler``'s watchdog, which names the case and exits);
- **wrong**: the exit code is not the one expected, the message does not name what was wrong, or
  the case's own check finds a partial, substituted or wrong output;
- **clear**: a rejection with the expected exit code (2 input, 1 environment) naming what was wrong;
- **correct**: bad-looking input that is handled correctly and exits 0.
"""

from __future__ import annotations

import faulthandler
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from pipeline.cli.app import app, failure

REPO = Path(__file__).resolve().parents[2]
BUNDLED = REPO / "registry_data"
LIMIT_S = 10  # CPU seconds per case; the slowest case takes about 1 s, so a case past 10 spins
WALL_LIMIT_S = 60  # wall seconds per case: one blocked without spending CPU (a lock, a pipe); generous on a busy host


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None  # a traceback: an exception ``failure`` does not handle


class Hang(Exception):
    pass


@dataclass
class Ctx:
    """What a case runs in: a fresh folder, a registry copy on demand, shared runs to query."""
    tmp: Path
    runs: Path | None = None
    _registry: Path | None = None

    def registry(self) -> Path:
        if self._registry is None:
            self._registry = self.tmp / "registry"
            shutil.copytree(BUNDLED, self._registry, ignore=shutil.ignore_patterns("research"))
        return self._registry

    def write(self, name: str, text: str | bytes) -> Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text)
        return path

    def mlsys(self, *args, env: dict[str, str] | None = None) -> Result:
        return mlsys(*args, cwd=self.tmp, env=env)


@dataclass
class Case:
    area: str
    name: str
    run: Callable[[Ctx], Result]
    code: int = 2  # expected exit code
    says: tuple[str, ...] = ()  # what the message must name (case-insensitive)
    check: Callable[[Ctx, Result], str | None] | None = None  # a problem with the output, or None
    needs_runs: bool = False

    @property
    def id(self) -> str:
        return f"{self.area}: {self.name}"


@dataclass
class Verdict:
    case: Case
    kind: str  # clear, correct, traceback, hang, wrong
    detail: str = ""
    result: Result | None = field(default=None, repr=False)


def mlsys(*args, cwd: Path, env: dict[str, str] | None = None) -> Result:
    """``mlsys *args`` in this process, in ``cwd``, with no $MLSYS_REGISTRY unless ``env`` sets it."""
    saved_cwd, saved_env = os.getcwd(), dict(os.environ)
    os.environ.pop("MLSYS_REGISTRY", None)
    os.environ.update(env or {})
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=True)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
    exc = result.exception
    if isinstance(exc, Hang):
        raise exc
    if exc is None or isinstance(exc, SystemExit):
        return Result(result.exit_code, result.stdout, result.stderr)
    ended = failure(exc)
    if ended is None:
        return Result(1, result.stdout, result.stderr, exception=exc)
    return Result(ended[0], result.stdout, result.stderr + ended[1] + "\n")


@contextmanager
def time_limit(cpu_seconds: int, wall_seconds: int, what: str) -> Iterator[None]:
    """Raise ``Hang`` in the case once the process has spent ``cpu_seconds`` of CPU (SIGPROF) or ``wall_seconds``
    have passed (SIGALRM). CPU time, not wall, is the tight limit: a host running several suites at once slows every
    case's wall clock ten-fold without any case hanging."""
    def alarm(signum, frame):
        raise Hang(f"{what}: over {cpu_seconds} s of CPU" if signum == signal.SIGPROF
                   else f"{what}: over {wall_seconds} s")

    previous = {sig: signal.signal(sig, alarm) for sig in (signal.SIGALRM, signal.SIGPROF)}
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    signal.alarm(wall_seconds)
    sys.stderr.flush()
    faulthandler.dump_traceback_later(wall_seconds + 20, exit=True)  # a native call the alarm cannot interrupt
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def judge(case: Case, tmp: Path, runs: Path | None = None) -> Verdict:
    ctx = Ctx(tmp, runs)
    try:
        with time_limit(LIMIT_S, WALL_LIMIT_S, case.id):
            result = case.run(ctx)
            problem = case.check(ctx, result) if case.check else None
    except Hang as exc:
        return Verdict(case, "hang", str(exc))
    except Exception as exc:  # noqa: BLE001 - a case's own setup failing is reported, not raised
        return Verdict(case, "traceback", f"{type(exc).__name__}: {exc}")
    if result.exception is not None:
        exc = result.exception
        return Verdict(case, "traceback", f"{type(exc).__name__}: {exc}", result)
    said = (result.stderr + result.stdout).lower()
    if "traceback (most recent call last)" in said:
        return Verdict(case, "traceback", said[-400:], result)
    if result.code != case.code:
        return Verdict(case, "wrong", f"exit {result.code}, expected {case.code}: {said[-400:]}", result)
    missing = [w for w in case.says if w.lower() not in said]
    if missing:
        return Verdict(case, "wrong", f"the message does not name {missing}: {said[-400:]}", result)
    if problem:
        return Verdict(case, "wrong", problem, result)
    return Verdict(case, "clear" if result.code else "correct", "", result)
