"""Groups predicted side by side (``predict.side_by_side``): every job's result in order, two at a time, never two
heavy jobs (groups under a request rate) at once, and a job's error raised in the caller."""

from __future__ import annotations

import importlib
import threading
import time

import pytest

predict_module = importlib.import_module("pipeline.validation.predict")  # the package exports its function by that name


def _tracked(heavy: list[bool]):
    running, peak, lock = {"all": 0, "heavy": 0}, {"all": 0, "heavy": 0}, threading.Lock()

    def work(i: int) -> int:
        with lock:
            running["all"] += 1
            running["heavy"] += heavy[i]
            peak.update({k: max(peak[k], running[k]) for k in running})
        time.sleep(0.05)
        with lock:
            running["all"] -= 1
            running["heavy"] -= heavy[i]
        return i * i

    return work, peak


def test_heavy_jobs_run_one_at_a_time_beside_the_others():
    heavy = [True, True, False, True, False, False, True, False]
    work, peak = _tracked(heavy)
    assert predict_module.side_by_side(list(range(8)), heavy, work) == [i * i for i in range(8)]
    assert peak["heavy"] == 1 and peak["all"] == predict_module.GROUP_THREADS == 2


def test_only_heavy_jobs_still_all_run():
    work, peak = _tracked([True] * 4)
    assert predict_module.side_by_side(list(range(4)), [True] * 4, work) == [0, 1, 4, 9]
    assert peak["all"] == 1


def test_a_jobs_error_is_raised_in_the_caller():
    def work(i: int) -> int:
        if i == 2:
            raise ValueError("job 2")
        return i

    with pytest.raises(ValueError, match="job 2"):
        predict_module.side_by_side(list(range(5)), [False] * 5, work)
