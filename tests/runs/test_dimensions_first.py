"""A run's dimension tables are written from its start, beside its first plan (r-srv3m): their layout needs no plan."""

from __future__ import annotations

import threading
from dataclasses import replace

import polars as pl
import pytest

from pipeline import runs
from pipeline.runs import narrow, sizing
from pipeline.runs.typed import text_codes
from pipeline.spec import parse_spec

SPECS = {
    "node": {"axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["Llama 2 7B", "ResNet-50"], "batch": [1, 64],
                      "seq_len": [128, 4096], "compute_dtype": ["fp16", "fp8"], "workload": ["inference"]}},
    "serving": {"study": "serving", "axes": {"hardware": ["H100 SXM5 80GB", "T4"], "model": ["Llama 2 7B"],
                                             "precision": ["fp16", "fp8"], "tp": [1, 2], "batch": [1, 8],
                                             "prompt_len": [512], "output_len": [128]}},
    "training": {"study": "training", "axes": {"cluster": "all", "model": ["Llama 2 7B"], "compute_dtype": ["bf16"],
                                               "seq_len": [2048], "gpus": [8, 64], "tp": [1, 8], "pp": [1, 2],
                                               "microbatch": [1], "global_batch": [512]}},
}


@pytest.mark.parametrize("study", list(SPECS))
def test_the_layout_without_dtypes_is_the_plan_s_but_for_its_float32_columns(study):
    """``narrow.layout`` without the plan's dtypes (what the dimension tables are written on) equals the layout on
    them in every field but ``float32``, which it leaves empty; so the tables are the same (the same frames)."""
    prepared = runs.prepare(parse_spec(SPECS[study]))
    planned = narrow.layout(prepared, prepared.study.build(prepared.space).frame.collect_schema())
    early = narrow.layout(prepared, None)
    assert planned.float32 and early.float32 == frozenset()
    assert early == replace(planned, float32=frozenset())
    texts = text_codes([prepared.space.hardware_side, prepared.space.model_side], prepared.spec.axes.region or ())
    for side, frame in narrow.dimension_frames(prepared, early, texts).items():
        assert frame.equals(narrow.dimension_frames(prepared, planned, texts)[side])


def test_a_run_writes_its_dimension_tables_while_its_first_plan_is_built(tmp_path, monkeypatch):
    """The first plan (its per-key tables: the serving bench's ~0.5 s of wall, a core partly idle) is built while the
    writer thread writes the dimension tables, not before they are submitted: the first ``build`` waits for them here
    and finds them written (submitted after it, as before r-srv3m, it would wait in vain)."""
    prepared = runs.prepare(parse_spec(SPECS["serving"]))
    assert sizing.overlap_dimensions(prepared.space)
    written, seen = threading.Event(), []
    write_dimensions, build = narrow.write_dimensions, prepared.study.build

    def dimensions(*args):
        write_dimensions(*args)
        written.set()

    def first_build(*args, **kwargs):
        if not seen:
            seen.append(written.wait(timeout=20))
        return build(*args, **kwargs)

    monkeypatch.setattr(narrow, "write_dimensions", dimensions)
    monkeypatch.setattr(prepared.study, "build", first_build)
    run_dir = runs.run(prepared, tmp_path / "out")
    assert seen == [True]
    assert sorted(p.name for p in (run_dir / narrow.DIMENSIONS).iterdir()) == ["serving-hardware.parquet",
                                                                               "serving-model.parquet"]
    assert pl.read_parquet(run_dir / narrow.DIMENSIONS / "serving-model.parquet").height > 0
