"""The robustness harness's hang guard: a case that spins is stopped by CPU time, one that blocks by wall time, and a
case that finishes leaves no timer or handler behind (``harness.time_limit``)."""
import signal
import time

import pytest

from tests.robustness.harness import Hang, time_limit


def test_a_spinning_case_is_stopped_by_its_cpu_limit():
    started = time.process_time()
    with pytest.raises(Hang, match="over 1 s of CPU"), time_limit(1, 30, "spin"):
        while True:
            pass
    # not at once, not long after: the kernel samples a process's CPU for its timer (0.71 s seen under xdist, load 11)
    assert 0.5 <= time.process_time() - started < 5.0


def test_a_blocked_case_is_stopped_by_its_wall_limit():
    started = time.monotonic()
    with pytest.raises(Hang, match="block: over 1 s$"), time_limit(10, 1, "block"):
        time.sleep(30)
    assert 1.0 <= time.monotonic() - started < 5.0


def test_a_finished_case_leaves_no_timer_and_the_handlers_it_found():
    before = signal.getsignal(signal.SIGPROF), signal.getsignal(signal.SIGALRM)
    with time_limit(10, 10, "quick"):
        pass
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.alarm(0) == 0
    assert (signal.getsignal(signal.SIGPROF), signal.getsignal(signal.SIGALRM)) == before
