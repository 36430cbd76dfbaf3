"""r-ttftmap: the MLPerf Inference v6.0 Llama 2 70B Interactive runs on AMD's vLLM harness state ``scheduler_steps``
S + 1 from their yaml's ``VLLM_SUBSEQUENT_DECODE_STEPS`` S (registry_data/research/r-ttftmap/README.md): AMD's
vLLM patch admits waiting requests only on a step whose counter is 0, the counter running 0..S."""

from __future__ import annotations

import re

import polars as pl

from pipeline.catalogs.io import read_catalog
from tests.catalogs.research import REGISTRY, replayed, script

HERE = REGISTRY / "research" / "r-ttftmap"


def admissions(subsequent_steps: int, steps: int) -> list[int]:
    """The scheduler steps at which the patch's ``schedule()`` lets waiting requests in (its L480-L496, by hand:
    admit while ``current_step == 0``; after each step, reset to 0 at ``current_step >= S`` else add 1)."""
    out, current = [], 0
    for step in range(steps):
        if not (subsequent_steps and current != 0):
            out.append(step)
        current = 0 if current >= subsequent_steps else current + 1
    return out


def test_the_patch_admits_once_per_s_plus_one_steps():
    """S = 6 (the Interactive yamls): steps 0, 7, 14, ...; a request arriving at a uniform step waits 0..6 steps,
    3 = (N - 1) / 2 at N = 7 on average, walls/multi_step.py's (N - 1) / 2 E[C]. S = 0: every step."""
    assert admissions(6, 22) == [0, 7, 14, 21]
    waits = [min(a for a in admissions(6, 30) if a >= t) - t for t in range(21)]
    assert sum(waits) / len(waits) == 3.0
    assert admissions(0, 3) == [0, 1, 2]


def test_each_patch_is_a_v6_interactive_amd_row_citing_its_yaml_line():
    patches = pl.read_csv(HERE / "patches.csv")
    rows = patches.join(read_catalog("measurements"), on="name", how="left")
    assert rows.height == 18 and rows["scenario"].to_list() == ["server"] * 18
    assert rows["name"].str.contains("^mlperf-inf-v6.0-.*-llama2-70b-99-interactive").all()
    assert rows["hardware"].is_in(["MI355X", "MI350X"]).all() and (rows["framework"] == "vLLM").all()
    stated = rows["source"].map_elements(
        lambda s: int(re.search(r"VLLM_SUBSEQUENT_DECODE_STEPS (\d+)", s).group(1)), return_dtype=pl.Int64)
    assert (rows["value"] == stated + 1).all() and (rows["scheduler_steps"] == rows["value"]).all()
    assert rows["source"].str.contains(r"/src/llama2-70b-99/interactive_mi35[05]x\.yaml#L36 ").all()


def test_the_replay_changes_nothing_twice(tmp_path):
    applied, after, bundled = replayed(HERE, "apply_ttftmap", tmp_path)
    assert applied == 18 and after.equals(bundled)
