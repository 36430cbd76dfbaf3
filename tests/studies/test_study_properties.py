"""Properties of the three studies over generated configurations (hypothesis; issue 14 item 8;
the serving study's bandwidth and output-length properties are in test_serving_properties.py).

Each example is one valid configuration, evaluated by the single-configuration path on the
bundled registry and on copies with one hardware column doubled:

- every value is finite and inside the range its output schema declares (a time, energy or
  traffic is never negative; headroom may be negative by design: its schema declares no range);
- an infeasible row always carries its reason;
- more memory bandwidth or peak FLOP/s is never slower; more memory capacity is never less feasible;
- a larger batch never needs less memory.
"""

from __future__ import annotations

import math
import shutil
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline.catalogs.io import read_catalog, write_catalog
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import node, schema_columns, serving, single, training

BUNDLED = Path(__file__).resolve().parents[2] / "registry_data"
NODE_MODELS = ["ResNet-50", "BERT-large", "Llama 3 8B", "Mixtral 8x7B", "Llama 2 70B"]
NODE_HARDWARE = ["H100 SXM5 80GB", "A100 SXM4 80GB", "MI300X", "L4", "TPU v5e"]
SERVE_MODELS = ["Llama 3 8B", "Llama 2 70B", "Mixtral 8x7B", "Qwen2.5 7B"]
SERVE_HARDWARE = ["H100 SXM5 80GB", "A100 SXM4 80GB", "MI300X", "L40S"]
TRAIN_MODELS = ["Llama 3 8B", "Llama 2 70B", "GPT-3 175B", "Mixtral 8x7B"]
CLUSTERS = ["NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)", "AMD Instinct MI3XX reference cluster"]
DOUBLED = {"bandwidth": "memory_bandwidth_bytes_per_s", "capacity": "memory_capacity_bytes"}
PEAKS = [f"peak_{p}_flop_per_s" for p in ("fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4")]
SETTINGS = settings(derandomize=True, max_examples=40, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@cache
def registries(root: str) -> dict:
    """The bundled catalogs and copies with memory bandwidth, memory capacity (and the usable
    total with it) and every peak doubled."""
    out = {"base": load_catalogs(BUNDLED)}
    for kind in (*DOUBLED, "peak"):
        registry = Path(root) / kind
        shutil.copytree(BUNDLED, registry)
        hw = read_catalog("hardware", registry)
        columns = PEAKS if kind == "peak" else [DOUBLED[kind]] + (["usable_memory_bytes"] if kind == "capacity" else [])
        write_catalog(hw.with_columns(pl.col(c) * 2 for c in columns), "hardware", registry)
        out[kind] = load_catalogs(registry)
    return out


@pytest.fixture(scope="module")
def catalogs(tmp_path_factory):
    return registries(str(tmp_path_factory.mktemp("doubled")))


def _frame(raw: dict, catalogs):
    answer = single.answer(parse_spec(raw), catalogs)
    assume(answer is not None and answer.dropped is None)  # a configuration the study drops is no example
    return answer.frame()


def _in_range(frame: pl.DataFrame, schema, label) -> None:
    ranges = {c: d["within"] for c, d in schema_columns(schema).items() if d["within"] is not None}
    for r in frame.iter_rows(named=True):
        for c, v in r.items():
            if isinstance(v, float):
                assert math.isfinite(v), (label, c, v)
            if c in ranges and v is not None:
                lo, hi = ranges[c]
                assert v >= lo and (hi is None or v <= hi), (label, c, v, ranges[c])
        assert r["is_feasible"] or r["infeasible_reason"], (label, "an infeasible row without a reason")


@st.composite
def node_configs(draw) -> dict:
    return {"axes": {"model": [draw(st.sampled_from(NODE_MODELS))], "hardware": [draw(st.sampled_from(NODE_HARDWARE))],
                     "compute_dtype": [draw(st.sampled_from(["fp16", "bf16", "fp8", "int8"]))],
                     "batch": [draw(st.integers(1, 512))], "seq_len": [draw(st.sampled_from([128, 512, 2048, 4096]))],
                     "workload": [draw(st.sampled_from(["inference", "training"]))]}}


@st.composite
def training_configs(draw) -> dict:
    tp, pp = draw(st.sampled_from([1, 2, 4, 8])), draw(st.sampled_from([1, 2, 4, 8]))
    dp = draw(st.sampled_from([1, 2, 4, 8, 16]))
    micro = draw(st.sampled_from([1, 2, 4]))
    return {"study": "training", "axes": {
        "model": [draw(st.sampled_from(TRAIN_MODELS))], "cluster": [draw(st.sampled_from(CLUSTERS))],
        "compute_dtype": [draw(st.sampled_from(["bf16", "fp8"]))], "dp": [dp], "tp": [tp], "pp": [pp],
        "microbatch": [micro], "global_batch": [dp * micro * draw(st.sampled_from([1, 4, 16]))],
        "seq_len": [draw(st.sampled_from([2048, 4096, 8192]))], "zero_stage": [draw(st.sampled_from([1, 2, 3]))],
        "recompute": [draw(st.sampled_from(["none", "selective", "full"]))]}}


def _time(frame: pl.DataFrame, column: str) -> list[float | None]:
    return frame[column].to_list()


def _never_slower(base: pl.DataFrame, more: pl.DataFrame, column: str, label) -> None:
    for b, m in zip(_time(base, column), _time(more, column), strict=True):
        if b is not None and m is not None:
            assert m <= b * (1 + 1e-9), (label, column, b, m)


def test_node_properties(catalogs):
    @SETTINGS
    @given(node_configs())
    def check(raw):
        base = _frame(raw, catalogs["base"])
        _in_range(base, node.SCHEMA, raw)
        for kind in ("bandwidth", "peak"):
            _never_slower(base, _frame(raw, catalogs[kind]), "latency_s", (kind, raw))
        roomier = _frame(raw, catalogs["capacity"])
        assert all(m or not b for b, m in zip(base["is_feasible"], roomier["is_feasible"], strict=True)), raw
        bigger = raw | {"axes": raw["axes"] | {"batch": [raw["axes"]["batch"][0] * 2]}}
        more = _frame(bigger, catalogs["base"])
        for b, m in zip(base["memory_footprint_bytes"], more["memory_footprint_bytes"], strict=True):
            assert m >= b * (1 - 1e-12), (raw, b, m)
    check()


def test_training_properties(catalogs):
    @SETTINGS
    @given(training_configs())
    def check(raw):
        base = _frame(raw, catalogs["base"])
        _in_range(base, training.SCHEMA, raw)
        for kind in ("bandwidth", "peak"):
            _never_slower(base, _frame(raw, catalogs[kind]), "step_time_s", (kind, raw))
        roomier = _frame(raw, catalogs["capacity"])
        assert roomier["is_feasible"].item() or not base["is_feasible"].item(), raw
        bigger = raw | {"axes": raw["axes"] | {"microbatch": [raw["axes"]["microbatch"][0] * 2],
                                               "global_batch": [raw["axes"]["global_batch"][0] * 2]}}
        more = _frame(bigger, catalogs["base"])
        assert more["memory_per_gpu_bytes"].item() >= base["memory_per_gpu_bytes"].item() * (1 - 1e-12), raw
    check()


@st.composite
def serving_configs(draw) -> dict:
    return {"study": "serving", "axes": {
        "model": [draw(st.sampled_from(SERVE_MODELS))], "hardware": [draw(st.sampled_from(SERVE_HARDWARE))],
        "precision": [draw(st.sampled_from(["fp16", "fp8"]))], "tp": [draw(st.sampled_from([1, 2, 4, 8]))],
        "batch": [draw(st.integers(1, 256))], "prompt_len": [draw(st.sampled_from([128, 1024, 2048]))],
        "output_len": [draw(st.sampled_from([16, 256, 1024]))]}}


def test_serving_properties(catalogs):
    @SETTINGS
    @given(serving_configs())
    def check(raw):
        base = _frame(raw, catalogs["base"])
        _in_range(base, serving.SCHEMA, raw)
        for column in ("ttft_s", "itl_s", "e2e_latency_s"):
            _never_slower(base, _frame(raw, catalogs["peak"]), column, ("peak", raw))
        roomier = _frame(raw, catalogs["capacity"])
        assert roomier["is_feasible"].item() or not base["is_feasible"].item(), raw
        bigger = raw | {"axes": raw["axes"] | {"batch": [raw["axes"]["batch"][0] * 2]}}
        more = _frame(bigger, catalogs["base"])
        assert more["memory_per_device_bytes"].item() >= base["memory_per_device_bytes"].item() * (1 - 1e-12), raw
    check()
