"""The allocator options ``import pipeline`` gives polars (``pipeline.ALLOCATOR_OPTIONS``): set before polars loads,
unless the user set their own; polars appends them to its own, so they win."""

from __future__ import annotations

import os
import subprocess
import sys

import pipeline

SHOW = "import os, pipeline; before = os.environ['_RJEM_MALLOC_CONF']; import polars; " \
       "print(before); print(os.environ['_RJEM_MALLOC_CONF'])"


def _imported(env_value: str | None) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if env_value is not None:
        env["_RJEM_MALLOC_CONF"] = env_value
    return subprocess.run([sys.executable, "-c", SHOW], env=env, capture_output=True, text=True,
                          check=True).stdout.split()


def test_import_pipeline_sets_jemalloc_decay_before_polars_loads():
    # jemalloc's option names (dirty pages returned after 1 s, muzzy at once), as pipeline/__init__.py states them
    before, seen_by_polars = _imported(None)
    assert before == "dirty_decay_ms:1000,muzzy_decay_ms:0" == pipeline.ALLOCATOR_OPTIONS
    assert seen_by_polars.endswith(",dirty_decay_ms:1000,muzzy_decay_ms:0")  # last: jemalloc keeps the later value


def test_a_users_allocator_options_are_kept():
    before, seen_by_polars = _imported("narenas:2")
    assert before == "narenas:2" and seen_by_polars.endswith(",narenas:2") and "muzzy_decay_ms:0" not in seen_by_polars
